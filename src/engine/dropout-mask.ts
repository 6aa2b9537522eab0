// Dropout's reference (Engine.dropout): x ← x·mask/(1−p) in place, the mask drawn by a
// counter-based hash, not a generator, so that nothing goes up to the engine or comes back per
// minibatch, the backward pass draws the same mask again from the same counters, and the js,
// wasm, native and WebGPU engines keep the same elements, bit for bit:
//   key  = streamKey(seed, stream)                      (counter-hash.ts)
//   h(e) = fmix32(fmix32(e ^ key) + key)               e = offset + the element's index in x
//   keep ⇔ h(e) ≥ round(p·2³²)                         P(keep) = 1 − p to 2⁻³²
// A kept value is x·s with s = 1/(1−p) rounded to float32: one float32 product, which WGSL's
// f32 multiply gives too. `offset` places x within a larger matrix (a row view: its first
// row · cols), so any rows of it get the mask that the whole would.
import { fmix32, streamKey } from './counter-hash.js';

export interface DropoutOptions {
  /** p: the probability an element is zeroed, 0 ≤ p < 1. */
  rate: number;
  /** uint32 seed and stream: a new stream per step (and a seed per layer) gives a fresh mask. */
  seed: number;
  stream: number;
  /** The index of x's first element in the matrix the mask is drawn for (0: x itself). */
  offset: number;
}

/** The kept elements' hashes are at least this. */
export function dropoutThreshold(rate: number): number {
  return Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32));
}

/** 1/(1−p) as the float32 every engine multiplies by. */
export function dropoutScale(rate: number): number {
  return Math.fround(1 / (1 - rate));
}

/** Element e's hash under key (streamKey of the seed and stream). */
export function dropoutHash(key: number, e: number): number {
  return fmix32((fmix32((e ^ key) >>> 0) + key) >>> 0);
}

export function dropoutRef(x: Float32Array, o: DropoutOptions): void {
  const key = streamKey(o.seed, o.stream);
  const threshold = dropoutThreshold(o.rate);
  const scale = dropoutScale(o.rate);
  for (let i = 0; i < x.length; i++) x[i] = dropoutHash(key, o.offset + i) >= threshold ? x[i] * scale : 0;
}
