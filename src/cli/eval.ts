// `ff eval DIR`: error rate, confusion matrix and examples/second of one classifier; for nets
// whose layers score the classes (--loss cwc), 'groups' is followed by each layer alone and each
// range of layers summed; --tta flip averages each image with its mirror image.
import type { Command } from 'commander';
import { datasetDir, loadDataset, runDataOptions } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { evaluate, formatConfusion, type Evaluation } from '../train/evaluate.js';
import { flipAveraged } from '../train/flip-averaged.js';
import { rangeModesOf } from '../ff/group-classifier.js';
import { loadRun } from '../experiments/load-run.js';
import { parseShortlistK } from './shortlist-k.js';
import { parseIntOption, optionalIntOption } from './int-option.js';
import { loadAesop, AESOP_NAME } from '../data/aesop.js';
import { formatBaselines, textBaselines } from '../data/text-baselines.js';
import type { ImageSet } from '../data/dataset.js';
import type { TrainableModel } from '../train/model.js';

const SPLITS = ['test', 'valid', 'train'] as const;

export function registerEvalCommand(program: Command): void {
  program
    .command('eval <dir>')
    .description('evaluate a trained run: error rate, confusion matrix, examples/second')
    .option('--mode <mode>', "FF: softmax, goodness or shortlist; cwc FF: groups (then each layer and each range of layers), groups-layerK or groups-layersI-J; unsupervised FF: probe or probe-layerK; BP: output")
    .option('--k <k>', 'shortlist size (labels compared by goodness)', '2')
    .option('--split <split>', 'test, valid or train', 'test')
    .option('--limit <n>', 'only the first N images of the split')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .option('--device <n>', 'analog runs: run the learned weights on simulated chip N (another chip of the same kind)')
    .option('--test-from <t>', "recurrent runs: the goodness classifier averages from iteration T (default: the run's)")
    .option('--test-to <t>', '… to iteration T')
    .option('--tta <views>', 'test-time augmentation: flip = average the scores of each image and its mirror image')
    .action(async (dir: string, o: { mode?: string; k: string; split: string; limit?: string; dataDir?: string; device?: string; testFrom?: string; testTo?: string; tta?: string }) => {
      if (o.tta !== undefined && o.tta !== 'flip') throw new Error(`--tta must be 'flip', got '${o.tta}'`);
      if (!SPLITS.includes(o.split as (typeof SPLITS)[number])) throw new Error(`--split must be one of ${SPLITS.join(', ')}, got '${o.split}'`);
      const device = optionalIntOption('--device', o.device, 1);
      const { model, config, shape, warnings } = loadRun(getEngine(), dir, { device, testFrom: optionalIntOption('--test-from', o.testFrom, 1), testTo: optionalIntOption('--test-to', o.testTo, 1) });
      const k = parseShortlistK(o.k, shape.numClasses);
      for (const w of warnings) process.stderr.write(`ff: warning: ${w}\n`);
      const mode = o.mode ?? model.classifiers[0];
      if (!model.classifiers.includes(mode) && !RANGE_MODE.test(mode)) throw new Error(`--mode must be one of ${model.classifiers.join(', ')}${model.classifiers.includes('groups') ? ' or groups-layersI-J' : ''} for this ${model.algo} run, got '${mode}'`);
      const data = await loadDataset(String(config.dataset), runDataOptions(config, o.dataDir));
      let set = data[o.split as (typeof SPLITS)[number]];
      if (o.limit !== undefined) {
        const n = parseIntOption('--limit', o.limit, 1);
        const { subset } = await import('../data/dataset.js');
        set = subset(set, 0, Math.min(n, set.count));
      }
      if (o.tta && (data.name === AESOP_NAME || shape.width < 2)) throw new Error(`--tta flip needs images; ${data.name} has none to mirror`);
      const reader = o.tta ? flipAveraged(model, shape) : model;
      const ev = await evaluate(reader, set, data.numClasses, mode, mode === 'shortlist' ? k : undefined);
      const window = config.architecture === 'recurrent' && mode !== 'softmax' ? ` (iterations ${config.testFrom}–${config.testTo})` : '';
      const summed = mode === 'groups' && Array.isArray(config.goodnessLayers) ? ` (layers ${config.goodnessLayers.join(', ')} summed)` : '';
      const what = (mode === 'shortlist' ? `shortlist k=${k}` : mode) + window + summed + (o.tta ? ', averaged with the mirror image' : '');
      const unit = data.name === 'aesop' ? 'character' : 'image';
      console.log(`${data.name} ${o.split} (${ev.count} ${unit}s), ${what}: error ${(100 * ev.errorRate).toFixed(2)} % (${ev.errors} wrong), accuracy ${(100 * (1 - ev.errorRate)).toFixed(2)} %`);
      if (ev.bitsPerCase !== undefined) console.log(`cross-entropy ${ev.bitsPerCase.toFixed(3)} bits per ${unit}`);
      console.log(formatConfusion(ev.confusion, data.classNames));
      console.log(`${ev.examplesPerSecond.toFixed(0)} examples/second (${ev.seconds.toFixed(2)} s, engine ${getEngine().name})`);
      if (mode === 'groups') for (const line of await perLayerTable(reader, model.classifiers, set, data.numClasses, unit)) console.log(line);
      // A sequence model stands beside the n-grams fitted on the same strings (issue 34).
      if (data.name === AESOP_NAME && o.limit === undefined) {
        const corpus = await loadAesop({ dataDir: datasetDir(AESOP_NAME, o.dataDir), warn: () => {} });
        const split = config.textSplit === 'book' ? 'book' : 'paper';
        for (const line of formatBaselines(textBaselines(corpus, split, o.split as (typeof SPLITS)[number]))) console.log(line);
      }
    });
}

/** 'groups-layersI-J': the class groups of layers I..J summed. */
const RANGE_MODE = /^groups-layers\d+-\d+$/;

/**
 * Each layer's class groups alone (groups-layerK) and each range of layers summed
 * (groups-layersI-J, DeeperForward's layer ensemble), as a table with the lowest error marked:
 * the classifier keeps every layer's logits of the pass 'groups' just made, so these cost no
 * further pass. Choose the range on --split valid, then test that one mode.
 */
async function perLayerTable(model: Pick<TrainableModel, 'predict'>, classifiers: readonly string[], set: ImageSet, numClasses: number, unit: string): Promise<string[]> {
  const alone = classifiers.filter((m) => /^groups-layer\d+$/.test(m));
  if (alone.length === 0) return [];
  const modes = [...alone, ...rangeModesOf(alone.length)];
  const evs: Evaluation[] = [];
  for (const m of modes) evs.push(await evaluate(model, set, numClasses, m));
  const best = Math.min(...evs.map((ev) => ev.errors));
  const rows = [['layers', 'classifier', 'error', 'wrong', 'accuracy', `bits/${unit}`, '']];
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  modes.forEach((m, n) => {
    const ev = evs[n];
    const which = m.replace(/^groups-layers?/, '').replace('-', '–');
    rows.push([which, m, pct(ev.errorRate), String(ev.errors), pct(1 - ev.errorRate), ev.bitsPerCase?.toFixed(3) ?? '', ev.errors === best ? '← lowest' : '']);
  });
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === 1 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`.trimEnd();
  return ['each layer alone and each range of layers summed (their class groups, from the same pass):', ...rows.map(line)];
}
