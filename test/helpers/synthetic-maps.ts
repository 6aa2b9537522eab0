// A tiny colour dataset for locally-connected nets: H×W×3 images (channel-planar, like CIFAR)
// of noise plus a class-specific bright patch, so that a few epochs learn it well above chance.
import type { DatasetSplits, ImageSet } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/rng.js';

function images(count: number, h: number, w: number, classes: number, rng: Rng): ImageSet {
  const C = 3;
  const D = C * h * w;
  const data = new Float32Array(count * D);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    labels[i] = k;
    for (let p = 0; p < D; p++) data[i * D + p] = 0.3 * Math.abs(rng.normal());
    // Class k: a 2×2 patch in channel k % 3, at a position that moves with k.
    const py = (k * 2) % (h - 1);
    const px = Math.floor((k * 2) / (h - 1)) * 2 % (w - 1);
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) data[i * D + ((k % C) * h + py + dy) * w + px + dx] += 1.5;
  }
  return { images: data, labels, count, height: h, width: w, channels: C };
}

export function syntheticMaps(h = 6, w = 6, classes = 4, train = 400, valid = 100, seed = 5): DatasetSplits {
  const rng = new Rng(seed);
  return {
    name: 'synthetic-maps',
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, k) => `class ${k}`),
    train: images(train, h, w, classes, rng),
    valid: images(valid, h, w, classes, rng),
    test: images(valid, h, w, classes, rng),
    testDescription: 'synthetic',
    validDescription: 'synthetic',
    validOverlapsTrain: false,
    dir: '',
  };
}
