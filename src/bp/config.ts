// Every knob of the backprop baseline (SPEC §8): a fully connected ReLU MLP with a softmax
// output and cross-entropy, trained by the same engine, optimizers, schedule, jitter and
// training loop as FF, so that FF-vs-BP tables compare learning rules and nothing else.
import { RUN_DEFAULTS, type RunConfig } from '../ff/config.js';
import { RUN_OPTION_SPECS, type OptionSpec } from '../train/options.js';
import type { BoxModelKind } from './box-model.js';

export interface BPConfig extends RunConfig {
  algo: 'bp';
  /** Input as plain pixels ('none') or divided by each image's root-mean-square ('rms', as FF). */
  inputNorm: 'none' | 'rms';
  /** Conv nets: the normalization between layers, as FF's (only 'group' is implemented for backprop; dense nets keep 'rms' and use inputNorm). */
  norm: 'rms' | 'l2' | 'group';
  /** GroupNorm: channel groups of every hidden map (the image is one group). */
  normGroups: number;
  /** With a black box (--box-after): what backprop uses for the box's backward (bp/box-model.ts). */
  boxModel: BoxModelKind;
  /** Learning rate of the learned box model (SGD on its squared error). */
  boxModelLr: number;
}

/**
 * The recipe: SGD with momentum 0.9 (PyTorch convention: v ← 0.9·v + g + wc·w, w ← w − lr·v),
 * lr 0.1, weight decay 5e-4 on the weights (not the biases), Hinton's schedule (constant for
 * the first half, then linear decay to ~0), batch 100, plain pixels, 30 epochs. Presets take
 * the architecture and epoch budget of their FF part (same budget for FF-vs-BP tables).
 */
export const BP_DEFAULTS: BPConfig = {
  ...RUN_DEFAULTS,
  algo: 'bp',
  epochs: 30,
  lr: 0.1,
  weightCost: 5e-4,
  optimizer: 'momentum',
  inputNorm: 'none',
  norm: 'rms',
  normGroups: 1,
  boxModel: 'oracle',
  boxModelLr: 1,
};

export const BP_OPTION_SPECS: Record<keyof Omit<BPConfig, 'algo'>, OptionSpec> = {
  ...RUN_OPTION_SPECS,
  optimizer: { kind: 'enum', values: ['smooth', 'adam', 'momentum'], help: "momentum (SGD), smooth (Hinton's smoothed gradient), adam" },
  inputNorm: { kind: 'enum', values: ['none', 'rms'], help: 'plain pixels, or each image divided by its RMS (as FF does)' },
  norm: { kind: 'enum', values: ['rms', 'l2', 'group'], help: "conv nets: normalization between layers, as FF's (backprop implements group: GroupNorm of the image as one group and of each pooled map)" },
  normGroups: { kind: 'int', min: 1, max: 100000, help: 'group norm: channel groups of each hidden map' },
  boxModel: { kind: 'enum', values: ['oracle', 'identity', 'stale', 'learned'], help: "black box: backprop through its true derivative (oracle), the identity, the matrix as it was at the start (stale), or a model of it learned online (learned)" },
  boxModelLr: { kind: 'number', min: 0, max: 2, help: 'step of the learned box model toward its least-squares fit (1: all the way)' },
};
