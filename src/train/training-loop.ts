// The one training loop, shared by FF, backprop and every experiment: shuffling, minibatches,
// jitter, validation, per-epoch metrics, atomic checkpoints and resume. It owns no printing
// (callers watch it through callbacks) and no file system: run output goes to a RunStore, so
// the loop runs in a browser as in Node (train/trainer.ts maps a run directory to a store).
import type { DatasetSplits } from '../data/dataset.js';
import { imageSize, subset } from '../data/dataset.js';
import { jitterImages } from '../data/augment.js';
import { yieldToEventLoop } from '../util/yield-to-event-loop.js';
import { writeCheckpoint } from './checkpoint-format.js';
import { evaluate } from './evaluate.js';
import { chanceWarnings, lossWarnings } from './health.js';
import { appendMetricsLog, readMetricsLog, type EpochMetrics } from './metrics-log.js';
import type { TrainableModel } from './model.js';
import type { RunStore } from './run-store.js';

export type { EpochMetrics };

export interface TrainCallbacks {
  onEpochStart?: (epoch: number, totalEpochs: number, batches: number) => void;
  onBatch?: (done: number, batches: number) => void;
  onEpochEnd?: (m: EpochMetrics) => void | Promise<void>;
}

export interface TrainOptions extends TrainCallbacks {
  /** Where the checkpoint, config.json and metrics.jsonl go after each epoch; omitted = nowhere. */
  store?: RunStore;
  /** First epoch to run (1-based); > 1 when resuming. */
  startEpoch?: number;
  /** Seconds of training already done before a resume (for wall-time totals). */
  elapsedBefore?: number;
  /** Stop after this epoch (for tests of interruption). */
  stopAfter?: number;
  /** Awaited after every minibatch so other work can run; default: util/yield-to-event-loop.ts. */
  yieldToEventLoop?: () => Promise<void>;
}

export interface TrainResult {
  epochs: number;
  seconds: number;
  metrics: EpochMetrics[];
}

export async function train(model: TrainableModel, data: DatasetSplits, opts: TrainOptions = {}): Promise<TrainResult> {
  const set = data.train;
  const D = imageSize(set);
  const B = model.cfg.batchSize;
  const order = new Int32Array(set.count);
  const batchImages = new Float32Array(B * D);
  const shifted = new Float32Array(B * D);
  const batchLabels = new Uint8Array(B);
  const batches = Math.ceil(set.count / B);
  const metrics: EpochMetrics[] = [];
  const store = opts.store;
  const pause = opts.yieldToEventLoop ?? yieldToEventLoop;
  let elapsed = opts.elapsedBefore ?? 0;
  const last = Math.min(model.totalEpochs, opts.stopAfter ?? Infinity);
  const n = model.cfg.evalSubset;
  const validCount = n > 0 ? Math.min(n, data.valid.count) : data.valid.count;
  // After a resume, the last epoch before it (for the loss-jump check).
  const previous = store && (opts.startEpoch ?? 1) > 1 ? readMetricsLog(store).at(-1) : undefined;

  for (let epoch = opts.startEpoch ?? 1; epoch <= last; epoch++) {
    const t0 = performance.now();
    model.beginEpoch(epoch);
    let gainSum = 0;
    opts.onEpochStart?.(epoch, model.totalEpochs, batches);
    for (let i = 0; i < set.count; i++) order[i] = i;
    model.rng.shuffle(order);
    for (let b = 0; b < batches; b++) {
      const start = b * B;
      const count = Math.min(B, set.count - start);
      for (let i = 0; i < count; i++) {
        const idx = order[start + i];
        batchImages.set(set.images.subarray(idx * D, (idx + 1) * D), i * D);
        batchLabels[i] = set.labels[idx];
      }
      let images = batchImages.subarray(0, count * D);
      if (model.cfg.jitter > 0) {
        jitterImages(images, shifted, count, set.height, set.width, set.channels, model.cfg.jitter, model.rng);
        images = shifted.subarray(0, count * D);
      }
      // The schedule is read at the middle of each step.
      const gain = model.gainAt(epoch, (b + 0.5) / batches);
      gainSum += gain;
      await model.trainBatch({ images, labels: batchLabels.subarray(0, count), count }, gain);
      opts.onBatch?.(b + 1, batches);
      await pause();
    }
    const stats = await model.endEpoch();
    const trainSeconds = (performance.now() - t0) / 1000;
    // The epoch's mean gain: for Hinton's schedule, ffnew.m's per-epoch value.
    const m: EpochMetrics = { epoch, seconds: trainSeconds, ...stats, gain: gainSum / batches };
    const due = epoch === model.totalEpochs || (model.cfg.evalEvery > 0 && epoch % model.cfg.evalEvery === 0);
    if (due) {
      const v0 = performance.now();
      const part = subset(data.valid, 0, validCount);
      m.valid = {};
      for (const mode of model.validationModes) m.valid[mode] = (await evaluate(model, part, data.numClasses, mode)).errorRate;
      m.validSeconds = (performance.now() - v0) / 1000;
    }
    elapsed += (performance.now() - t0) / 1000;
    m.elapsed = elapsed;
    assertFinite(m);
    const warnings = [
      ...lossWarnings(m, metrics.at(-1) ?? previous, data.numClasses),
      ...(m.valid ? chanceWarnings('valid', m.valid, data.numClasses, validCount) : []),
    ];
    if (warnings.length) m.warnings = warnings;
    metrics.push(m);
    if (store) {
      // Checkpoint first: a crash between the two leaves a metrics line to drop on resume,
      // never a checkpoint without its metrics line.
      const ck = await model.toCheckpoint();
      writeCheckpoint(store, { ...ck, state: { ...ck.state, epoch, elapsed, dataset: data.name } });
      appendMetricsLog(store, m);
    }
    await opts.onEpochEnd?.(m);
  }
  return { epochs: last, seconds: elapsed, metrics };
}

/** A diverged run must stop loudly, not continue silently with NaN weights. */
function assertFinite(m: EpochMetrics): void {
  const bad = Object.entries(m).find(([, v]) =>
    Array.isArray(v) ? v.some((x) => typeof x === 'number' && !Number.isFinite(x)) : typeof v === 'number' && !Number.isFinite(v),
  );
  if (bad) {
    throw new Error(`training diverged at epoch ${m.epoch}: ${bad[0]} is not finite (try a smaller learning rate)`);
  }
}
