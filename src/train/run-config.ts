// What every trainable model (FF, backprop) is configured by: data, architecture, budget,
// optimizer, and the input shape a checkpoint records. The training machinery reads only
// these; each algorithm's own config (ff/config.ts, bp/config.ts) extends them.
import type { Centering } from '../data/centering.js';

export type OptimizerKind = 'smooth' | 'adam' | 'momentum';
export type ScheduleKind = 'hinton' | 'constant' | 'linear' | 'cosine';

export interface OptimizerConfig {
  optimizer: OptimizerKind;
  /** Hinton's gradient smoothing ("delay"): state ← s·state + (1−s)·g. */
  smoothing: number;
  momentum: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;
  /** Learning-rate gain over epochs: Hinton's constant-then-linear, constant, linear to 0, or cosine to lrFloor. */
  schedule: ScheduleKind;
  /** Cosine schedule only: the gain it decays to at the end of the run (fraction of lr). */
  lrFloor: number;
}

/** What every trainable model (FF, backprop) shares: data, architecture, budget, optimizer. */
export interface RunConfig extends OptimizerConfig {
  dataset: string;
  /** Hidden layer widths, e.g. [1000, 1000, 1000]. */
  layers: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  lr: number;
  /** L2 weight cost (not on biases). */
  weightCost: number;
  /** Training augmentation: shift by up to ±jitter pixels each way (0 = off). */
  jitter: number;
  /** Training augmentation after jitter: pad by `crop` zero pixels and take a random window of the image's size (0 = off). */
  crop: number;
  /** Training augmentation after crop: mirror each image left to right with probability 1/2. */
  flip: boolean;
  /** Train on all 60,000 MNIST training images (the validation set then overlaps). */
  trainOnAll: boolean;
  /** Text datasets: train on the paper's 217 strings, or on every piece of the book but the held-out ones (data/book-strings.ts). */
  textSplit: 'paper' | 'book';
  /** Subtract each channel's training-set mean from the images ('auto': colour images only). */
  center: Centering;
  /** Validate every N epochs (always after the last). 0 = only at the end. */
  evalEvery: number;
  /** Validation images used for the per-epoch line (0 = the whole validation set). */
  evalSubset: number;
  /** Train on the first N training images only (0 = all): quick runs of slow nets. */
  trainSubset: number;
  /**
   * Early stopping (0 = off): end the run when the first validation classifier's error has not
   * improved for this many validations, and keep the weights of the best one (train/early-stopping.ts).
   */
  earlyStop: number;
  /** Training augmentation after flip: zero each input value with this probability, scale the rest by 1/(1−p) (0 = off). */
  inputDropout: number;
  /**
   * Hidden-unit dropout in training steps: each hidden layer's output (after its ReLU, before
   * its objective and what reads it) zeroed with this probability, the rest scaled by 1/(1−p) (0 = off).
   */
  dropout: number;
  /**
   * Fully connected hidden layers, locally-connected maps of the image's H×W (SPEC §5), or
   * coarse grids of local receptive fields (SPEC §3's local net, train/grid-maps.ts).
   */
  connectivity: 'dense' | 'local' | 'grid' | 'conv';
  /** Locally connected and conv: K, the side of each unit's square window (odd). */
  window: number;
  /** Locally connected: units per map location (each hidden layer has H·W·C units). */
  mapChannels: number;
  /** Grid: window/stride/channels per hidden layer, e.g. '10/6/128,2/1/220,2/1/512'. */
  grid: string;
  /** Conv: 2×2 pooling (stride 2) after these 1-based hidden layers (null: none). */
  poolAfter: number[] | null;
  /** Conv: what that pooling keeps of each window. */
  pool: 'max' | 'avg';
  /** Conv: channel groups per hidden layer (null: 1 everywhere), e.g. [1, 2, 4, 4]. */
  convGroups: number[] | null;
  /** Conv: stride per hidden layer (null: 1 everywhere; padding stays K//2). */
  convStride: number[] | null;

  // Stages that are not learned (src/stages, SPEC §7): the same for FF and BP on one net.
  /** A black box (fixed random square matrix + ReLU) after this 1-based hidden layer (0 = none). */
  boxAfter: number;
  /** Per training step, the box's matrix takes a random-walk step of this size (× its initial std). */
  boxDrift: number;
  /** Simulated analog device (all 0 = an ideal digital one): which chip (its fixed variation). */
  device: number;
  /** σ of each hidden weight's fixed multiplicative variation on this chip. */
  analogVariation: number;
  /** σ of each hidden unit's fixed gain variation on this chip. */
  analogGain: number;
  /** σ of multiplicative noise on every unit's total input at every pass. */
  analogMulNoise: number;
  /** σ of additive noise on every unit's total input at every pass (× the input's RMS scale). */
  analogAddNoise: number;
  /** σ of multiplicative noise on every weight at every pass. */
  analogWeightNoise: number;
  /** Per training step, the chip's weight variation takes a multiplicative random-walk step of this σ. */
  analogDrift: number;
}

/** Defaults every model starts from (ffnew.m's values); each algorithm overrides what differs. */
export const RUN_DEFAULTS: RunConfig = {
  dataset: 'mnist',
  layers: [1000, 1000, 1000],
  epochs: 100,
  batchSize: 100,
  seed: 17,
  lr: 0.01,
  weightCost: 0.001,
  optimizer: 'smooth',
  smoothing: 0.9,
  momentum: 0.9,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-8,
  schedule: 'hinton',
  lrFloor: 0.1,
  jitter: 0,
  crop: 0,
  flip: false,
  trainOnAll: false,
  textSplit: 'paper',
  center: 'auto',
  evalEvery: 1,
  evalSubset: 0,
  trainSubset: 0,
  earlyStop: 0,
  inputDropout: 0,
  dropout: 0,
  connectivity: 'dense',
  window: 11,
  mapChannels: 3,
  grid: '',
  poolAfter: null,
  pool: 'max',
  convGroups: null,
  convStride: null,
  boxAfter: 0,
  boxDrift: 0,
  device: 1,
  analogVariation: 0,
  analogGain: 0,
  analogMulNoise: 0,
  analogAddNoise: 0,
  analogWeightNoise: 0,
  analogDrift: 0,
};

/** Checkpoints from before crop, flip and the cosine schedule: no crop, no flip (lrFloor is read by cosine only). */
export const BEFORE_CROP_FLIP_COSINE: Pick<RunConfig, 'crop' | 'flip' | 'lrFloor'> = { crop: 0, flip: false, lrFloor: RUN_DEFAULTS.lrFloor };

/** Checkpoints from before early stopping and input and hidden dropout: none of them. */
export const BEFORE_REGULARISATION: Pick<RunConfig, 'earlyStop' | 'inputDropout' | 'dropout'> = { earlyStop: 0, inputDropout: 0, dropout: 0 };

/** The images a model reads and the classes it tells apart. */
export interface InputShape {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}
