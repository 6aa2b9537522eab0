// `ff train`: train a model from a preset plus options, with a progress bar, a line per
// epoch, metrics.jsonl and a checkpoint after every epoch; `--resume DIR` continues a run.
// The run directory is claimed (created, proved writable, locked) before anything slow; it is
// the training loop's run store (train/node-run-store.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { DatasetSplits } from '../data/dataset.js';
import { loadDataset, runDataOptions } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { algorithmNames, getAlgorithm } from '../experiments/algorithms.js';
import { blasThreadsOf, resumeSettingsWarning } from '../train/blas-threads.js';
import { CHECKPOINT_FILE, checkpointWarnings, readCheckpoint } from '../train/checkpoint-format.js';
import { evaluate } from '../train/evaluate.js';
import { chanceWarnings } from '../train/health.js';
import { patchInputSize } from '../engine/conv-geometry.js';
import { convMapsFor } from '../train/conv-maps.js';
import { estimateTrainingMemory, machineMemory, memoryRefusal, memoryWarning, type ConvLayerSize, type NetSize } from '../train/memory-estimate.js';
import type { RunConfig } from '../train/run-config.js';
import type { TrainableModel } from '../train/model.js';
import { applyOptions, kebab, optionHelp, parseOverrideArgs } from '../train/options.js';
import { getPreset, PRESETS } from '../experiments/presets.js';
import { unusedOptionProblem } from '../experiments/unused-options.js';
import { METRICS_FILE, readMetricsLog, truncateMetricsLog, type EpochMetrics } from '../train/metrics-log.js';
import { NodeRunStore } from '../train/node-run-store.js';
import { train } from '../train/training-loop.js';
import { claimRunDir } from '../util/run-dir.js';
import { readTextBounded, READ_LIMITS } from '../util/read-bounded.js';
import { epochProgress, formatEpochLine, runTimeLeft, trainCountText } from './progress.js';
import { optionalIntOption } from './int-option.js';
import { writeEngineNotice } from './engine-info.js';

export const RESULTS_FILE = 'results.json';

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a model (FF by default) and evaluate it on the test set')
    .option('--preset <name>', `experiment preset: ${Object.keys(PRESETS).join(', ')}`, 'hinton')
    .option('--algo <name>', "learning algorithm: ff or bp (default: the preset's, else ff)")
    .option('--out <dir>', 'run directory for checkpoints and metrics')
    .option('--resume <dir>', 'continue the run in DIR from its last checkpoint')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .option('--stop-after <epoch>', 'stop after this epoch (continue later with --resume)')
    .option('--no-progress', 'no progress bar')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', () =>
      algorithmNames()
        .map((n) => `\n${n.toUpperCase()} options (--algo ${n}; override the preset):\n${optionHelp(getAlgorithm(n).specs, getAlgorithm(n).defaults)}`)
        .join('\n'),
    )
    .action(async function (this: Command) {
      const o = this.opts() as TrainCliOptions;
      if (o.resume !== undefined) refuseWithResume(this);
      await runTrain(o, this.args);
    });
}

interface TrainCliOptions {
  preset: string;
  algo?: string;
  out?: string;
  resume?: string;
  dataDir?: string;
  stopAfter?: string;
  progress: boolean;
}

/** --resume continues a run exactly as configured: options that would change it are refused. */
function refuseWithResume(cmd: Command): void {
  for (const name of ['preset', 'algo'] as const) {
    if (cmd.getOptionValueSource(name) === 'cli') throw new Error(`--resume continues the run as it was configured; remove --${name}`);
  }
  if (cmd.getOptionValueSource('out') === 'cli') throw new Error('--resume continues the run in its own directory; remove --out');
  if (cmd.args.length) throw new Error(`--resume continues the run as it was configured; remove ${cmd.args[0]}`);
}

async function runTrain(o: TrainCliOptions, rest: string[]): Promise<void> {
  const stopAfter = optionalIntOption('--stop-after', o.stopAfter, 1);
  const engine = getEngine();
  // Everything the options can get wrong is checked before the run directory is touched.
  let config: Record<string, unknown> | undefined;
  let runDir: string;
  if (o.resume !== undefined) {
    if (!o.resume) throw new Error('--resume needs a run directory');
    runDir = o.resume;
  } else {
    if (!o.out) throw new Error('--out DIR is required (or --resume DIR)');
    o.algo ??= getPreset(o.preset).algo ?? 'ff';
    if (!algorithmNames().includes(o.algo)) throw new Error(`unknown --algo '${o.algo}' (choose ${algorithmNames().join(', ')})`);
    const algo = getAlgorithm(o.algo);
    const overrides = parseOverrideArgs(rest, algo.specs);
    config = applyOptions(algo.presetConfig(o.preset), overrides, algo.specs);
    const unused = unusedOptionProblem(Object.keys(overrides), config, (k) => `--${kebab(k)}`);
    if (unused) throw new Error(unused);
    config.preset = o.preset;
    runDir = o.out;
  }

  const notice = (s: string) => process.stderr.write(`ff: ${s}\n`);
  const claim = claimRunDir(runDir, { create: o.resume === undefined, onNotice: notice });
  const outDir = claim.dir;
  const progress = epochProgress(o.progress);
  // Ctrl-C (or a scheduler's SIGTERM) loses at most the current epoch: checkpoints are
  // whole-file atomic, so just say how to go on. Exiting runs the 'exit' hook: the lock goes.
  const onInterrupt = (signal: NodeJS.Signals) => {
    progress.stop();
    const saved = existsSync(path.join(outDir, CHECKPOINT_FILE))
      ? `epochs finished so far are saved. Continue with: ff train --resume ${outDir}`
      : 'no epoch was finished, nothing is saved';
    process.stderr.write(`\nff: interrupted (${signal}); ${saved}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  process.once('exit', claim.release);
  try {
    await trainInRunDir(o, outDir, engine, config, stopAfter, progress);
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    process.off('exit', claim.release);
    claim.release();
  }
}

async function trainInRunDir(
  o: TrainCliOptions,
  outDir: string,
  engine: ReturnType<typeof getEngine>,
  newConfig: Record<string, unknown> | undefined,
  stopAfter: number | undefined,
  progress: ReturnType<typeof epochProgress>,
): Promise<void> {
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const store = new NodeRunStore(outDir);
  let model: TrainableModel;
  let data: DatasetSplits;
  let startEpoch = 1;
  let elapsedBefore = 0;
  if (newConfig) {
    for (const f of [CHECKPOINT_FILE, METRICS_FILE, RESULTS_FILE]) {
      if (!existsSync(path.join(outDir, f))) continue;
      // The first epoch's line is written before its checkpoint: a run killed between the two left only it.
      if (f === METRICS_FILE && !existsSync(path.join(outDir, RESULTS_FILE)) && readMetricsLog(store, () => {}).every((m) => m.epoch === 1)) {
        process.stderr.write(`ff: notice: ${store.locate(METRICS_FILE)} holds only a first epoch that has no checkpoint (the run was stopped while saving it); starting over\n`);
        truncateMetricsLog(store, 0, () => {});
        continue;
      }
      throw new Error(
        f === CHECKPOINT_FILE
          ? `${outDir} already holds a run; continue it with --resume ${o.out} or choose another --out`
          : `${outDir} holds ${f} of another run but no checkpoint; choose another --out`,
      );
    }
    data = await loadDataset(String(newConfig.dataset), runDataOptions(newConfig, o.dataDir));
    checkMemory(o.algo!, newConfig, data);
    model = getAlgorithm(o.algo!).create(engine, newConfig, data);
  } else {
    const finished = finishedEpochs(outDir);
    if (finished !== undefined) {
      log(`run ${outDir} is already finished (${finished} epochs); results in ${path.join(outDir, RESULTS_FILE)}`);
      return;
    }
    const ck = readCheckpoint(store);
    for (const w of checkpointWarnings(ck)) process.stderr.write(`ff: warning: ${w}\n`);
    const settings = resumeSettingsWarning(ck.state, engine);
    if (settings) process.stderr.write(`ff: warning: ${settings}\n`);
    data = await loadDataset(String(ck.config.dataset), runDataOptions(ck.config, o.dataDir));
    checkMemory(ck.algo, ck.config, data);
    model = getAlgorithm(ck.algo).fromCheckpoint(engine, ck);
    // An early-stopped run ended before its last epoch: only the test is left.
    startEpoch = ck.state.earlyStopped === true ? Infinity : Number(ck.state.epoch) + 1;
    elapsedBefore = Number(ck.state.elapsed ?? 0);
    truncateMetricsLog(store, startEpoch - 1);
  }

  const done = startEpoch > model.totalEpochs;
  if (done) {
    // Trained to the end, but killed during the final test: only that is left to do.
    log(`run ${outDir} finished its ${model.totalEpochs} epochs but has no ${RESULTS_FILE}; evaluating on the test set`);
  } else {
    log(
      `${o.resume ? 'resuming' : 'training'} ${model.algo} on ${data.name} (${trainCountText(model.cfg.trainSubset, data.train.count)} train / ${data.valid.count} valid) ` +
        `engine ${engine.name}, ${model.totalEpochs} epochs${startEpoch > 1 ? `, from epoch ${startEpoch}` : ''} → ${outDir}`,
    );
  }
  writeEngineNotice();
  const timeLeft = runTimeLeft(model.totalEpochs);
  const result = await train(model, data, {
    store,
    startEpoch,
    elapsedBefore,
    stopAfter,
    onEpochStart: progress.start,
    onBatch: progress.update,
    onEpochEnd: (m: EpochMetrics) => {
      progress.stop();
      log(formatEpochLine(m, model.totalEpochs, timeLeft(m)));
    },
  });
  if (result.epochs < model.totalEpochs && !result.stoppedEarly && startEpoch <= model.totalEpochs) {
    log(`stopped after epoch ${result.epochs} of ${model.totalEpochs}; continue with: ff train --resume ${outDir}`);
    return;
  }
  // Early stopping: the test reads the best validation's weights (the run's checkpoint holds them too).
  if (result.best) {
    model = getAlgorithm(result.best.algo).fromCheckpoint(engine, result.best);
    log(`early stopping: the weights of epoch ${result.bestEpoch} (best validation)${result.stoppedEarly ? `, stopped after epoch ${result.epochs}` : ''}`);
  }
  // The main job ends with the test error of every cheap classifier.
  const final: Record<string, unknown> = { epochs: result.stoppedEarly ? result.epochs : model.totalEpochs, ...(result.bestEpoch ? { bestEpoch: result.bestEpoch } : {}), trainSeconds: result.seconds, engine: engine.name, blasThreads: blasThreadsOf(engine), test: {} };
  for (const mode of model.classifiers.filter((c) => c !== 'shortlist')) {
    const ev = await evaluate(model, data.test, data.numClasses, mode);
    (final.test as Record<string, number>)[mode] = ev.errorRate;
    log(`test error (${mode}): ${(100 * ev.errorRate).toFixed(2)} % on the ${data.testDescription}`);
  }
  // Over every epoch of the run, also those before a resume.
  const all = readMetricsLog(store);
  // A run that did not learn says so here and in results.json, not only in its epoch lines.
  const warnings = [...(all.at(-1)?.warnings ?? []), ...chanceWarnings('test', final.test as Record<string, number>, data.numClasses, data.test.count)];
  for (const w of [...new Set(warnings)]) log(`warning: ${w}`);
  if (warnings.length) final.warnings = [...new Set(warnings)];
  const perEpoch = all.reduce((a, m) => a + m.seconds, 0) / Math.max(1, all.length);
  log(`wall time ${result.seconds.toFixed(1)} s in all, ${perEpoch.toFixed(2)} s per training epoch`);
  store.write(RESULTS_FILE, `${JSON.stringify(final, null, 2)}\n`);
}

/** Epochs of a run that has written its results (so is finished), else undefined ('?' when results.json does not say). */
export function finishedEpochs(dir: string): number | string | undefined {
  const file = path.join(dir, RESULTS_FILE);
  if (!existsSync(file) || !existsSync(path.join(dir, CHECKPOINT_FILE))) return undefined;
  let epochs: unknown;
  try {
    epochs = (JSON.parse(readTextBounded(file, READ_LIMITS.runJson)) as { epochs?: unknown } | null)?.epochs;
  } catch (e) {
    // Damaged JSON still means finished (results.json is written last, atomically); a FIFO or device is refused.
    if (e instanceof SyntaxError) return '?';
    throw e;
  }
  return Number.isInteger(epochs) && (epochs as number) > 0 ? (epochs as number) : '?';
}

/** A conv net's layer sizes for the estimate (undefined for other nets; a bad conv config is the model's to report). */
function convSizes(config: Record<string, unknown>, data: DatasetSplits): ConvLayerSize[] | undefined {
  if (config.connectivity !== 'conv') return undefined;
  try {
    const image = { height: data.train.height, width: data.train.width, channels: data.train.channels };
    const maps = convMapsFor(config as unknown as RunConfig, image) ?? [];
    return maps.map(({ conv: g, width, outputSize }) => {
      const taps = g.kernel * g.kernel * g.channels;
      // With G groups: a (K²·C_in) × C_out/G weight, one group's patches at a time (plus its copies of the maps).
      const G = g.groups ?? 1;
      const groupCopies = G > 1 ? (width + patchInputSize(g)) / G : 0;
      return { weights: (taps * g.outChannels) / G, channels: g.outChannels, map: width, output: outputSize, patches: (taps * (width / g.outChannels)) / G + groupCopies };
    });
  } catch {
    return undefined;
  }
}

/** Refuse (one line) a net this machine cannot hold, before a byte of it is allocated. */
function checkMemory(algo: string, config: Record<string, unknown>, data: DatasetSplits): void {
  const { layers, optimizer, batchSize } = config;
  // A malformed config (from a foreign checkpoint) is reported by the model's own checks.
  if (!Array.isArray(layers) || !layers.every((w) => Number.isInteger(w) && w > 0) || !Number.isInteger(batchSize)) return;
  const net: NetSize = {
    algo,
    layers: layers as number[],
    optimizer: String(optimizer),
    batchSize: batchSize as number,
    inputSize: data.train.height * data.train.width * data.train.channels,
    numClasses: data.numClasses,
    masked: config.connectivity === 'grid',
    conv: convSizes(config, data),
  };
  const est = estimateTrainingMemory(net);
  const machine = machineMemory();
  const refusal = memoryRefusal(net, est, machine);
  if (refusal) throw new Error(refusal);
  const warning = memoryWarning(net, est, machine);
  if (warning) process.stderr.write(`ff: ${warning}\n`);
}
