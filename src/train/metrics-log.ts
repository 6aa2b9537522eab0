// metrics.jsonl: one JSON line per finished epoch, in a run store. After a resume it must
// agree with the checkpoint, so lines of epochs the checkpoint does not hold are dropped.
import type { RunStore } from './run-store.js';

export const METRICS_FILE = 'metrics.jsonl';

export interface EpochMetrics {
  epoch: number;
  seconds: number;
  gain: number;
  /** Validation error per classifier, when validated this epoch. */
  valid?: Record<string, number>;
  /** Signs that the run is not learning (train/health.ts): at chance, losses jumping. */
  warnings?: string[];
  [key: string]: unknown;
}

export function appendMetricsLog(store: RunStore, m: EpochMetrics): void {
  store.append(METRICS_FILE, `${JSON.stringify(m)}\n`);
}

export function readMetricsLog(store: RunStore): EpochMetrics[] {
  return lines(store).map((l) => JSON.parse(l) as EpochMetrics);
}

/** Keeps the lines of epochs up to `epoch` (those a checkpoint taken after it holds). */
export function truncateMetricsLog(store: RunStore, epoch: number): void {
  if (!store.read(METRICS_FILE)) return;
  const keep = lines(store).filter((l) => (JSON.parse(l) as EpochMetrics).epoch <= epoch);
  store.write(METRICS_FILE, keep.map((l) => `${l}\n`).join(''));
}

function lines(store: RunStore): string[] {
  const bytes = store.read(METRICS_FILE);
  if (!bytes) return [];
  return new TextDecoder().decode(bytes).split('\n').filter((l) => l.trim());
}
