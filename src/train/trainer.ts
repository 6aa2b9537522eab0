// The one training loop, shared by FF, backprop and every experiment: shuffling, minibatches,
// jitter, validation, per-epoch metrics, atomic checkpoints and resume. It owns no printing;
// callers watch it through callbacks.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DatasetSplits } from '../data/dataset.js';
import { imageSize, subset } from '../data/dataset.js';
import { jitterImages } from '../data/augment.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { chanceWarnings, lossWarnings } from './health.js';
import type { TrainableModel } from './model.js';

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

export interface TrainCallbacks {
  onEpochStart?: (epoch: number, totalEpochs: number, batches: number) => void;
  onBatch?: (done: number, batches: number) => void;
  onEpochEnd?: (m: EpochMetrics) => void | Promise<void>;
}

export interface TrainOptions extends TrainCallbacks {
  /** Where checkpoints and metrics.jsonl go; omitted = in memory only. */
  outDir?: string;
  /** First epoch to run (1-based); > 1 when resuming. */
  startEpoch?: number;
  /** Seconds of training already done before a resume (for wall-time totals). */
  elapsedBefore?: number;
  /** Stop after this epoch (for tests of interruption). */
  stopAfter?: number;
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
  let elapsed = opts.elapsedBefore ?? 0;
  const last = Math.min(model.totalEpochs, opts.stopAfter ?? Infinity);
  const n = model.cfg.evalSubset;
  const validCount = n > 0 ? Math.min(n, data.valid.count) : data.valid.count;
  // After a resume, the last epoch before it (for the loss-jump check).
  const previous = opts.outDir && (opts.startEpoch ?? 1) > 1 ? readMetrics(opts.outDir).at(-1) : undefined;

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
      // CPU engines resolve every read at once, so without this the event loop (Ctrl-C,
      // progress-bar timers) would not run until training ends.
      await yieldToEventLoop();
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
    if (opts.outDir) {
      // Checkpoint first: a crash between the two leaves a metrics line to drop on resume,
      // never a checkpoint without its metrics line.
      const ck = await model.toCheckpoint();
      saveCheckpoint(opts.outDir, { ...ck, state: { ...ck.state, epoch, elapsed, dataset: data.name } });
      appendFileSync(path.join(opts.outDir, 'metrics.jsonl'), `${JSON.stringify(m)}\n`);
    }
    await opts.onEpochEnd?.(m);
  }
  return { epochs: last, seconds: elapsed, metrics };
}

/** Keep metrics.jsonl consistent with a checkpoint taken after `epoch`. */
export function truncateMetrics(outDir: string, epoch: number): void {
  const file = path.join(outDir, 'metrics.jsonl');
  if (!existsSync(file)) return;
  const keep = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && (JSON.parse(line) as EpochMetrics).epoch <= epoch);
  writeFileAtomic(file, keep.map((l) => `${l}\n`).join(''));
}

export function readMetrics(outDir: string): EpochMetrics[] {
  const file = path.join(outDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochMetrics);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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

export type { Checkpoint };
