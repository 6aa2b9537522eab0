// One run of a comparison (`ff compare`): train it in its own run directory, continue it from
// its checkpoint after an interruption, or reuse it when it has finished; then summarise it.
// Shared by the per-preset comparison (compare.ts) and the CIFAR-10 table (compare-cifar.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DatasetSplits } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../train/checkpoint-format.js';
import { readMetricsLog, truncateMetricsLog, type EpochMetrics } from '../train/metrics-log.js';
import type { TrainableModel } from '../train/model.js';
import { NodeRunStore } from '../train/node-run-store.js';
import { train } from '../train/training-loop.js';
import { writeEngineNotice } from './engine-info.js';
import { epochProgress, formatEpochLine, runTimeLeft, trainCountText } from './progress.js';

export interface FinishedRun {
  model: TrainableModel;
  store: NodeRunStore;
  /** Epochs in the metrics log (all sessions). */
  epochs: number;
  /** Training plus per-epoch validation, all sessions of the run together. */
  wallSeconds: number;
  /** Mean training seconds per epoch (validation excluded). */
  secondsPerEpoch: number;
}

export interface RunToFinishOptions {
  engine: Engine;
  algo: string;
  config: Record<string, unknown>;
  dir: string;
  data: DatasetSplits;
  /** How the run is named in progress lines. */
  name: string;
  progress: boolean;
  log: (line: string) => void;
}

/** Train (or continue, or reuse) one run to its last epoch. */
export async function runToFinish(o: RunToFinishOptions): Promise<FinishedRun> {
  const { engine, config, dir, data, log } = o;
  const store = new NodeRunStore(dir);
  const { model, startEpoch, elapsedBefore } = openRun(engine, o.algo, config, store, data);
  const total = model.totalEpochs;
  if (startEpoch <= total) {
    log(
      `${startEpoch > 1 ? 'resuming' : 'training'} ${o.name} (${(config.layers as number[]).join('-')}) on ${data.name} ` +
        `(${trainCountText(Number(config.trainSubset ?? 0), data.train.count)} train / ${data.valid.count} valid), engine ${engine.name}, ${total} epoch${total === 1 ? '' : 's'}` +
        `${startEpoch > 1 ? `, from epoch ${startEpoch}` : ''} → ${dir}`,
    );
    writeEngineNotice();
    const progress = epochProgress(o.progress);
    const timeLeft = runTimeLeft(total);
    await train(model, data, {
      store,
      startEpoch,
      elapsedBefore,
      onEpochStart: progress.start,
      onBatch: progress.update,
      onEpochEnd: (m: EpochMetrics) => {
        progress.stop();
        log(`${o.name}  ${formatEpochLine(m, total, timeLeft(m))}`);
      },
    });
  } else {
    log(`${o.name}: ${dir} already holds the finished run; evaluating it`);
  }
  const metrics = readMetricsLog(store);
  return {
    model,
    store,
    epochs: metrics.length,
    wallSeconds: Number(metrics.at(-1)?.elapsed ?? 0),
    secondsPerEpoch: metrics.reduce((a, m) => a + m.seconds, 0) / Math.max(1, metrics.length),
  };
}

/** JSON with sorted keys, to compare configurations. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A fresh model, or the model in dir's checkpoint when it is the same configuration. */
function openRun(
  engine: Engine,
  algoName: string,
  config: Record<string, unknown>,
  store: NodeRunStore,
  data: DatasetSplits,
): { model: TrainableModel; startEpoch: number; elapsedBefore: number } {
  const dir = store.location;
  const algo = getAlgorithm(algoName);
  if (!existsSync(path.join(dir, CHECKPOINT_FILE))) {
    // A crash in the first epoch can leave its metrics line without a checkpoint (it is written first).
    truncateMetricsLog(store, 0);
    return { model: algo.create(engine, config, data), startEpoch: 1, elapsedBefore: 0 };
  }
  const ck = readCheckpoint(store);
  if (ck.algo !== algoName || canonical(ck.config) !== canonical(config)) {
    throw new Error(`${dir} holds a different ${ck.algo} run (other options or epochs); choose another --out`);
  }
  const epoch = Number(ck.state.epoch);
  truncateMetricsLog(store, epoch);
  return { model: algo.fromCheckpoint(engine, ck), startEpoch: epoch + 1, elapsedBefore: Number(ck.state.elapsed ?? 0) };
}
