// `ff compare --preset cifar` (or cifar-short, cifar-quick): the talk's CIFAR-10 table — BP, FF min-ssq and
// FF max-ssq on 2 and 3 locally-connected hidden maps (presets cifar-bp-N, cifar-ff-N, the
// latter with goodness max-ssq for the third net), six runs in DIR/<procedure>-<N>, each
// resumable and reused once finished; printed and written as DIR/compare.json and compare.md.
import path from 'node:path';
import { loadDataset } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { inClaimedDir } from './claimed-dir.js';
import { JOB_FILES } from './job-files.js';
import { runSuite, type SuiteEntry, type SuiteResult } from './compare-suite.js';

/** The suites `ff compare --preset` accepts besides single presets. */
export const CIFAR_SUITES = ['cifar', 'cifar-short', 'cifar-quick'] as const;

/** Train error is measured on the first 1,000 training images, as many as the test images. */
export const TRAIN_EVAL_COUNT = 1000;

export interface CifarCompareOptions {
  preset: string;
  epochs?: number;
  out?: string;
  dataDir?: string;
  progress: boolean;
}

export function isCifarSuite(name: string): boolean {
  return (CIFAR_SUITES as readonly string[]).includes(name);
}

/** The six nets of the table, from the presets (with -quick / -short for 'cifar-quick' / 'cifar-short'). */
export function cifarSuiteEntries(suite: string, epochs?: number): SuiteEntry[] {
  const variant = suite === 'cifar' ? '' : suite.slice('cifar'.length); // '', '-short', '-quick'
  const entries: SuiteEntry[] = [];
  for (const hidden of [2, 3]) {
    const nets = [
      { key: `bp-${hidden}`, algo: 'bp', procedure: 'BP', preset: `cifar-bp-${hidden}${variant}`, extra: {} },
      { key: `ff-min-ssq-${hidden}`, algo: 'ff', procedure: 'FF min ssq', preset: `cifar-ff-${hidden}${variant}`, extra: { goodness: 'min-ssq' } },
      { key: `ff-max-ssq-${hidden}`, algo: 'ff', procedure: 'FF max ssq', preset: `cifar-ff-${hidden}${variant}`, extra: { goodness: 'max-ssq' } },
    ] as const;
    for (const n of nets) {
      const config: Record<string, unknown> = { ...getAlgorithm(n.algo).presetConfig(n.preset), ...n.extra, preset: n.preset };
      if (epochs !== undefined) config.epochs = epochs;
      entries.push({ key: n.key, algo: n.algo, procedure: n.procedure, hidden, config });
    }
  }
  return entries;
}

export async function runCifarCompare(o: CifarCompareOptions): Promise<SuiteResult> {
  const entries = cifarSuiteEntries(o.preset, o.epochs);
  const engine = getEngine();
  return inClaimedDir(o.out ?? path.join('runs', `compare-${o.preset}`), async (outDir) => {
    // All six nets read the same data (CIFAR-10, 45,000 train / 5,000 valid).
    const c = entries[0].config;
    const data = await loadDataset(String(c.dataset), { dataDir: o.dataDir, trainOnAll: Boolean(c.trainOnAll) });
    return runSuite({
      name: o.preset,
      entries,
      data,
      engine,
      outDir,
      trainEvalCount: TRAIN_EVAL_COUNT,
      progress: o.progress,
      log: (s) => process.stdout.write(`${s}\n`),
    });
  }, { names: [...entries.map((e) => e.key), 'compare.json', 'compare.md', ...JOB_FILES], what: `a ${o.preset} comparison` });
}
