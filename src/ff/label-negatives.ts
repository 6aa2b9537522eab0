// Negative sources that keep the image and change its label (negative-source.ts): drawn after
// the online softmax has read a neutral-label pass of the batch, from its probabilities before
// its update. When no layer feeds the softmax yet (greedy training of layer 1) there are no
// probabilities: hard negatives then fall back to random wrong labels, teacher-forced ones to
// uniform labels.
import type { DrawLabelsOptions } from '../engine/engine.js';
import type { Rng } from '../engine/rng.js';
import type { Batch } from './ff-step.js';
import { sampleRandomNegatives, sampleUniformLabels } from './labels.js';
import type { HeadOutput, NegativeSource } from './negative-source.js';

/** A source whose negatives are the batch's images with labels from `pick` (probs null: no head yet). */
function labelSource(name: string, fromHead: DrawLabelsOptions | null, fallback: (labels: Uint8Array, rng: Rng, out: Int32Array) => void): NegativeSource {
  return {
    name,
    readsHead: true,
    minCases: 1,
    draw(batch: Batch, head: HeadOutput | null, rng: Rng) {
      if (head && fromHead) {
        // One 32-bit number per case, as the host draw took (Rng.uniform), so runs draw the same labels.
        const draws = new Uint32Array(batch.count);
        for (let i = 0; i < draws.length; i++) draws[i] = rng.nextU32();
        head.engine.drawLabels(head.probs, head.truth, draws, head.out, fromHead);
        return { images: batch.images, labels: null, onEngine: head.out };
      }
      const labels = new Int32Array(batch.labels.length);
      fallback(batch.labels, rng, labels);
      return { images: batch.images, labels };
    },
  };
}

/** Hard: from the softmax's probabilities over the wrong labels (ffnew.m; never the true one). */
export function hardNegatives(numClasses: number): NegativeSource {
  return labelSource('hard', { rule: 'hard', temperature: 1 }, (labels, rng, out) => sampleRandomNegatives(labels, numClasses, rng, out));
}

/** Random: uniform over the wrong labels (the softmax still learns, for the one-pass classifier). */
export function randomNegatives(numClasses: number): NegativeSource {
  return labelSource('random', null, (labels, rng, out) => sampleRandomNegatives(labels, numClasses, rng, out));
}

/**
 * Teacher-forced: from the softmax's probabilities over all labels, the true one included —
 * the model's own prediction, as a generative model's negative data (SPEC §6). When it is
 * right the negative equals its positive: the logistic loss then pulls that case's goodness
 * toward θ rather than apart, and SymBa's two gradients cancel.
 */
export function teacherForcedNegatives(numClasses: number, temperature = 1): NegativeSource {
  if (!(temperature > 0)) throw new Error(`teacher-forced negatives need a temperature > 0, got ${temperature}`);
  return labelSource('teacher-forced', { rule: 'teacher-forced', temperature }, (_labels, rng, out) => sampleUniformLabels(numClasses, rng, out));
}

/**
 * Self-generated: no negatives in the minibatches (they are positive-only: wake); after each
 * epoch the model generates continuations of the training strings and learns from them as
 * negatives alone (sleep-phase.ts).
 */
export function selfGeneratedNegatives(): NegativeSource {
  return {
    name: 'self-generated',
    readsHead: true,
    minCases: 1,
    offline: true,
    draw() {
      throw new Error('self-generated negatives are made in the sleep phase, not per minibatch');
    },
  };
}
