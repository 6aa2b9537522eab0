// Jitter augmentation (SPEC §2): shift an image by up to ±J pixels in each direction,
// filling with black. With J = 2 that is 25 positions. The label pixels are written after
// this, so they stay put.
import type { Rng } from '../engine/rng.js';

/** Copy `count` images of height×width×channels (channel-planar) from src to dst, each shifted at random. */
export function jitterImages(
  src: Float32Array,
  dst: Float32Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  maxShift: number,
  rng: Rng,
): void {
  const plane = height * width;
  const size = plane * channels;
  for (let n = 0; n < count; n++) {
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    shiftImage(src, n * size, dst, n * size, height, width, channels, dx, dy);
  }
}

/** dst(y, x) = src(y − dy, x − dx), zero outside. */
export function shiftImage(
  src: Float32Array,
  so: number,
  dst: Float32Array,
  dO: number,
  height: number,
  width: number,
  channels: number,
  dx: number,
  dy: number,
): void {
  const plane = height * width;
  dst.fill(0, dO, dO + plane * channels);
  const x0 = Math.max(0, dx);
  const x1 = Math.min(width, width + dx);
  if (x1 <= x0) return;
  for (let c = 0; c < channels; c++) {
    for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
      const from = so + c * plane + (y - dy) * width + (x0 - dx);
      dst.set(src.subarray(from, from + (x1 - x0)), dO + c * plane + y * width + x0);
    }
  }
}
