// Test-time flips (`ff eval --tta flip`): a classifier's scores averaged over each image and its
// mirror image. Nets trained with --flip saw both; averaging the two views is the usual cheap
// test-time augmentation of the CIFAR-10 literature, reported as its own testing procedure.
import { flipImage } from '../data/crop-flip.js';
import type { TrainableModel } from './model.js';

export interface ImageGeometry {
  height: number;
  width: number;
  channels: number;
}

/** `model` whose predict averages its scores on the images and on their left-right mirrors. */
export function flipAveraged(model: Pick<TrainableModel, 'predict'>, shape: ImageGeometry): Pick<TrainableModel, 'predict'> {
  const size = shape.height * shape.width * shape.channels;
  // The same mirror images for every call on the same images: classifiers that cache their pass
  // by the images' identity (the class groups) then run it once for all their modes.
  const mirrors = new WeakMap<Float32Array, Float32Array>();
  return {
    async predict(images, count, mode, k) {
      if (images.length < count * size) throw new Error(`--tta flip: ${count} images of ${size} values need ${count * size} values, got ${images.length}`);
      let mirrored = mirrors.get(images);
      if (!mirrored || mirrored.length !== count * size) {
        mirrored = images.slice(0, count * size);
        for (let n = 0; n < count; n++) flipImage(mirrored, n * size, shape.height, shape.width, shape.channels);
        mirrors.set(images, mirrored);
      }
      const a = await model.predict(images, count, mode, k);
      const b = await model.predict(mirrored, count, mode, k);
      const N = a.scores.length / Math.max(1, count);
      const scores = new Float32Array(a.scores.length);
      const predictions = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        let best = 0;
        for (let j = 0; j < N; j++) {
          const at = i * N + j;
          // −∞ marks a label the classifier did not score (shortlist): it stays out.
          scores[at] = a.scores[at] === -Infinity || b.scores[at] === -Infinity ? -Infinity : (a.scores[at] + b.scores[at]) / 2;
          if (scores[at] > scores[i * N + best]) best = j;
        }
        predictions[i] = best;
      }
      return { scores, predictions };
    },
  };
}
