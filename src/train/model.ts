// What the one training loop needs from a model (FF or backprop). Models never print; the
// loop reports through callbacks and the CLI draws progress bars.
import type { Engine } from '../engine/engine.js';
import type { Rng } from '../engine/rng.js';
import type { InputShape, RunConfig } from './run-config.js';
import type { Checkpoint } from './checkpoint-format.js';
import type { ImageSet } from '../data/dataset.js';

export interface TrainBatch {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface TrainableModel {
  readonly algo: string;
  /** The engine it computes on (checkpoints record its name and BLAS thread count). */
  readonly engine: Engine;
  /** The one RNG stream of the run (shuffles, jitter, negatives); saved in checkpoints. */
  readonly rng: Rng;
  /** Data, architecture, budget and optimizer settings the loop reads (batch size, jitter, validation). */
  readonly cfg: RunConfig;
  /** The images it reads and the classes it tells apart (train() checks the data against them). */
  readonly shape: InputShape;
  /** Epochs in the whole run (greedy FF: epochs × layers). */
  readonly totalEpochs: number;
  /** Called before the batches of a 1-based epoch (greedy FF picks its layer here). */
  beginEpoch(epoch: number): void;
  /** Learning-rate gain at fraction `f` ∈ [0, 1) of a 1-based epoch: the schedule is per step. */
  gainAt(epoch: number, f: number): number;
  trainBatch(batch: TrainBatch, gain: number): Promise<void>;
  /**
   * A stage after each minibatch (`batch` of `batches`, 1-based) in which the model may learn
   * from data it makes itself (FF's sleep phase with self-generated negatives, SPEC §6), given
   * the training set and the minibatch's gain. The last one of an epoch runs before the
   * epoch's statistics and checkpoint, so a resume repeats nothing.
   */
  sleepPhase?(train: ImageSet, gain: number, batch: number, batches: number): Promise<void>;
  /** Per-epoch training statistics (means), then reset. */
  endEpoch(): Promise<Record<string, number | number[] | number[][]>>;
  /** Classifiers whose error the loop reports on the validation set each time it validates. */
  readonly validationModes: readonly string[];
  /** Classifier names this model offers (FF: softmax, goodness, shortlist; BP: output). */
  readonly classifiers: readonly string[];
  /** Predicted labels (and per-class scores, higher is better) for `count` images. */
  predict(images: Float32Array, count: number, mode: string, k?: number): Promise<{ predictions: Uint8Array; scores: Float32Array }>;
  /** Everything needed to resume bit-identically, except the trainer's own epoch counter. */
  toCheckpoint(): Promise<Checkpoint>;
}
