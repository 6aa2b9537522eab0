// The talk's CIFAR-10 table as a suite of runs: each entry is one net (a learning procedure at
// a depth) trained to its last epoch in DIR/<key> (resumable, reused when finished), then every
// classifier of it (the trained model's own: table-classifiers.ts) evaluated on the test images
// and on a subset of the training images it was trained on. The CLI builds the entries from the
// cifar-* presets (compare-cifar.ts) or the conv presets, one data set per preset
// (compare-conv.ts); tests build them from tiny nets.
import path from 'node:path';
import { subset, type DatasetSplits } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import { evaluate } from '../train/evaluate.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { runToFinish } from './compare-run.js';
import { tableClassifiers, type TableClassifier } from './table-classifiers.js';
import { talkMarkdownTable, talkTextTable, type TalkRow } from './talk-table.js';

export interface SuiteEntry {
  /** Sub-directory of the run, e.g. 'ff-min-ssq-2'. */
  key: string;
  algo: 'ff' | 'bp';
  /** The table's learning procedure: 'BP', 'FF min ssq', 'FF max ssq'. */
  procedure: string;
  hidden: number;
  config: Record<string, unknown>;
}


export interface SuiteOptions {
  /** Names the suite in the caption and compare.json (e.g. 'cifar-quick'). */
  name: string;
  entries: SuiteEntry[];
  /** The data every entry trains on, or each entry's own (a suite across data sets; called in entry order). */
  data: DatasetSplits | ((e: SuiteEntry) => Promise<DatasetSplits>);
  engine: Engine;
  outDir: string;
  /** Training images the train error is measured on: the first N of those each net trained on. */
  trainEvalCount: number;
  progress: boolean;
  log: (line: string) => void;
}

export interface SuiteRun {
  key: string;
  dir: string;
  algo: string;
  procedure: string;
  hidden: number;
  /** The data set it trained on, and its test set in words. */
  dataset: string;
  testDescription: string;
  /** The classifiers of the table, main one first. */
  classifiers: TableClassifier[];
  epochs: number;
  wallSeconds: number;
  secondsPerEpoch: number;
  trainCount: number;
  train: Record<string, number>;
  test: Record<string, number>;
}

export interface SuiteResult {
  runs: SuiteRun[];
  rows: TalkRow[];
  caption: string;
}

export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const { engine } = o;
  const dataOf = typeof o.data === 'function' ? o.data : async () => o.data as DatasetSplits;
  const runs: SuiteRun[] = [];
  for (const e of o.entries) {
    const data = await dataOf(e);
    const dir = path.join(o.outDir, e.key);
    const done = await runToFinish({ engine, algo: e.algo, config: e.config, dir, data, name: e.key, progress: o.progress, log: o.log });
    // Train error on the first images of those the net trained on (--train-subset N: the first N).
    const trained = Number(e.config.trainSubset ?? 0) > 0 ? Math.min(Number(e.config.trainSubset), data.train.count) : data.train.count;
    const trainSet = subset(data.train, 0, Math.min(o.trainEvalCount, trained));
    const train: Record<string, number> = {};
    const test: Record<string, number> = {};
    const classifiers = tableClassifiers(e.algo, done.model);
    // All modes on one image set, then on the other: a cwc net's per-layer modes then share one pass.
    for (const { mode } of classifiers) train[mode] = (await evaluate(done.model, trainSet, data.numClasses, mode)).errorRate;
    for (const { mode } of classifiers) test[mode] = (await evaluate(done.model, data.test, data.numClasses, mode)).errorRate;
    done.store.write('results.json', `${JSON.stringify({ epochs: done.epochs, trainSeconds: done.wallSeconds, engine: engine.name, test, train, trainCount: trainSet.count }, null, 2)}\n`);
    runs.push({
      key: e.key,
      dir,
      algo: e.algo,
      procedure: e.procedure,
      hidden: e.hidden,
      dataset: data.name,
      testDescription: data.testDescription,
      classifiers,
      epochs: done.epochs,
      wallSeconds: done.wallSeconds,
      secondsPerEpoch: done.secondsPerEpoch,
      trainCount: trainSet.count,
      train,
      test,
    });
  }

  // The talk's order: by data set (as the entries come), then by depth, then BP, FF min ssq,
  // FF max ssq as the entries come. A data column only when the suite has several.
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  const rows: TalkRow[] = [...runs]
    .sort((a, b) => datasets.indexOf(a.dataset) - datasets.indexOf(b.dataset) || a.hidden - b.hidden)
    .flatMap((r) =>
      r.classifiers.map(({ mode, testing }) => ({
        ...(datasets.length > 1 ? { dataset: r.dataset } : {}),
        procedure: r.procedure,
        testing,
        hidden: r.hidden,
        trainError: r.train[mode],
        testError: r.test[mode],
        epochs: r.epochs,
        wallSeconds: r.wallSeconds,
      })),
    );
  const trainCounts = [...new Set(runs.map((r) => r.trainCount))];
  const tests = datasets.map((d) => `${datasets.length > 1 ? `${d}: ` : ''}the ${runs.find((r) => r.dataset === d)!.testDescription}`);
  const caption =
    `${o.name} on ${datasets.join(', ')}: train error on the first ${trainCounts.join('/')} of the training images each net trained on, ` +
    `test error on ${tests.join('; ')}; engine ${engine.name}`;
  o.log('');
  o.log(caption);
  o.log(talkTextTable(rows));
  const report = { suite: o.name, dataset: datasets.join(', '), testDescription: tests.join('; '), engine: engine.name, caption, runs, rows };
  writeFileAtomic(path.join(o.outDir, 'compare.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(path.join(o.outDir, 'compare.md'), `${caption}\n\n${talkMarkdownTable(rows)}\n`);
  o.log(`\nwrote ${path.join(o.outDir, 'compare.json')} and ${path.join(o.outDir, 'compare.md')}`);
  return { runs, rows, caption };
}
