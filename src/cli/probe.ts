// `ff probe DIR`: fit fresh linear probes on a trained unsupervised run's frozen layers (the
// paper's "afterwards", ff/probe-refit.ts) and compare them with the online probes the run
// trained alongside FF: validation and test error per probe. Writes DIR/probe-refit.json; with
// --save-to, also a copy of the run whose probes are the refit ones.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFileBounded, readTextBounded, READ_LIMITS } from '../util/read-bounded.js';
import path from 'node:path';
import type { Command } from 'commander';
import { subset } from '../data/dataset.js';
import { loadDataset, runDataOptions } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { FFModel } from '../ff/ff-model.js';
import { installProbes, PROBE_REFIT_FILE, probeErrorRates, refitProbes, type ProbeRefitReport, type RefitProbes } from '../ff/probe-refit.js';
import { saveCheckpoint } from '../train/checkpoint.js';
import { METRICS_FILE } from '../train/metrics-log.js';
import { evaluate } from '../train/evaluate.js';
import { loadRun } from '../experiments/load-run.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { inClaimedDir } from './claimed-dir.js';
import { optionalIntOption, parseIntOption } from './int-option.js';

interface ProbeOptions {
  epochs: string;
  batchSize?: string;
  dataDir?: string;
  saveTo?: string;
}

export function registerProbeCommand(program: Command): void {
  program
    .command('probe <dir>')
    .description('unsupervised FF: fit fresh linear probes on the trained, frozen layers and compare them with the online probes')
    .option('--epochs <n>', 'epochs of the probe fit (Hinton schedule over them)', '10')
    .option('--batch-size <n>', "minibatch size (default: the run's)")
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .option('--save-to <dir>', 'also write a copy of the run whose probes are the refit ones (ff eval/predict/report then use them)')
    .action(async (dir: string, o: ProbeOptions) => {
      process.stdout.write(`${await probeRun(dir, o)}\n`);
    });
}

export async function probeRun(dir: string, o: ProbeOptions): Promise<string> {
  const epochs = parseIntOption('--epochs', o.epochs, 1);
  const batchSize = optionalIntOption('--batch-size', o.batchSize, 1);
  if (o.saveTo === undefined) return probeAndSave(dir, o, epochs, batchSize);
  // Refused before the fit, not after minutes of it: --save-to is made, proved writable and
  // locked now (and removed again if the fit fails before anything is written to it).
  checkNewRunDir(o.saveTo, dir);
  return inClaimedDir(o.saveTo, () => probeAndSave(dir, o, epochs, batchSize, o.saveTo));
}

async function probeAndSave(dir: string, o: ProbeOptions, epochs: number, batchSize: number | undefined, saveTo?: string): Promise<string> {
  const engine = getEngine();
  const { model, config, warnings } = loadRun(engine, dir);
  for (const w of warnings) process.stderr.write(`ff: warning: ${w}\n`);
  if (!(model instanceof FFModel) || model.net.heads.kind !== 'probes') {
    throw new Error(`${dir} is not an unsupervised FF run: probes read a net trained without labels (train with --preset unsupervised-quick)`);
  }
  const net = model.net;
  const data = await loadDataset(String(config.dataset), runDataOptions(config, o.dataDir));
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
  const saved = saveTo === undefined ? '' : await saveRefitRun(model, probes, dir, saveTo, result);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const head = ['probe', 'online valid', 'refit valid', 'online test', 'refit test'];
  const cells = rows.map((r) => [r.mode, pct(r.online.valid), pct(r.refit.valid), pct(r.online.test), pct(r.refit.test)]);
  const widths = head.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
  const line = (c: string[]) => c.map((x, k) => (k === 0 ? x.padEnd(widths[k]) : x.padStart(widths[k]))).join('  ');
  return [
    `probes refit on ${n.toLocaleString('en-US')} training images for ${epochs} epoch${epochs === 1 ? '' : 's'} (${seconds.toFixed(1)} s); valid: ${data.validDescription}; test: ${data.testDescription}`,
    line(head),
    ...cells.map(line),
    `wrote ${file}${saved}`,
  ].join('\n');
}

/** --save-to: a new directory, or an empty one, and not the run itself. */
function checkNewRunDir(to: string, from: string): void {
  if (path.resolve(to) === path.resolve(from)) throw new Error(`--save-to ${to}: that is the run itself; give a new directory (the run keeps its online probes)`);
  if (!existsSync(to)) return;
  if (!statSync(to).isDirectory()) throw new Error(`--save-to ${to}: exists and is not a directory`);
  if (readdirSync(to).length > 0) throw new Error(`--save-to ${to}: exists and is not empty (it must be a new run directory)`);
}

/**
 * A copy of the run whose probe heads are the refit ones: checkpoint and config, the training
 * history (metrics), the refit report, and results.json with the refit probes' test errors.
 */
async function saveRefitRun(model: FFModel, probes: RefitProbes, from: string, to: string, refit: ProbeRefitReport): Promise<string> {
  await installProbes(model.net, probes);
  saveCheckpoint(to, await model.toCheckpoint());
  if (existsSync(path.join(from, METRICS_FILE))) writeFileAtomic(path.join(to, METRICS_FILE), readFileBounded(path.join(from, METRICS_FILE), READ_LIMITS.metrics));
  writeFileAtomic(path.join(to, PROBE_REFIT_FILE), `${JSON.stringify(refit, null, 2)}\n`);
  const resultsFile = path.join(from, 'results.json');
  const before = existsSync(resultsFile) ? (JSON.parse(readTextBounded(resultsFile, READ_LIMITS.runJson)) as Record<string, unknown>) : {};
  const test = Object.fromEntries(refit.probes.map((p) => [p.mode, p.refit.test]));
  writeFileAtomic(path.join(to, 'results.json'), `${JSON.stringify({ ...before, test, probesRefit: { from, epochs: refit.epochs } }, null, 2)}\n`);
  return ` and ${to} (the run with the refit probes: ff eval ${to} --mode probe)`;
}
