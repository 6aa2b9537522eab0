// `ff compare --preset NAME`: FF and backprop on the same architecture, the same data and the
// same epoch budget, both trained by the same loop on the same engine (SPEC §8); then one
// table of test errors and times, printed and written as DIR/compare.json and DIR/compare.md.
//
// The runs live in DIR/ff and DIR/bp (ordinary run directories: checkpoint, metrics.jsonl,
// results.json). Re-running the same command continues an interrupted run from its checkpoint
// and reuses a finished one. `--preset cifar` / `cifar-quick` is the talk's six-net CIFAR-10
// table instead (compare-cifar.ts).
import path from 'node:path';
import type { Command } from 'commander';
import type { DatasetSplits } from '../data/dataset.js';
import { loadDataset, runDataOptions } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { evaluate } from '../train/evaluate.js';
import { getPreset, PRESETS } from '../experiments/presets.js';
import { CIFAR_SUITES, isCifarSuite, runCifarCompare } from './compare-cifar.js';
import { inClaimedDir } from './claimed-dir.js';
import { addClusterOptions, clusterOptions, JOB_FILES, parseEmitKind, submitHelp, writeJobFiles, type ClusterCliOptions, type EmitKind } from './job-files.js';
import { compareArray } from './compare-emit.js';
import { runToFinish } from './compare-run.js';
import { CONV_SUITES, isConvSuite, runConvCompare } from './compare-conv.js';
import { tableClassifiers } from './table-classifiers.js';
import { intArg } from './int-option.js';

interface CompareOptions extends ClusterCliOptions {
  preset: string;
  epochs?: number;
  out?: string;
  dataDir?: string;
  progress: boolean;
  emit?: EmitKind;
}

/** A classifier's row label: "FF (goodness)", "FF (groups-layer2)", "BP (output)". */
const labelOf = (algo: string, mode: string) => `${algo.toUpperCase()} (${mode})`;

export interface CompareRun {
  algo: string;
  dir: string;
  layers: number[];
  epochs: number;
  /** Training plus per-epoch validation, all sessions of the run together. */
  wallSeconds: number;
  /** Mean training seconds per epoch (validation excluded). */
  secondsPerEpoch: number;
  /** Test error per classifier of the trained model, in table order (tableClassifiers). */
  test: Record<string, number>;
  testCount: number;
}

export interface CompareRow {
  algorithm: string;
  algo: string;
  classifier: string;
  testError: number;
  epochs: number;
  wallSeconds: number;
  secondsPerEpoch: number;
}

export function registerCompareCommand(program: Command): void {
  const cmd = program
    .command('compare')
    .description('train FF and backprop on the same net, data and epoch budget, and tabulate their test errors and times')
    .option('--preset <name>', `experiment preset: ${Object.keys(PRESETS).join(', ')}; or ${CIFAR_SUITES.join(', ')} for the talk's CIFAR-10 table (BP, FF min-ssq and max-ssq on 2 and 3 LC maps); or ${CONV_SUITES.join(', ')} for FF (cwc) and BP on the conv nets of MNIST, Fashion-MNIST and CIFAR-10`, 'quick')
    .option('--epochs <n>', 'epochs for both algorithms (default: the preset’s)', intArg(1, 100000))
    .option('--out <dir>', 'directory for the two runs and the table (default runs/compare-<preset>)')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .option('--no-progress', 'no progress bar')
    .option('--emit <kind>', 'write the runs as a job array for a cluster (slurm, k8s or all) instead of training them here', parseEmitKind);
  addClusterOptions(cmd).action(async (o: CompareOptions) => {
    if (o.emit) await emitCompare(o, o.emit);
    else if (isCifarSuite(o.preset)) await runCifarCompare(o);
    else if (isConvSuite(o.preset)) await runConvCompare(o);
    else await runCompare(o);
  });
}

/** The comparison's runs as Slurm / Kubernetes files in its directory (claimed, as a run would be). */
async function emitCompare(o: CompareOptions, emit: EmitKind): Promise<void> {
  const array = compareArray(o);
  await inClaimedDir(array.dir, async () => writeJobFiles(array, emit, clusterOptions(o)), {
    names: [...array.tasks.map((t) => t.name), 'compare.json', 'compare.md', ...JOB_FILES],
    what: `a ${o.preset} comparison`,
  });
  for (const line of submitHelp(array, emit)) process.stdout.write(`${line}\n`);
}


export async function runCompare(o: CompareOptions): Promise<{ runs: CompareRun[]; rows: CompareRow[] }> {
  // One-line errors for an unknown or unsupervised preset, before anything is trained.
  if (!(o.preset in PRESETS)) throw new Error(`unknown preset '${o.preset}' (choose ${[...Object.keys(PRESETS), ...CIFAR_SUITES, ...CONV_SUITES].join(', ')})`);
  if (getPreset(o.preset).ff.negativeData === 'hybrid') {
    throw new Error(`compare: preset '${o.preset}' trains without labels (its classifiers are probes, not goodness/softmax); compare a supervised preset`);
  }
  const engine = getEngine();
  // One process at a time in the comparison's directory (it holds both runs), claimed first.
  return inClaimedDir(o.out ?? path.join('runs', `compare-${o.preset}`), (dir) => compareInDir(o, dir, engine), {
    names: ['ff', 'bp', 'compare.json', 'compare.md', ...JOB_FILES],
    what: `a ${o.preset} comparison`,
  });
}

async function compareInDir(o: CompareOptions, outDir: string, engine: ReturnType<typeof getEngine>): Promise<{ runs: CompareRun[]; rows: CompareRow[] }> {
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const runs: CompareRun[] = [];
  let data: DatasetSplits | undefined;

  for (const algoName of ['ff', 'bp']) {
    const algo = getAlgorithm(algoName);
    const config: Record<string, unknown> = { ...algo.presetConfig(o.preset) };
    if (o.epochs !== undefined) config.epochs = o.epochs;
    config.preset = o.preset;
    const dir = path.join(outDir, algoName);
    data = await loadDataset(String(config.dataset), runDataOptions(config, o.dataDir));
    const { model, store, epochs, wallSeconds, secondsPerEpoch } = await runToFinish({
      engine, algo: algoName, config, dir, data, name: algoName, progress: o.progress, log,
    });

    // The trained model's own classifiers: a cwc net is read by its class groups, not goodness.
    const test: Record<string, number> = {};
    for (const { mode } of tableClassifiers(algoName, model)) {
      test[mode] = (await evaluate(model, data.test, data.numClasses, mode)).errorRate;
    }
    const run: CompareRun = {
      algo: algoName,
      dir,
      layers: config.layers as number[],
      epochs,
      wallSeconds,
      secondsPerEpoch,
      test,
      testCount: data.test.count,
    };
    runs.push(run);
    // The same results.json as `ff train` writes.
    const results = { epochs: run.epochs, trainSeconds: run.wallSeconds, engine: engine.name, test };
    store.write('results.json', `${JSON.stringify(results, null, 2)}\n`);
  }

  const rows: CompareRow[] = runs.flatMap((r) =>
    Object.keys(r.test).map((mode) => ({
      algorithm: labelOf(r.algo, mode),
      algo: r.algo,
      classifier: mode,
      testError: r.test[mode],
      epochs: r.epochs,
      wallSeconds: r.wallSeconds,
      secondsPerEpoch: r.secondsPerEpoch,
    })),
  );
  const d = data!;
  const conv = getPreset(o.preset).ff.connectivity === 'conv';
  const heading =
    `FF vs BP, preset ${o.preset}: ${conv ? 'conv ' : ''}${runs[0].layers.join('-')} ReLU on ${d.name}, ` +
    `test error on the ${d.testDescription}, engine ${engine.name}`;
  log('');
  log(heading);
  log(textTable(rows));
  const report = { preset: o.preset, dataset: d.name, testDescription: d.testDescription, engine: engine.name, runs, rows };
  writeFileAtomic(path.join(outDir, 'compare.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(path.join(outDir, 'compare.md'), `${heading}\n\n${markdownTable(rows)}\n`);
  log(`\nwrote ${path.join(outDir, 'compare.json')} and ${path.join(outDir, 'compare.md')}`);
  return { runs, rows };
}

const COLUMNS = ['algorithm', 'test error', 'epochs', 'wall time', 'time / epoch'] as const;

function cells(r: CompareRow): string[] {
  return [r.algorithm, `${(100 * r.testError).toFixed(2)} %`, String(r.epochs), `${r.wallSeconds.toFixed(1)} s`, `${r.secondsPerEpoch.toFixed(2)} s`];
}

export function textTable(rows: CompareRow[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const line = (cs: readonly string[]) => cs.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(rows: CompareRow[]): string {
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
  ].join('\n');
}
