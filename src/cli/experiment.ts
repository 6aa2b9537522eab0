// `ff experiment blackbox|analog [--quick]` (SPEC §7): the talk's hardware claims measured — FF
// and backprop on one net description with a black box in the middle, or on simulated analog
// chips. Each member is an ordinary run directory in DIR/<key> (checkpoint, resume, `ff report
// DIR`); re-running the command continues interrupted members and reuses finished ones. Then:
// the table (printed, DIR/compare.md and DIR/compare.json) and the validation-error curves
// (DIR/validation-error.png; its colours are printed with the runs).
import path from 'node:path';
import type { Command } from 'commander';
import { subset, type DatasetSplits } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import type { Engine } from '../engine/engine.js';
import { getEngine } from '../engine/select.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { loadRun } from '../experiments/load-run.js';
import { isAnalog, type AnalogSettings } from '../stages/analog-device.js';
import { getStageExperiment, STAGE_EXPERIMENTS, type StageExperiment, type StageMember } from '../experiments/stage-experiments.js';
import { evaluate } from '../train/evaluate.js';
import { readMetricsLog } from '../train/metrics-log.js';
import type { TrainableModel } from '../train/model.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Rgb } from '../viz/colormap.js';
import { linePlotPng } from '../viz/line-plot-png.js';
import { inClaimedDir } from './claimed-dir.js';
import { runToFinish } from './compare-run.js';

interface ExperimentOptions {
  quick: boolean;
  dataset?: string;
  out?: string;
  dataDir?: string;
  progress: boolean;
}

/** Each algorithm's classifiers in the table (the main one first). */
const modesOf = (algo: StageMember['algo']) => getAlgorithm(algo).classifiers.map((c) => c.mode);

export interface MemberResult {
  key: string;
  label: string;
  algo: string;
  epochs: number;
  wallSeconds: number;
  /** Test error per classifier, on the chip it was trained on. */
  test: Record<string, number>;
  /** Analog: test error per chip (same weights) and classifier. */
  testOnDevice: Record<string, Record<string, number>>;
  /** Validation error of the main classifier after each validated epoch. */
  validCurve: number[];
}

export function registerExperimentCommand(program: Command): void {
  program
    .command('experiment')
    .description(`FF vs backprop on hardware-like nets (SPEC §7): ${Object.keys(STAGE_EXPERIMENTS).join(' or ')}`)
    .argument('<name>', Object.keys(STAGE_EXPERIMENTS).join(' or '))
    .option('--quick', 'the small, short variant (minutes)', false)
    .option('--dataset <name>', 'mnist (default) or fashion-mnist')
    .option('--out <dir>', 'directory for the member runs and the table (default runs/experiment-<name>[-quick])')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .option('--no-progress', 'no progress bar')
    .action(async (name: string, o: ExperimentOptions) => {
      const x = getStageExperiment(name, o.quick);
      if (o.dataset !== undefined && !['mnist', 'fashion-mnist'].includes(o.dataset)) throw new Error(`--dataset must be mnist or fashion-mnist, got '${o.dataset}'`);
      const data = o.dataset ?? 'mnist';
      const named = data === 'mnist' ? x : { ...x, name: `${x.name}-${data}`, description: x.description.replace(/^MNIST/, data === 'fashion-mnist' ? 'Fashion-MNIST' : data), base: { ...x.base, dataset: data } };
      await runStageExperiment(named, o);
    });
}

export async function runStageExperiment(x: StageExperiment, o: ExperimentOptions, engine: Engine = getEngine(), log = (s: string) => process.stdout.write(`${s}\n`)): Promise<MemberResult[]> {
  const names = [...x.members.map((m) => m.key), 'compare.json', 'compare.md', 'validation-error.png'];
  return inClaimedDir(o.out ?? path.join('runs', `experiment-${x.name}`), (dir) => runInDir(x, o, dir, engine, log), { names, what: `a ${x.name} experiment` });
}

async function runInDir(x: StageExperiment, o: ExperimentOptions, dir: string, engine: Engine, log: (s: string) => void): Promise<MemberResult[]> {
  log(`${x.name}: ${x.description}`);
  const data = await loadDataset(String(x.base.dataset ?? 'mnist'), { dataDir: o.dataDir });
  const results: MemberResult[] = [];
  const models = new Map<string, TrainableModel>();
  for (const m of x.members) {
    const algo = getAlgorithm(m.algo);
    const config: Record<string, unknown> = { ...algo.defaults, ...x.base, ...m.config, preset: `experiment ${x.name}` };
    for (const k of Object.keys(config)) if (!(k in algo.specs) && k !== 'preset' && k !== 'algo') delete config[k];
    const teacher = m.teacher ? models.get(m.teacher) : undefined;
    if (m.teacher && !teacher) throw new Error(`experiment ${x.name}: ${m.key} learns from ${m.teacher}, which comes later`);
    const trainData = teacher ? await withTeacherTargets(data, teacher, Number(config.trainSubset ?? 0)) : data;
    const run = await runToFinish({ engine, algo: m.algo, config, dir: path.join(dir, m.key), data: trainData, name: m.key, progress: o.progress, log });
    models.set(m.key, run.model);
    const test: Record<string, number> = {};
    for (const mode of modesOf(m.algo)) test[mode] = (await evaluate(run.model, data.test, data.numClasses, mode)).errorRate;
    const testOnDevice: Record<string, Record<string, number>> = {};
    if (x.evalDevices.length && isAnalog(config as unknown as AnalogSettings)) {
      for (const device of x.evalDevices) {
        // The same weights on another chip (as `ff eval --device`).
        const onChip = device === config.device ? run.model : loadRun(engine, run.store.location, { device }).model;
        testOnDevice[device] = {};
        for (const mode of modesOf(m.algo)) testOnDevice[device][mode] = (await evaluate(onChip, data.test, data.numClasses, mode)).errorRate;
      }
    }
    const main = modesOf(m.algo)[0];
    const validCurve = readMetricsLog(run.store).flatMap((e) => (e.valid && main in e.valid ? [e.valid[main]] : []));
    const r: MemberResult = { key: m.key, label: m.label, algo: m.algo, epochs: run.epochs, wallSeconds: run.wallSeconds, test, testOnDevice, validCurve };
    results.push(r);
    run.store.write('results.json', `${JSON.stringify({ epochs: r.epochs, trainSeconds: r.wallSeconds, engine: engine.name, test, testOnDevice }, null, 2)}\n`);
  }
  const caption = `${x.name}: ${x.description}; test error on the ${data.testDescription}, engine ${engine.name}`;
  const table = markdownTable(x, results);
  log('');
  log(caption);
  log(table);
  writeFileAtomic(path.join(dir, 'compare.md'), `${caption}\n\n${table}\n`);
  writeFileAtomic(path.join(dir, 'compare.json'), `${JSON.stringify({ experiment: x.name, description: x.description, engine: engine.name, runs: results }, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'validation-error.png'), linePlotPng(results.map((r, i) => ({ values: r.validCurve.map((e) => 100 * e), color: COLORS[i % COLORS.length][1], dashed: i >= COLORS.length })), 640, 360));
  log(`\nvalidation error (%) over epochs, ${path.join(dir, 'validation-error.png')} (y from 0 to the largest):`);
  results.forEach((r, i) => log(`  ${COLORS[i % COLORS.length][0]}${i >= COLORS.length ? ' dashed' : ''}: ${r.key} ${r.validCurve.map((e) => (100 * e).toFixed(2)).join(' ')}`));
  log(`wrote ${path.join(dir, 'compare.md')} and compare.json; \`ff report ${dir}\` draws every member run`);
  return results;
}

/**
 * The training set with soft targets: the teacher's output distribution for every training
 * image (FF: its one-pass softmax; BP: its output), computed on the teacher's own chip.
 */
async function withTeacherTargets(data: DatasetSplits, teacher: TrainableModel, trainSubset: number): Promise<DatasetSplits> {
  const mode = teacher.algo === 'ff' ? 'softmax' : 'output';
  // Only the images the student trains on (--train-subset) need the teacher's outputs.
  const train = trainSubset > 0 ? subset(data.train, 0, Math.min(trainSubset, data.train.count)) : data.train;
  const { scores } = await teacher.predict(train.images, train.count, mode);
  return { ...data, train: { ...train, targets: scores } };
}

const pct = (e: number | undefined) => (e === undefined ? '–' : `${(100 * e).toFixed(2)} %`);

export function markdownTable(x: StageExperiment, rs: MemberResult[]): string {
  const chips = x.evalDevices;
  const head = ['run', 'classifier', 'test error', ...chips.map((d) => `on chip ${d === 1 ? 'A' : d === 2 ? 'B' : d}`), 'epochs', 'wall time'];
  const rows = rs.flatMap((r) =>
    Object.keys(r.test).map((mode) => [
      r.label,
      mode,
      pct(r.test[mode]),
      ...chips.map((d) => pct(r.testOnDevice[d]?.[mode])),
      String(r.epochs),
      `${r.wallSeconds.toFixed(0)} s`,
    ]),
  );
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((c) => `| ${c.join(' | ')} |`)].join('\n');
}

const COLORS: [string, Rgb][] = [
  ['blue', [31, 119, 180]], ['orange', [255, 127, 14]], ['green', [44, 160, 44]], ['red', [214, 39, 40]],
  ['purple', [148, 103, 189]], ['brown', [140, 86, 75]], ['grey', [127, 127, 127]], ['olive', [188, 189, 34]], ['cyan', [23, 190, 207]],
];
