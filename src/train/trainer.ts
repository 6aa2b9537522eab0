// The training loop with run directories on disk (Node): `outDir` becomes a NodeRunStore.
// The loop itself, which runs anywhere, is train/training-loop.ts.
import type { DatasetSplits } from '../data/dataset.js';
import { readMetricsLog, truncateMetricsLog, type EpochMetrics } from './metrics-log.js';
import type { TrainableModel } from './model.js';
import { NodeRunStore } from './node-run-store.js';
import { train as trainLoop, type TrainOptions as LoopOptions, type TrainResult } from './training-loop.js';

export type { Checkpoint } from './checkpoint-format.js';
export type { EpochMetrics, TrainResult };
export type { TrainCallbacks } from './training-loop.js';

export interface TrainOptions extends LoopOptions {
  /** The run directory for checkpoints and metrics.jsonl (or give `store`); omitted = in memory only. */
  outDir?: string;
}

export function train(model: TrainableModel, data: DatasetSplits, opts: TrainOptions = {}): Promise<TrainResult> {
  const { outDir, ...rest } = opts;
  if (outDir && rest.store) throw new Error('train: give outDir or store, not both');
  return trainLoop(model, data, outDir ? { ...rest, store: new NodeRunStore(outDir) } : rest);
}

/** Keep DIR/metrics.jsonl consistent with a checkpoint taken after `epoch`. */
export function truncateMetrics(outDir: string, epoch: number): void {
  truncateMetricsLog(new NodeRunStore(outDir), epoch);
}

export function readMetrics(outDir: string): EpochMetrics[] {
  return readMetricsLog(new NodeRunStore(outDir));
}
