// Centring colour images: each channel's training-set mean is subtracted before a net sees
// them (FF and backprop alike, so their comparison stays fair). Dense natural images share a
// large common component; un-centred, it dominates every normalized input vector, all images
// look alike to the layers, and FF on CIFAR-10 stayed at chance.
import type { ImageSet } from './dataset.js';

export type Centering = 'auto' | 'none' | 'channel-mean';

/** 'auto' → centre colour images only (MNIST keeps ffnew.m's arithmetic exactly). */
export function resolveCentering(center: Centering, channels: number): boolean {
  if (center !== 'auto') return center === 'channel-mean';
  // Colour images: three channels. (A one-hot text strip has 30 and is not centred.)
  return channels === 3;
}

/** Each channel's mean over a set, spread over that channel's pixels (channel-planar images). */
export function channelMeanImage(set: ImageSet): Float32Array {
  const plane = set.height * set.width;
  const D = plane * set.channels;
  const out = new Float32Array(D);
  for (let ch = 0; ch < set.channels; ch++) {
    let sum = 0;
    for (let i = 0; i < set.count; i++) {
      const base = i * D + ch * plane;
      for (let p = 0; p < plane; p++) sum += set.images[base + p];
    }
    out.fill(sum / Math.max(1, set.count * plane), ch * plane, (ch + 1) * plane);
  }
  return out;
}

/** The checkpoint tensor holding the per-pixel mean subtracted from images (centred runs). */
export const INPUT_MEAN_TENSOR = 'input.mean';
