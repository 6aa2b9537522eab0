// The talk's CIFAR-10 table as a suite of runs: each entry is one net (a learning procedure at
// a depth) trained to its last epoch in DIR/<key> (resumable, reused when finished), then every
// classifier of it evaluated on the test images and on a subset of the training images it was
// trained on. The CLI builds the entries from the cifar-* presets (compare-cifar.ts); tests
// build them from tiny nets.
import path from 'node:path';
import { subset, type DatasetSplits } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { evaluate } from '../train/evaluate.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { runToFinish } from './compare-run.js';
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
  data: DatasetSplits;
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
  const { data, engine } = o;
  const runs: SuiteRun[] = [];
  for (const e of o.entries) {
    const dir = path.join(o.outDir, e.key);
    const done = await runToFinish({ engine, algo: e.algo, config: e.config, dir, data, name: e.key, progress: o.progress, log: o.log });
    // Train error on the first images of those the net trained on (--train-subset N: the first N).
    const trained = Number(e.config.trainSubset ?? 0) > 0 ? Math.min(Number(e.config.trainSubset), data.train.count) : data.train.count;
    const trainSet = subset(data.train, 0, Math.min(o.trainEvalCount, trained));
    const train: Record<string, number> = {};
    const test: Record<string, number> = {};
    for (const { mode } of getAlgorithm(e.algo).classifiers) {
      train[mode] = (await evaluate(done.model, trainSet, data.numClasses, mode)).errorRate;
      test[mode] = (await evaluate(done.model, data.test, data.numClasses, mode)).errorRate;
    }
    done.store.write('results.json', `${JSON.stringify({ epochs: done.epochs, trainSeconds: done.wallSeconds, engine: engine.name, test, train, trainCount: trainSet.count }, null, 2)}\n`);
    runs.push({
      key: e.key,
      dir,
      algo: e.algo,
      procedure: e.procedure,
      hidden: e.hidden,
      epochs: done.epochs,
      wallSeconds: done.wallSeconds,
      secondsPerEpoch: done.secondsPerEpoch,
      trainCount: trainSet.count,
      train,
      test,
    });
  }

  // The talk's order: by depth, then BP, FF min ssq, FF max ssq as the entries come.
  const rows: TalkRow[] = [...runs]
    .sort((a, b) => a.hidden - b.hidden)
    .flatMap((r) =>
      getAlgorithm(r.algo).classifiers.map(({ mode, testing }) => ({
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
  const caption =
    `${o.name} on ${data.name}: train error on the first ${trainCounts.join('/')} of the training images each net trained on, ` +
    `test error on the ${data.testDescription}; engine ${engine.name}`;
  o.log('');
  o.log(caption);
  o.log(talkTextTable(rows));
  const report = { suite: o.name, dataset: data.name, testDescription: data.testDescription, engine: engine.name, caption, runs, rows };
  writeFileAtomic(path.join(o.outDir, 'compare.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(path.join(o.outDir, 'compare.md'), `${caption}\n\n${talkMarkdownTable(rows)}\n`);
  o.log(`\nwrote ${path.join(o.outDir, 'compare.json')} and ${path.join(o.outDir, 'compare.md')}`);
  return { runs, rows, caption };
}
