// The label lives in the image: the first N pixels (always black in MNIST's border) hold a
// one-of-N code. Negatives are the same image with a wrong label in those pixels.
import type { Rng } from '../engine/rng.js';

export const NEUTRAL = -1;

/** Copy image `src` into `dst` at row `row` and write label pixels (NEUTRAL → strength/N each). */
export function embedLabel(
  dst: Float32Array,
  row: number,
  src: Float32Array,
  srcOffset: number,
  dim: number,
  label: number,
  numClasses: number,
  strength: number,
): void {
  const o = row * dim;
  dst.set(src.subarray(srcOffset, srcOffset + dim), o);
  if (label === NEUTRAL) {
    dst.fill(strength / numClasses, o, o + numClasses);
  } else {
    dst.fill(0, o, o + numClasses);
    dst[o + label] = strength;
  }
}

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
