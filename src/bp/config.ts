// Every knob of the backprop baseline (SPEC §8): a fully connected ReLU MLP with a softmax
// output and cross-entropy, trained by the same engine, optimizers, schedule, jitter and
// training loop as FF, so that FF-vs-BP tables compare learning rules and nothing else.
import type { OptimizerConfig } from '../ff/config.js';
import type { OptionSpec } from '../train/options.js';

export interface BPConfig extends OptimizerConfig {
  algo: 'bp';
  dataset: string;
  /** Hidden layer widths, e.g. [1000, 1000, 1000]. */
  layers: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  lr: number;
  /** L2 weight cost (not on biases); see the optimizer for how it enters the step. */
  weightCost: number;
  /** Training augmentation: shift by up to ±jitter pixels each way (0 = off). */
  jitter: number;
  /** Train on all 60,000 MNIST training images (the validation set then overlaps). */
  trainOnAll: boolean;
  /** Validate every N epochs (always after the last). 0 = only at the end. */
  evalEvery: number;
  /** Validation images used for the per-epoch line (0 = the whole validation set). */
  evalSubset: number;
  /** Input as plain pixels ('none') or divided by each image's root-mean-square ('rms', as FF). */
  inputNorm: 'none' | 'rms';
}

/**
 * The recipe: SGD with momentum 0.9 (PyTorch convention: v ← 0.9·v + g + wc·w, w ← w − lr·v),
 * lr 0.1, weight decay 5e-4 on the weights (not the biases), Hinton's schedule (constant for
 * the first half, then linear decay to ~0), batch 100, plain pixels, 30 epochs. Presets take
 * the architecture and epoch budget of their FF part (same budget for FF-vs-BP tables).
 */
export const BP_DEFAULTS: BPConfig = {
  algo: 'bp',
  dataset: 'mnist',
  layers: [1000, 1000, 1000],
  epochs: 30,
  batchSize: 100,
  seed: 17,
  lr: 0.1,
  weightCost: 5e-4,
  optimizer: 'momentum',
  smoothing: 0.9,
  momentum: 0.9,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-8,
  schedule: 'hinton',
  jitter: 0,
  trainOnAll: false,
  evalEvery: 1,
  evalSubset: 0,
  inputNorm: 'none',
};

export const BP_OPTION_SPECS: Record<keyof Omit<BPConfig, 'algo'>, OptionSpec> = {
  dataset: { kind: 'string', help: 'mnist, fashion-mnist or cifar-10' },
  layers: { kind: 'list', help: 'hidden layer widths, e.g. 1000,1000,1000' },
  epochs: { kind: 'int', min: 1, max: 100000, help: 'training epochs' },
  batchSize: { kind: 'int', min: 1, max: 100000, help: 'minibatch size' },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'random seed' },
  lr: { kind: 'number', min: 0, max: 100, help: 'learning rate' },
  weightCost: { kind: 'number', min: 0, max: 10, help: 'L2 weight cost (not on biases)' },
  optimizer: { kind: 'enum', values: ['smooth', 'adam', 'momentum'], help: "momentum (SGD), smooth (Hinton's smoothed gradient), adam" },
  smoothing: { kind: 'number', min: 0, max: 0.9999, help: 'gradient smoothing of the smooth optimizer' },
  momentum: { kind: 'number', min: 0, max: 0.9999, help: 'momentum of the momentum optimizer' },
  adamBeta1: { kind: 'number', min: 0, max: 0.9999, help: 'Adam β1' },
  adamBeta2: { kind: 'number', min: 0, max: 0.999999, help: 'Adam β2' },
  adamEps: { kind: 'number', min: 0, max: 1, help: 'Adam ε' },
  schedule: { kind: 'enum', values: ['hinton', 'constant', 'linear'], help: 'learning-rate gain over epochs' },
  jitter: { kind: 'int', min: 0, max: 10, help: 'shift training images by up to ±J pixels' },
  trainOnAll: { kind: 'bool', help: 'train on all 60,000 training images (validation then overlaps)' },
  evalEvery: { kind: 'int', min: 0, max: 100000, help: 'validate every N epochs (0 = only at the end)' },
  evalSubset: { kind: 'int', min: 0, max: 10000000, help: 'validation images per check (0 = all)' },
  inputNorm: { kind: 'enum', values: ['none', 'rms'], help: 'plain pixels, or each image divided by its RMS (as FF does)' },
};
