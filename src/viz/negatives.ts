// The picture of `ff show-negatives`: one row per hybrid negative, four tiles per row —
// image a, image b, the mask (white where the hybrid shows a), and the hybrid. Images are
// drawn as they are stored (values 0..1, black to white; colour images as RGB).
import type { ImageShape } from '../ff/hybrid-negatives.js';
import type { Hybrids } from '../ff/hybrid-negatives.js';
import { encodePng, Raster } from './png.js';

const BACKGROUND: [number, number, number] = [150, 150, 150];

/** Rows of [a, b, mask, hybrid] for the `count` hybrids of `images`, `scale` pixels per image pixel. */
export function renderNegatives(images: Float32Array, hybrids: Hybrids, count: number, shape: ImageShape, scale = 3): { png: Buffer; raster: Raster } {
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new Error(`--scale must be an integer in 1..16, got ${scale}`);
  const { height: H, width: W, channels: C } = shape;
  const P = H * W;
  const D = P * C;
  const gap = Math.max(2, scale);
  const tileW = W * scale;
  const tileH = H * scale;
  const raster = new Raster(gap + 4 * (tileW + gap), gap + count * (tileH + gap), BACKGROUND);
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(255 * v)));
  /** Draw an image (channel-planar, C channels; C = 1 for the mask) as tile `col` of row `row`. */
  const tile = (row: number, col: number, src: Float32Array, offset: number, channels: number) => {
    const x0 = gap + col * (tileW + gap);
    const y0 = gap + row * (tileH + gap);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = offset + y * W + x;
        const v = (c: number) => byte(src[p + (channels === 3 ? c : 0) * P]);
        raster.fillRect(x0 + x * scale, y0 + y * scale, scale, scale, [v(0), v(1), v(2)]);
      }
    }
  };
  for (let i = 0; i < count; i++) {
    tile(i, 0, images, i * D, C);
    tile(i, 1, images, hybrids.partners[i] * D, C);
    tile(i, 2, hybrids.masks, i * P, 1);
    tile(i, 3, hybrids.images, i * D, C);
  }
  return { png: encodePng(raster), raster };
}
