// `ff compare --preset conv` (or conv-quick): FF with the channel-wise competitive objective and
// backprop on the same convolutional nets of the three image data sets — presets cifar-conv,
// mnist-conv and fashion-conv (their -quick versions for conv-quick), each trained by both
// algorithms in DIR/<preset>-ff and DIR/<preset>-bp, resumable and reused once finished. The
// FF rows are its class-group classifiers ('groups' and each layer alone), the BP rows its
// output layer; one table with a data column, printed and written as DIR/compare.json and .md.
import path from 'node:path';
import type { DatasetSplits } from '../data/dataset.js';
import { loadDataset, runDataOptions } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { inClaimedDir } from './claimed-dir.js';
import { TRAIN_EVAL_COUNT } from './compare-cifar.js';
import { runSuite, type SuiteEntry, type SuiteResult } from './compare-suite.js';
import { JOB_FILES } from './job-files.js';

/** The conv suites `ff compare --preset` accepts. */
export const CONV_SUITES = ['conv', 'conv-quick'] as const;

/** The conv presets of the suite 'conv', in table order. */
export const CONV_PRESETS = ['cifar-conv', 'mnist-conv', 'fashion-conv'] as const;

export interface ConvCompareOptions {
  preset: string;
  epochs?: number;
  out?: string;
  dataDir?: string;
  progress: boolean;
}

export function isConvSuite(name: string): boolean {
  return (CONV_SUITES as readonly string[]).includes(name);
}

/** FF and BP on each conv preset (the -quick ones for 'conv-quick'). */
export function convSuiteEntries(suite: string, epochs?: number): SuiteEntry[] {
  if (!isConvSuite(suite)) throw new Error(`unknown conv suite '${suite}' (choose ${CONV_SUITES.join(', ')})`);
  const variant = suite.slice('conv'.length); // '' or '-quick'
  const entries: SuiteEntry[] = [];
  for (const base of CONV_PRESETS) {
    const preset = `${base}${variant}`;
    for (const [algo, procedure] of [['ff', 'FF cwc'], ['bp', 'BP']] as const) {
      const config: Record<string, unknown> = { ...getAlgorithm(algo).presetConfig(preset), preset };
      if (epochs !== undefined) config.epochs = epochs;
      entries.push({ key: `${preset}-${algo}`, algo, procedure, hidden: (config.layers as number[]).length, config });
    }
  }
  return entries;
}

/**
 * Each entry's data set, loaded when the first entry on it comes and kept while the entries
 * after it read the same (the suite lists a preset's FF and BP runs together): one data set in
 * memory at a time.
 */
export function dataPerEntry(dataDir: string | undefined, load = loadDataset): (e: SuiteEntry) => Promise<DatasetSplits> {
  let held: { key: string; data: DatasetSplits } | undefined;
  return async (e) => {
    const opts = runDataOptions(e.config, dataDir);
    const key = JSON.stringify([e.config.dataset, opts]);
    if (held?.key !== key) {
      held = undefined; // let the previous data set go before the next one loads
      held = { key, data: await load(String(e.config.dataset), opts) };
    }
    return held.data;
  };
}

export async function runConvCompare(o: ConvCompareOptions): Promise<SuiteResult> {
  const entries = convSuiteEntries(o.preset, o.epochs);
  const engine = getEngine();
  return inClaimedDir(
    o.out ?? path.join('runs', `compare-${o.preset}`),
    async (outDir) =>
      runSuite({
        name: o.preset,
        entries,
        data: dataPerEntry(o.dataDir),
        engine,
        outDir,
        trainEvalCount: TRAIN_EVAL_COUNT,
        progress: o.progress,
        log: (s) => process.stdout.write(`${s}\n`),
      }),
    { names: [...entries.map((e) => e.key), 'compare.json', 'compare.md', ...JOB_FILES], what: `a ${o.preset} comparison` },
  );
}
