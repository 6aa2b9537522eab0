// Error rate, confusion matrix and throughput of a model's classifier on a set of images.
import type { ImageSet } from '../data/dataset.js';
import { checkEvaluationSet } from './api-checks.js';
import type { TrainableModel } from './model.js';

export interface Evaluation {
  mode: string;
  count: number;
  errors: number;
  errorRate: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  examplesPerSecond: number;
  seconds: number;
  /** Mean −log₂ p(true label), for classifiers whose scores are probabilities (softmax, output, probes). */
  bitsPerCase?: number;
}

/** Classifiers whose scores are a probability distribution over the labels. */
export function scoresAreProbabilities(mode: string): boolean {
  return mode === 'softmax' || mode === 'output' || mode.startsWith('probe') || mode.startsWith('groups');
}

export async function evaluate(model: Pick<TrainableModel, 'predict'>, set: ImageSet, numClasses: number, mode: string, k?: number): Promise<Evaluation> {
  checkEvaluationSet(set, numClasses, 'evaluate');
  const t0 = performance.now();
  const { predictions, scores } = await model.predict(set.images, set.count, mode, k);
  const seconds = (performance.now() - t0) / 1000;
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let errors = 0;
  let bits = 0;
  for (let i = 0; i < set.count; i++) {
    confusion[set.labels[i]][predictions[i]]++;
    if (predictions[i] !== set.labels[i]) errors++;
    bits -= Math.log2(Math.max(1e-30, scores[i * numClasses + set.labels[i]]));
  }
  const out: Evaluation = { mode, count: set.count, errors, errorRate: errors / set.count, confusion, examplesPerSecond: set.count / seconds, seconds };
  if (scoresAreProbabilities(mode) && set.count > 0) out.bitsPerCase = bits / set.count;
  return out;
}

export function formatConfusion(c: number[][], names?: string[]): string {
  const n = c.length;
  const w = Math.max(5, ...c.flat().map((v) => String(v).length + 1));
  const label = (i: number) => (names?.[i] ?? String(i)).slice(0, w - 1);
  const head = `${'true\\pred'.padEnd(10)}${Array.from({ length: n }, (_, j) => label(j).padStart(w)).join('')}`;
  const rows = c.map((row, i) => `${label(i).padEnd(10)}${row.map((v) => String(v).padStart(w)).join('')}`);
  return [head, ...rows].join('\n');
}
