// A training minibatch's augmentation, in its fixed order: jitter (augment.ts), then crop, then
// flip (crop-flip.ts), then input dropout (input-dropout.ts). Jitter draws for the whole minibatch first, then crop and flip draw
// image by image; every draw comes from the model's one RNG, which checkpoints save, so a
// resumed run continues the same stream. With everything off nothing is drawn or copied, and
// runs train as they did before crop and flip existed.
import type { Rng } from '../engine/rng.js';
import { jitterImages } from './augment.js';
import { cropFlipImages } from './crop-flip.js';
import { dropInputs } from './input-dropout.js';

export interface AugmentSettings {
  /** Shift by up to ±jitter pixels each way (0 = off). */
  jitter: number;
  /** Pad by this many zero pixels and take a random window of the image's size (0 = off). */
  crop: number;
  /** Mirror left to right with probability 1/2. */
  flip: boolean;
  /** Zero each input value with this probability, scale the rest by 1/(1−p) (0 or absent = off). */
  inputDropout?: number;
}

/**
 * The `count` images to train on: `images` itself when no augmentation is on, else `out`'s
 * first count·D values holding the augmented copies (`images` is left as it was).
 */
export function augmentBatch(
  images: Float32Array,
  out: Float32Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  s: AugmentSettings,
  rng: Rng,
): Float32Array {
  const dropout = s.inputDropout ?? 0;
  if (!(s.jitter > 0 || s.crop > 0 || s.flip || dropout > 0)) return images;
  const size = height * width * channels;
  const result = out.subarray(0, count * size);
  if (s.jitter > 0) jitterImages(images, result, count, height, width, channels, s.jitter, rng);
  else result.set(images.subarray(0, count * size));
  if (s.crop > 0 || s.flip) {
    const scratch = new Float32Array(s.crop > 0 ? size : 0);
    cropFlipImages(result, scratch, count, height, width, channels, s.crop, s.flip, rng);
  }
  dropInputs(result, dropout, rng);
  return result;
}
