// Labels for negative data: the same image with a label it does not have (hard, random), or
// with the model's own guess, which may be the true label (teacher-forced). The label enters
// the input through labelled-input.ts; label-negatives.ts makes these negative sources.
import type { Rng } from '../engine/rng.js';
import { hardLabelWith, wrongLabelWith } from '../engine/step-maths.js';
import { sampleAtTemperature } from './sample-at-temperature.js';

/**
 * Hard negatives on the host: a label from the softmax's probabilities over the INCORRECT
 * classes (the engine's drawLabels makes the same draw from the same numbers).
 */
export function sampleHardNegatives(probs: Float32Array, labels: Uint8Array, numClasses: number, rng: Rng, out: Int32Array): void {
  const w = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) out[i] = hardLabelWith(rng.uniform(), probs, i * numClasses, labels[i], numClasses, w);
}

/** Uniform over the incorrect labels — never the true one. */
export function sampleRandomNegatives(labels: Uint8Array, numClasses: number, rng: Rng, out: Int32Array): void {
  for (let i = 0; i < labels.length; i++) out[i] = randomWrongLabel(labels[i], numClasses, rng);
}

/**
 * Teacher-forced: a label drawn from the softmax's probabilities over ALL classes, the true
 * one included, sharpened (temperature < 1) or flattened (> 1) as p^(1/temperature).
 */
export function sampleTeacherForced(probs: Float32Array, numClasses: number, temperature: number, rng: Rng, out: Int32Array): void {
  const w = new Float64Array(numClasses);
  // All zero (a degenerate softmax): uniform.
  for (let i = 0; i < out.length; i++) out[i] = sampleAtTemperature(probs, i * numClasses, numClasses, temperature, rng, w);
}

/** Uniform over all labels, the true one included (teacher-forced with no model yet). */
export function sampleUniformLabels(numClasses: number, rng: Rng, out: Int32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.int(numClasses);
}

function randomWrongLabel(label: number, numClasses: number, rng: Rng): number {
  return wrongLabelWith(rng.uniform(), label, numClasses);
}
