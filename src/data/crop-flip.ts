// Random crop with zero padding and horizontal flip (issue 32): the CIFAR recipes' augmentation.
// Padding an image by P zero pixels and taking a random H×W window of it is a shift by
// (dx, dy) ∈ [−P, P]², so the crop reuses jitter's shiftImage with draws of its own. Images
// are channel-planar C·H·W, one per row; everything happens in place, image by image.
import type { Rng } from '../engine/rng.js';
import { shiftImage } from './augment.js';

/**
 * Crop (pad `crop` pixels, random window) then flip (mirror with probability 1/2) each of the
 * first `count` images of `images`, in place. Draws per image, in this order: the crop's dx,
 * its dy (when crop > 0), then the flip's coin (when flip). With crop 0 and no flip it draws
 * nothing and changes nothing. `scratch` holds at least one image (the crop's source copy).
 */
export function cropFlipImages(
  images: Float32Array,
  scratch: Float32Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  crop: number,
  flip: boolean,
  rng: Rng,
): void {
  const size = height * width * channels;
  for (let n = 0; n < count; n++) {
    const at = n * size;
    if (crop > 0) {
      const dx = rng.int(2 * crop + 1) - crop;
      const dy = rng.int(2 * crop + 1) - crop;
      // shiftImage clears its destination first, so it needs a separate source.
      scratch.set(images.subarray(at, at + size));
      shiftImage(scratch, 0, images, at, height, width, channels, dx, dy);
    }
    if (flip && rng.int(2) === 1) flipImage(images, at, height, width, channels);
  }
}

/** Mirror one channel-planar image (at offset `at`) left to right, in place. */
export function flipImage(images: Float32Array, at: number, height: number, width: number, channels: number): void {
  for (let row = 0; row < channels * height; row++) {
    const start = at + row * width;
    images.subarray(start, start + width).reverse();
  }
}
