// Wrong labels for negative data: the same image with a label it does not have (the label
// enters the input through labelled-input.ts).
import type { Rng } from '../engine/rng.js';

/**
 * Hard negatives: sample a label from the softmax's probabilities over the INCORRECT classes
 * (the true class gets weight 0, like ffnew.m's "−1000 on the target logit").
 */
export function sampleHardNegatives(probs: Float32Array, labels: Uint8Array, numClasses: number, rng: Rng, out: Int32Array): void {
  const w = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < numClasses; j++) w[j] = probs[i * numClasses + j];
    w[labels[i]] = 0;
    let total = 0;
    for (let j = 0; j < numClasses; j++) total += w[j];
    // A softmax that is certain of the true class leaves nothing: fall back to uniform.
    out[i] = total > 0 ? rng.categorical(w) : randomWrongLabel(labels[i], numClasses, rng);
  }
}

/** Uniform over the incorrect labels — never the true one. */
export function sampleRandomNegatives(labels: Uint8Array, numClasses: number, rng: Rng, out: Int32Array): void {
  for (let i = 0; i < labels.length; i++) out[i] = randomWrongLabel(labels[i], numClasses, rng);
}

function randomWrongLabel(label: number, numClasses: number, rng: Rng): number {
  const k = rng.int(numClasses - 1);
  return k >= label ? k + 1 : k;
}
