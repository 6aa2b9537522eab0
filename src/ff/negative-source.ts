// Where negative data comes from. One source is chosen from the config when the net is built
// (negativeSourceFor) and is the only way a training step, feed-forward or recurrent, gets its
// negatives:
//   hard / random (label-negatives.ts) — the image with a label it does not have, drawn from
//     the online softmax's probabilities over the wrong labels (SPEC §2) or uniformly;
//   teacher-forced (label-negatives.ts) — a label drawn from the softmax's probabilities over
//     ALL labels, the true one included: the model's own guess, right or wrong (SPEC §6, where
//     the "label" is the candidate next character);
//   hybrid (hybrid-negatives.ts) — two real images glued by a blurred mask, no label (SPEC §3);
//   self-generated (sleep-phase.ts) — whole continuations the model generates from each
//     string's first context, learned from offline in a sleep phase after the epoch (SPEC §6).
import type { Engine, Mat } from '../engine/engine.js';
import type { Rng } from '../engine/rng.js';
import type { FFConfig } from './config.js';
import type { Batch } from './ff-step.js';
import { hybridNegatives, type ImageShape } from './hybrid-negatives.js';
import { hardNegatives, randomNegatives, selfGeneratedNegatives, teacherForcedNegatives } from './label-negatives.js';

/** One negative case per case of a minibatch. */
export interface NegativeCases {
  /** count × D images: the batch's own array (the same object) when only the label changes. */
  images: Float32Array;
  /**
   * One label per case on the host; NEUTRAL (−1) where the case has none (hybrids). Null when
   * the labels were drawn on the engine from the head's probabilities: they are in `onEngine`.
   */
  labels: Int32Array | null;
  /** The labels on the engine (count × 1), where the source drew them there. */
  onEngine?: Mat;
}

/** What a source that reads the head is given, all on the engine: nothing is read back. */
export interface HeadOutput {
  engine: Engine;
  /** The head's count × N probabilities (before its update). */
  probs: Mat;
  /** The batch's true labels (count × 1). */
  truth: Mat;
  /** Where to draw the negative labels (count × 1). */
  out: Mat;
}

export interface NegativeSource {
  /** The config value it stands for, for messages. */
  readonly name: string;
  /**
   * True when the negatives are drawn from the online head's probabilities on a label-free
   * pass of the batch (taken before the head's update): the step runs that pass and the head
   * first. False when they depend on the images alone: drawn before any pass, they share it
   * with the positives.
   */
  readonly readsHead: boolean;
  /** The smallest minibatch it can make negatives for (a hybrid mixes two different images). */
  readonly minCases: number;
  /**
   * True when the negatives are made offline, not per minibatch: the minibatches are then
   * positive-only (wake) and the model's sleep phase (sleep-phase.ts) makes negative-only
   * updates on data it generates itself.
   */
  readonly offline?: boolean;
  /**
   * The negatives of `batch`. `head`: the head's output, or null when the source does not
   * read it or no layer feeds the head yet (greedy training of layer 1). Every random number
   * comes from `rng` (the run's: checkpoints save it), one per case where labels are drawn.
   */
  draw(batch: Batch, head: HeadOutput | null, rng: Rng): NegativeCases;
}

/** The source a config asks for: hybrids for negativeData 'hybrid', else the label rule cfg.negatives. */
export function negativeSourceFor(cfg: Pick<FFConfig, 'negativeData' | 'negatives' | 'blurPasses'>, numClasses: number, imageShape: ImageShape): NegativeSource {
  if (cfg.negativeData === 'hybrid') return hybridNegatives(imageShape, cfg.blurPasses);
  switch (cfg.negatives) {
    case 'hard':
      return hardNegatives(numClasses);
    case 'random':
      return randomNegatives(numClasses);
    case 'teacher-forced':
      return teacherForcedNegatives(numClasses);
    case 'self-generated':
      return selfGeneratedNegatives();
  }
}
