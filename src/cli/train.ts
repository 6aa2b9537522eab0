// `ff train`: train a model from a preset plus options, with a progress bar, a line per
// epoch, metrics.jsonl and a checkpoint after every epoch; `--resume DIR` continues a run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadDataset } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { algorithmNames, getAlgorithm } from '../train/algorithms.js';
import { CHECKPOINT_FILE, loadCheckpoint } from '../train/checkpoint.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { evaluate } from '../train/evaluate.js';
import { applyOptions, optionHelp, parseOverrideArgs } from '../train/options.js';
import { PRESETS } from '../train/presets.js';
import { train, truncateMetrics, type EpochMetrics } from '../train/trainer.js';
import { epochProgress, formatEpochLine } from './progress.js';

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a model (FF by default) and evaluate it on the test set')
    .option('--preset <name>', `experiment preset: ${Object.keys(PRESETS).join(', ')}`, 'hinton')
    .option('--algo <name>', 'learning algorithm: ff or bp', 'ff')
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
      await runTrain(o, this.args);
    });
}

interface TrainCliOptions {
  preset: string;
  algo: string;
  out?: string;
  resume?: string;
  dataDir?: string;
  stopAfter?: string;
  progress: boolean;
}

async function runTrain(o: TrainCliOptions, rest: string[]): Promise<void> {
  const stopAfter = o.stopAfter === undefined ? undefined : Number(o.stopAfter);
  if (stopAfter !== undefined && (!Number.isInteger(stopAfter) || stopAfter < 1)) {
    throw new Error(`--stop-after must be a positive integer, got '${o.stopAfter}'`);
  }
  const engine = getEngine();
  let outDir: string;
  let startEpoch = 1;
  let elapsedBefore = 0;
  let model;
  let config: Record<string, unknown>;
  if (o.resume) {
    if (rest.length) throw new Error(`--resume continues a run as configured; remove ${rest[0]}`);
    outDir = path.resolve(o.resume);
    const ck = loadCheckpoint(outDir);
    const algo = getAlgorithm(ck.algo);
    model = algo.fromCheckpoint(engine, ck);
    config = ck.config;
    startEpoch = Number(ck.state.epoch) + 1;
    elapsedBefore = Number(ck.state.elapsed ?? 0);
    truncateMetrics(outDir, startEpoch - 1);
  } else {
    if (!o.out) throw new Error('--out DIR is required (or --resume DIR)');
    outDir = path.resolve(o.out);
    if (existsSync(path.join(outDir, CHECKPOINT_FILE))) {
      throw new Error(`${outDir} already holds a run; continue it with --resume ${o.out} or choose another --out`);
    }
    if (!algorithmNames().includes(o.algo)) throw new Error(`unknown --algo '${o.algo}' (choose ${algorithmNames().join(', ')})`);
    const algo = getAlgorithm(o.algo);
    config = applyOptions(algo.presetConfig(o.preset), parseOverrideArgs(rest, algo.specs), algo.specs);
    config.preset = o.preset;
  }
  const data = await loadDataset(String(config.dataset), { dataDir: o.dataDir, trainOnAll: Boolean(config.trainOnAll) });
  if (!model) model = getAlgorithm(o.algo).create(engine, config, data);

  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(
    `${o.resume ? 'resuming' : 'training'} ${model.algo} on ${data.name} (${data.train.count} train / ${data.valid.count} valid) ` +
      `engine ${engine.name}, ${model.totalEpochs} epochs${startEpoch > 1 ? `, from epoch ${startEpoch}` : ''} → ${outDir}`,
  );
  const progress = epochProgress(o.progress);
  // Ctrl-C (or a scheduler's SIGTERM) loses at most the current epoch: checkpoints are
  // whole-file atomic, so just say how to go on.
  const onInterrupt = (signal: NodeJS.Signals) => {
    progress.stop();
    process.stderr.write(`\nff: interrupted (${signal}); epochs finished so far are saved. Continue with: ff train --resume ${outDir}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const result = await train(model, data, {
    outDir,
    startEpoch,
    elapsedBefore,
    stopAfter,
    onEpochStart: progress.start,
    onBatch: progress.update,
    onEpochEnd: (m: EpochMetrics) => {
      progress.stop();
      log(formatEpochLine(m, model.totalEpochs));
    },
  });

  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
  if (result.epochs < model.totalEpochs) {
    log(`stopped after epoch ${result.epochs} of ${model.totalEpochs}; continue with: ff train --resume ${outDir}`);
    return;
  }
  // The main job ends with the test error of every cheap classifier.
  const final: Record<string, unknown> = { epochs: result.epochs, trainSeconds: result.seconds, engine: engine.name, test: {} };
  for (const mode of model.classifiers.filter((c) => c !== 'shortlist')) {
    const ev = await evaluate(model, data.test, data.numClasses, mode);
    (final.test as Record<string, number>)[mode] = ev.errorRate;
    log(`test error (${mode}): ${(100 * ev.errorRate).toFixed(2)} % on the ${data.testDescription}`);
  }
  const perEpoch = result.metrics.reduce((a, m) => a + m.seconds, 0) / Math.max(1, result.metrics.length);
  log(`wall time ${result.seconds.toFixed(1)} s in all, ${perEpoch.toFixed(2)} s per training epoch`);
  writeFileAtomic(path.join(outDir, 'results.json'), `${JSON.stringify(final, null, 2)}\n`);
}
