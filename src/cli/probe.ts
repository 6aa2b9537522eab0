// `ff probe DIR`: fit fresh linear probes on a trained unsupervised run's frozen layers (the
// paper's "afterwards", ff/probe-refit.ts) and compare them with the online probes the run
// trained alongside FF: validation and test error per probe. Writes DIR/probe-refit.json.
import path from 'node:path';
import type { Command } from 'commander';
import { subset } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { FFModel } from '../ff/ff-model.js';
import { PROBE_REFIT_FILE, probeErrorRates, refitProbes, type ProbeRefitReport } from '../ff/probe-refit.js';
import { evaluate } from '../train/evaluate.js';
import { loadRun } from '../experiments/load-run.js';
import { writeFileAtomic } from '../util/atomic-write.js';

interface ProbeOptions {
  epochs: string;
  batchSize?: string;
  dataDir?: string;
}

export function registerProbeCommand(program: Command): void {
  program
    .command('probe <dir>')
    .description('unsupervised FF: fit fresh linear probes on the trained, frozen layers and compare them with the online probes')
    .option('--epochs <n>', 'epochs of the probe fit (Hinton schedule over them)', '10')
    .option('--batch-size <n>', "minibatch size (default: the run's)")
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .action(async (dir: string, o: ProbeOptions) => {
      process.stdout.write(`${await probeRun(dir, o)}\n`);
    });
}

export async function probeRun(dir: string, o: ProbeOptions): Promise<string> {
  const epochs = positiveInt(o.epochs, '--epochs');
  const batchSize = o.batchSize === undefined ? undefined : positiveInt(o.batchSize, '--batch-size');
  const engine = getEngine();
  const { model, config, warnings } = loadRun(engine, dir);
  for (const w of warnings) process.stderr.write(`ff: warning: ${w}\n`);
  if (!(model instanceof FFModel) || !model.net.unsupervised) {
    throw new Error(`${dir} is not an unsupervised FF run: probes read a net trained without labels (train with --preset unsupervised-quick)`);
  }
  const net = model.net;
  const data = await loadDataset(String(config.dataset), { dataDir: o.dataDir, trainOnAll: Boolean(config.trainOnAll) });
  // The images the run trained on (its --train-subset), so the probe sees no others.
  const n = net.cfg.trainSubset > 0 ? Math.min(net.cfg.trainSubset, data.train.count) : data.train.count;
  const train = subset(data.train, 0, n);
  const t0 = performance.now();
  const probes = await refitProbes(net, train, {
    epochs,
    batchSize,
    onEpoch: (e, err, s) => {
      const left = ((performance.now() - t0) / 1000 / e) * (epochs - e);
      process.stderr.write(`probe fit epoch ${e}/${epochs}: train error ${(100 * err).toFixed(2)} %  ${s.toFixed(1)} s${e < epochs ? `, about ${Math.ceil(left)} s left` : ''}\n`);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const splits = { valid: data.valid, test: data.test };
  const rows: ProbeRefitReport['probes'] = probes.modes.map((mode) => ({ mode, online: {}, refit: {} }));
  for (const [split, set] of Object.entries(splits)) {
    const refit = await probeErrorRates(net, probes, set);
    for (const row of rows) {
      row.refit[split] = refit.get(row.mode)!;
      row.online[split] = (await evaluate(model, set, data.numClasses, row.mode)).errorRate;
    }
  }
  const result: ProbeRefitReport = { epochs, trainImages: n, seconds, valid: data.validDescription, test: data.testDescription, probes: rows };
  const file = path.join(dir, PROBE_REFIT_FILE);
  writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const head = ['probe', 'online valid', 'refit valid', 'online test', 'refit test'];
  const cells = rows.map((r) => [r.mode, pct(r.online.valid), pct(r.refit.valid), pct(r.online.test), pct(r.refit.test)]);
  const widths = head.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
  const line = (c: string[]) => c.map((x, k) => (k === 0 ? x.padEnd(widths[k]) : x.padStart(widths[k]))).join('  ');
  return [
    `probes refit on ${n.toLocaleString('en-US')} training images for ${epochs} epoch${epochs === 1 ? '' : 's'} (${seconds.toFixed(1)} s); valid: ${data.validDescription}; test: ${data.testDescription}`,
    line(head),
    ...cells.map(line),
    `wrote ${file}`,
  ].join('\n');
}

function positiveInt(s: string, what: string): number {
  const v = Number(s);
  if (!/^\s*\d+\s*$/.test(s) || !Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got '${s}'`);
  return v;
}
