// Error rate, confusion matrix and throughput of a model's classifier on a set of images.
import type { ImageSet } from '../data/dataset.js';
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
}

export async function evaluate(model: TrainableModel, set: ImageSet, numClasses: number, mode: string, k?: number): Promise<Evaluation> {
  const t0 = performance.now();
  const { predictions } = await model.predict(set.images, set.count, mode, k);
  const seconds = (performance.now() - t0) / 1000;
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let errors = 0;
  for (let i = 0; i < set.count; i++) {
    confusion[set.labels[i]][predictions[i]]++;
    if (predictions[i] !== set.labels[i]) errors++;
  }
  return { mode, count: set.count, errors, errorRate: errors / set.count, confusion, examplesPerSecond: set.count / seconds, seconds };
}

export function formatConfusion(c: number[][], names?: string[]): string {
  const n = c.length;
  const w = Math.max(5, ...c.flat().map((v) => String(v).length + 1));
  const label = (i: number) => (names?.[i] ?? String(i)).slice(0, w - 1);
  const head = `${'true\\pred'.padEnd(10)}${Array.from({ length: n }, (_, j) => label(j).padStart(w)).join('')}`;
  const rows = c.map((row, i) => `${label(i).padEnd(10)}${row.map((v) => String(v).padStart(w)).join('')}`);
  return [head, ...rows].join('\n');
}
