// Negative data for unsupervised FF (SPEC §3): hybrids a·mask + b·(1 − mask) of two different
// real images. The mask has large regions of ones and zeros, so a hybrid has real short-range
// structure (strokes) but wrong long-range structure (two digits glued together): the layers
// must learn long-range correlations to tell it from a real image.
//
// Mask: a random bit image, blurred `passes` times with [1/4, 1/2, 1/4] horizontally and then
// vertically, thresholded at 0.5. Edges repeat their border value (the filter stays normalized
// there, so borders are not biased towards zero), and a pixel exactly at 0.5 keeps its random
// bit (ties go either way with equal odds). Colour images share one mask over their channels.
// Every random number comes from the rng passed in (the run's: checkpoints save it).
import type { Rng } from '../engine/rng.js';
import type { Batch } from './ff-step.js';
import { NEUTRAL } from './labelled-input.js';
import type { HeadOutput, NegativeSource } from './negative-source.js';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** A fresh H×W mask of 0s and 1s (as floats) from `rng`. `work` is scratch of at least 2·H·W. */
export function blurredMask(rng: Rng, height: number, width: number, passes: number, out: Float32Array = new Float32Array(height * width), work?: Float32Array): Float32Array {
  const n = height * width;
  const buf = work && work.length >= 2 * n ? work : new Float32Array(2 * n);
  const bits = buf.subarray(0, n);
  const tmp = buf.subarray(n, 2 * n);
  for (let p = 0; p < n; p += 32) {
    const r = rng.nextU32();
    for (let k = 0; k < 32 && p + k < n; k++) bits[p + k] = (r >>> k) & 1;
  }
  out.set(bits);
  for (let pass = 0; pass < passes; pass++) {
    // Horizontal: out → tmp; vertical: tmp → out.
    for (let y = 0; y < height; y++) {
      const o = y * width;
      for (let x = 0; x < width; x++) {
        const l = out[o + (x > 0 ? x - 1 : 0)];
        const r = out[o + (x < width - 1 ? x + 1 : x)];
        tmp[o + x] = 0.25 * l + 0.5 * out[o + x] + 0.25 * r;
      }
    }
    for (let y = 0; y < height; y++) {
      const up = (y > 0 ? y - 1 : 0) * width;
      const down = (y < height - 1 ? y + 1 : y) * width;
      const o = y * width;
      for (let x = 0; x < width; x++) out[o + x] = 0.25 * tmp[up + x] + 0.5 * tmp[o + x] + 0.25 * tmp[down + x];
    }
  }
  for (let p = 0; p < n; p++) out[p] = out[p] > 0.5 ? 1 : out[p] < 0.5 ? 0 : bits[p];
  return out;
}

/** For each of `count` images, a uniformly random partner among the OTHER count − 1 (count ≥ 2). */
export function pickPartners(rng: Rng, count: number, out: Int32Array = new Int32Array(count)): Int32Array {
  if (count < 2) throw new Error(`hybrid negatives need at least 2 images to mix, got ${count}`);
  for (let i = 0; i < count; i++) out[i] = (i + 1 + rng.int(count - 1)) % count;
  return out;
}

/** What makeHybrids made, for pictures and tests. */
export interface Hybrids {
  /** count × D hybrid images. */
  images: Float32Array;
  /** partners[i]: the image mixed into image i (never i). */
  partners: Int32Array;
  /** count × (H·W) masks: 1 where the hybrid shows image i, 0 where it shows its partner. */
  masks: Float32Array;
}

/**
 * Hybrids of `count` images (channel-planar, one after another): hybrid i = image i where its
 * mask is 1, image partners[i] elsewhere. Buffers in `into` are reused when given.
 */
export function makeHybrids(images: Float32Array, count: number, shape: ImageShape, passes: number, rng: Rng, into?: Partial<Hybrids>): Hybrids {
  const { height: H, width: W, channels: C } = shape;
  const P = H * W;
  const D = P * C;
  const out = into?.images && into.images.length >= count * D ? into.images : new Float32Array(count * D);
  const partners = pickPartners(rng, count, into?.partners && into.partners.length >= count ? into.partners : undefined);
  const masks = into?.masks && into.masks.length >= count * P ? into.masks : new Float32Array(count * P);
  const work = new Float32Array(2 * P);
  for (let i = 0; i < count; i++) {
    const mask = blurredMask(rng, H, W, passes, masks.subarray(i * P, (i + 1) * P), work);
    const a = i * D;
    const b = partners[i] * D;
    for (let c = 0; c < C; c++) {
      const o = c * P;
      for (let p = 0; p < P; p++) out[a + o + p] = mask[p] ? images[a + o + p] : images[b + o + p];
    }
  }
  return { images: out, partners, masks };
}

/**
 * Hybrids as negative data (negative-source.ts): drawn from the images alone, before any pass,
 * with no label. Buffers are reused per batch size.
 */
export function hybridNegatives(shape: ImageShape, passes: number): NegativeSource {
  const buffers = new Map<number, Hybrids>();
  return {
    name: 'hybrid',
    readsHead: false,
    minCases: 2,
    draw(batch: Batch, _head: HeadOutput | null, rng: Rng) {
      const made = makeHybrids(batch.images, batch.count, shape, passes, rng, buffers.get(batch.count));
      buffers.set(batch.count, made);
      return { images: made.images, labels: new Int32Array(batch.count).fill(NEUTRAL) };
    },
  };
}
