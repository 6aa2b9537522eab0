// The one training loop, shared by FF, backprop and every experiment: shuffling, minibatches,
// augmentation, validation, per-epoch metrics, atomic checkpoints and resume. It owns no printing
// (callers watch it through callbacks) and no file system: run output goes to a RunStore, so
// the loop runs in a browser as in Node (train/trainer.ts maps a run directory to a store).
import type { DatasetSplits, ImageSet } from '../data/dataset.js';
import { imageSize, subset } from '../data/dataset.js';
import { augmentBatch } from '../data/augment-batch.js';
import { yieldToEventLoop } from '../util/yield-to-event-loop.js';
import { checkTrainingRun } from './api-checks.js';
import { arithmeticSettings } from './blas-threads.js';
import { CHECKPOINT_FILE, writeCheckpoint, type Checkpoint } from './checkpoint-format.js';
import { EarlyStopping } from './early-stopping.js';
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
  /** Early stopping (--early-stop): the best validation's epoch and checkpoint, whose weights the run keeps. */
  bestEpoch?: number;
  best?: Checkpoint;
  /** True when early stopping ended the run before its last epoch. */
  stoppedEarly?: boolean;
}

/** What one call of TrainingSession.step() did. */
export interface StepResult {
  /** 1-based epoch and minibatch just trained. */
  epoch: number;
  batch: number;
  batches: number;
  /** Present when this minibatch ended its epoch (validated, checkpointed, logged). */
  epochMetrics?: EpochMetrics;
  /** True when the run (or stopAfter) is over: further steps do nothing. */
  done: boolean;
}

/**
 * The loop, driven one minibatch at a time (a browser page calls step() from its own
 * animation or idle callbacks; train() below calls it in a loop). Minibatches, RNG use and
 * results are the same whichever way it is driven.
 */
export class TrainingSession {
  readonly batches: number;
  readonly metrics: EpochMetrics[] = [];
  private readonly D: number;
  private readonly order: Int32Array;
  private readonly batchImages: Float32Array;
  private readonly shifted: Float32Array;
  private readonly batchLabels: Uint8Array;
  private last: number;
  /** Early stopping, when the config asks for it (cfg.earlyStop > 0). */
  readonly early: EarlyStopping | undefined;
  /** True once early stopping has ended the run. */
  stoppedEarly = false;
  private readonly validCount: number;
  private readonly previous: EpochMetrics | undefined;
  private epoch: number;
  /** Next minibatch of the epoch (0 = the epoch has not started). */
  private batch = 0;
  private gainSum = 0;
  private epochStart = 0;
  private elapsed: number;

  constructor(
    readonly model: TrainableModel,
    readonly data: DatasetSplits,
    private readonly opts: TrainOptions = {},
  ) {
    // Once per run, before anything is allocated: batch size 0 would never end an epoch.
    checkTrainingRun(model, data, opts, 'train');
    const set = data.train;
    this.D = imageSize(set);
    if (set.targets && (set.count === 0 || set.targets.length % set.count !== 0)) throw new Error(`soft targets: ${set.targets.length} values for ${set.count} training images`);
    const B = model.cfg.batchSize;
    // --train-subset N: the first N training images only (quick runs of slow nets).
    const subset = model.cfg.trainSubset ?? 0;
    this.order = new Int32Array(subset > 0 ? Math.min(subset, set.count) : set.count);
    this.batchImages = new Float32Array(B * this.D);
    this.shifted = new Float32Array(B * this.D);
    this.batchLabels = new Uint8Array(B);
    this.batches = Math.ceil(this.order.length / B);
    this.epoch = opts.startEpoch ?? 1;
    this.elapsed = opts.elapsedBefore ?? 0;
    this.last = Math.min(model.totalEpochs, opts.stopAfter ?? Infinity);
    const n = model.cfg.evalSubset;
    this.validCount = n > 0 ? Math.min(n, data.valid.count) : data.valid.count;
    // After a resume, the last epoch before it (for the loss-jump check).
    const logged = opts.store && this.epoch > 1 ? readMetricsLog(opts.store) : [];
    this.previous = logged.at(-1);
    const patience = model.cfg.earlyStop ?? 0;
    this.early = patience > 0 ? new EarlyStopping(patience, model.validationModes[0]) : undefined;
    this.early?.resume(logged, opts.store, this.epoch - 1, CHECKPOINT_FILE);
  }

  /** The training images this run learns from (the first --train-subset of them, if set). */
  private get trainSet(): ImageSet {
    this.trainSetView ??= subset(this.data.train, 0, this.order.length);
    return this.trainSetView;
  }
  private trainSetView: ImageSet | undefined;

  /** True when every epoch up to the last (or stopAfter) is trained. */
  get done(): boolean {
    return this.epoch > this.last;
  }

  /** Last epoch this session trains to, and seconds trained so far (resumed runs included). */
  get lastEpoch(): number {
    return this.last;
  }
  get seconds(): number {
    return this.elapsed;
  }

  async step(): Promise<StepResult> {
    const { model, opts } = this;
    const set = this.data.train;
    if (this.done) return { epoch: this.last, batch: this.batches, batches: this.batches, done: true };
    if (this.batch === 0) {
      this.epochStart = performance.now();
      model.beginEpoch(this.epoch);
      this.gainSum = 0;
      opts.onEpochStart?.(this.epoch, model.totalEpochs, this.batches);
      for (let i = 0; i < this.order.length; i++) this.order[i] = i;
      model.rng.shuffle(this.order);
    }
    const b = this.batch;
    const B = model.cfg.batchSize;
    const D = this.D;
    const start = b * B;
    const count = Math.min(B, this.order.length - start);
    const targets = set.targets;
    const classes = targets ? targets.length / set.count : 0;
    for (let i = 0; i < count; i++) {
      const idx = this.order[start + i];
      this.batchImages.set(set.images.subarray(idx * D, (idx + 1) * D), i * D);
      // Soft targets (distillation): this presentation's label drawn from the teacher's outputs.
      this.batchLabels[i] = targets ? model.rng.categorical(targets, idx * classes, classes) : set.labels[idx];
    }
    // Jitter, then crop, then flip (data/augment-batch.ts); with all off, the images as read.
    const images = augmentBatch(this.batchImages.subarray(0, count * D), this.shifted, count, set.height, set.width, set.channels, model.cfg, model.rng);
    // The schedule is read at the middle of each step.
    const gain = model.gainAt(this.epoch, (b + 0.5) / this.batches);
    this.gainSum += gain;
    await model.trainBatch({ images, labels: this.batchLabels.subarray(0, count), count }, gain);
    if (model.sleepPhase) await model.sleepPhase(this.trainSet, gain, b + 1, this.batches);
    opts.onBatch?.(b + 1, this.batches);
    this.batch++;
    const result: StepResult = { epoch: this.epoch, batch: b + 1, batches: this.batches, done: false };
    if (this.batch === this.batches) {
      result.epochMetrics = await this.endEpoch();
      this.epoch++;
      this.batch = 0;
    }
    result.done = this.done;
    return result;
  }

  private async endEpoch(): Promise<EpochMetrics> {
    const { model, data, opts, epoch } = this;
    const stats = await model.endEpoch();
    const trainSeconds = (performance.now() - this.epochStart) / 1000;
    // The epoch's mean gain: for Hinton's schedule, ffnew.m's per-epoch value.
    const m: EpochMetrics = { epoch, seconds: trainSeconds, ...stats, gain: this.gainSum / this.batches };
    const due = epoch === model.totalEpochs || (model.cfg.evalEvery > 0 && epoch % model.cfg.evalEvery === 0);
    if (due) {
      const v0 = performance.now();
      const part = subset(data.valid, 0, this.validCount);
      m.valid = {};
      for (const mode of model.validationModes) m.valid[mode] = (await evaluate(model, part, data.numClasses, mode)).errorRate;
      m.validSeconds = (performance.now() - v0) / 1000;
    }
    this.elapsed += (performance.now() - this.epochStart) / 1000;
    m.elapsed = this.elapsed;
    assertFinite(m);
    const warnings = [
      ...lossWarnings(m, this.metrics.at(-1) ?? this.previous, data.numClasses),
      ...(m.valid ? chanceWarnings('valid', m.valid, data.numClasses, this.validCount) : []),
    ];
    if (warnings.length) m.warnings = warnings;
    const verdict = this.early?.judge(m);
    if (this.early) m.bestEpoch = this.early.bestEpoch;
    if (verdict === 'stop') {
      this.last = epoch;
      this.stoppedEarly = true;
    }
    this.metrics.push(m);
    const stamp = (ck: Checkpoint): Checkpoint => ({ ...ck, state: { ...ck.state, epoch, elapsed: this.elapsed, dataset: data.name, ...arithmeticSettings(model.engine) } });
    let ck: Checkpoint | undefined;
    if (verdict === 'best') this.early!.keep(stamp((ck = await model.toCheckpoint())));
    if (opts.store) {
      // The metrics line first (appended and synced), then the checkpoint's atomic rename: a
      // crash or full disk between the two leaves a line of an epoch the checkpoint does not
      // hold, which a resume drops (truncateMetricsLog) and writes again; never a checkpoint
      // whose epoch has no line.
      ck ??= await model.toCheckpoint();
      appendMetricsLog(opts.store, m);
      // The engine and BLAS thread count: a resume under others is not bit-identical (blas-threads.ts).
      writeCheckpoint(opts.store, stamp(ck));
      // After the checkpoint: a crash between the two leaves the checkpoint as the best (early-stopping.ts).
      if (verdict === 'best') this.early!.save(opts.store);
      // The finished run's checkpoint holds the best validation's weights (ff eval, ff generate
      // read it); a run paused by stopAfter keeps its own, to resume from.
      if (this.early && (this.stoppedEarly || epoch === model.totalEpochs) && this.early.bestEpoch !== epoch) {
        const best = this.early.best();
        if (best) writeCheckpoint(opts.store, { ...best, state: { ...best.state, epoch, elapsed: this.elapsed, bestEpoch: this.early.bestEpoch, earlyStopped: this.stoppedEarly } });
      }
    }
    await opts.onEpochEnd?.(m);
    return m;
  }
}

export async function train(model: TrainableModel, data: DatasetSplits, opts: TrainOptions = {}): Promise<TrainResult> {
  const session = new TrainingSession(model, data, opts);
  const pause = opts.yieldToEventLoop ?? yieldToEventLoop;
  while (!session.done) {
    await session.step();
    await pause();
  }
  const early = session.early;
  const best = early?.best();
  return {
    epochs: session.lastEpoch,
    seconds: session.seconds,
    metrics: session.metrics,
    ...(early && best ? { bestEpoch: early.bestEpoch, best, stoppedEarly: session.stoppedEarly } : {}),
  };
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
