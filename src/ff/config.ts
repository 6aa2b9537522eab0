// Every knob of supervised FF (SPEC §1–§2). Defaults are the values of Hinton's ffnew.m.
import { RUN_DEFAULTS, type RunConfig } from '../train/run-config.js';
import type { GoodnessSign, ObjectiveName } from './objectives/objective.js';

export { RUN_DEFAULTS };
export type { OptimizerConfig, OptimizerKind, RunConfig, ScheduleKind } from '../train/run-config.js';

export type { GoodnessSign };
/** How the label of a negative case is drawn (negative-source.ts); teacher-forced may draw the true one. */
export type NegativeKind = 'hard' | 'random' | 'teacher-forced' | 'self-generated';
/** Where negative data comes from: the image with a wrong label, or hybrids of two images (no labels). */
export type NegativeData = 'wrong-label' | 'hybrid';

export interface FFConfig extends RunConfig {
  algo: 'ff';

  // Goodness and the per-layer objective.
  goodness: GoodnessSign;
  /** Σ y² (2) or the unsquared Σ y (1). */
  goodnessPower: 1 | 2;
  /** 'sum' over units, or 'mean' (then θ defaults to 1 instead of the layer width). */
  goodnessReduce: 'sum' | 'mean';
  /** θ; null means "layer width" for sum, 1 for mean (mean-square goodness 1 either way). */
  threshold: number | null;
  temperature: number;
  /** The layer objective (objectives/): 'logistic' per case (Hinton) or the symmetric pairwise SymBa loss on G⁺ − G⁻. */
  loss: ObjectiveName;
  symbaAlpha: number;
  /** Keep the factor 2 of d(y²)/dy; Hinton's code drops it (absorbed in the learning rate). */
  exactGradient: boolean;
  /** Between layers: RMS or L2 per row, or GroupNorm (conv maps; the image as one group). */
  norm: 'rms' | 'l2' | 'group';
  /** GroupNorm: channel groups of every hidden map. */
  normGroups: number;

  peerLambda: number;
  peerDecay: number;
  peerInit: number;

  // Labels and negatives.
  /** Where the label enters the input: over the first N pixels, N extra units, or by channels. */
  labelInput: 'auto' | 'pixels' | 'extra';
  labelStrength: number;
  /** 'wrong-label' (supervised, SPEC §2) or 'hybrid' (unsupervised, SPEC §3: no label input at all). */
  negativeData: NegativeData;
  /** wrong-label: how the negative case's label is chosen. */
  negatives: NegativeKind;
  /** hybrid: blur passes of the mask (more passes, larger blobs). */
  blurPasses: number;
  /** Self-generated negatives: wake/sleep cycles per epoch (1: one sleep phase after the epoch's minibatches). */
  sleepCycles: number;
  /** hybrid: 1-based hidden layers the linear probes read (default the last three). */
  probeLayers: number[] | null;

  // The online softmax classifier (1-based hidden-layer numbers it reads; default all but the first).
  softmaxLayers: number[] | null;
  softmaxLr: number;
  softmaxWeightCost: number;
  /** Hidden layers whose goodness is summed by the goodness classifier (default all but the first). */
  goodnessLayers: number[] | null;

  /** All layers update every minibatch, or one layer at a time to the end (epochs per layer). */
  trainMode: 'simultaneous' | 'greedy';

  // The recurrent net (SPEC §4): top-down connections, a clamped label layer, settling in time.
  /** One bottom-up sweep, or hidden layers updated from below and above over `iterations`. */
  architecture: 'feedforward' | 'recurrent';
  /** Synchronous updates after the initial bottom-up pass (the talk: 8). */
  iterations: number;
  /** Weight of the old state in state ← damping·old + (1 − damping)·new (the talk: 0.3). */
  damping: number;
  /** Hidden layers also get their own previous normalized state (lateral connections). */
  lateral: boolean;
  /** First iteration whose FF gradients are used (0 = the initial bottom-up pass). */
  gradientFrom: number;
  /** The goodness classifier averages goodness over iterations testFrom..testTo. */
  testFrom: number;
  testTo: number;
}

export const FF_DEFAULTS: FFConfig = {
  ...RUN_DEFAULTS,
  algo: 'ff',
  goodness: 'max-ssq',
  goodnessPower: 2,
  goodnessReduce: 'sum',
  threshold: null,
  temperature: 1,
  loss: 'logistic',
  symbaAlpha: 4,
  exactGradient: false,
  norm: 'rms',
  normGroups: 1,
  peerLambda: 0.03,
  peerDecay: 0.9,
  peerInit: 0.5,
  labelInput: 'auto',
  labelStrength: 1,
  negativeData: 'wrong-label',
  negatives: 'hard',
  blurPasses: 6,
  sleepCycles: 1,
  probeLayers: null,
  softmaxLayers: null,
  softmaxLr: 0.1,
  softmaxWeightCost: 0.003,
  goodnessLayers: null,
  trainMode: 'simultaneous',
  architecture: 'feedforward',
  iterations: 8,
  damping: 0.3,
  lateral: false,
  gradientFrom: 1,
  testFrom: 3,
  testTo: 5,
};

/** Hidden layers (0-based) that feed a reader, from a 1-based user list or "all but the first". */
export function resolveLayerList(list: number[] | null, numLayers: number, what: string): number[] {
  if (list === null) return numLayers === 1 ? [0] : Array.from({ length: numLayers - 1 }, (_, i) => i + 1);
  for (const l of list) {
    if (!Number.isInteger(l) || l < 1 || l > numLayers) {
      throw new Error(`${what}: layer ${l} does not exist (the net has hidden layers 1..${numLayers})`);
    }
  }
  return [...new Set(list)].sort((a, b) => a - b).map((l) => l - 1);
}

/** 0-based hidden layers read by the probes of an unsupervised run: a user list, or the last three. */
export function resolveProbeLayers(list: number[] | null, numLayers: number): number[] {
  if (list !== null) return resolveLayerList(list, numLayers, 'probe-layers');
  return Array.from({ length: Math.min(3, numLayers) }, (_, i) => numLayers - Math.min(3, numLayers) + i);
}

/** θ for a layer of the given width. */
export function thresholdFor(cfg: FFConfig, width: number): number {
  if (cfg.threshold !== null) return cfg.threshold;
  return cfg.goodnessReduce === 'mean' ? 1 : width;
}
