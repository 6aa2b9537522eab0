// Layer ensembles and test-time flips (issue 32): a range mode 'groups-layersI-J' predicts from
// the sum of layers I..J's log-probabilities — checked against the single-layer modes' own
// probabilities on a trained conv net, as DeeperForward sums them — and is refused for ranges
// the net does not have; flipAveraged averages a classifier's scores on each image and its
// mirror image, which a classifier that reads one corner pixel makes exact.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import type { FFConfig } from '../../src/ff/config.js';
import { createFFModel } from '../../src/ff/ff-model.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { getPreset } from '../../src/experiments/presets.js';
import { flipAveraged } from '../../src/train/flip-averaged.js';
import { train } from '../../src/train/trainer.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

test('groups-layersI-J sums the layers’ log-probabilities; unknown ranges are refused', async () => {
  const engine = getEngine();
  const data = syntheticMaps(8, 8, 10, 400, 100);
  const cfg = { ...getAlgorithm('ff').defaults, ...getPreset('mnist-conv').ff, dataset: 'synthetic', layers: [10, 20, 20], poolAfter: [1], goodnessLayers: null, softmaxLayers: null, epochs: 1, batchSize: 50, evalSubset: 0 } as FFConfig;
  const model = createFFModel(engine, cfg, data);
  const dir = mkdtempSync(path.join(tmpdir(), 'group-ranges-'));
  try {
    await train(model, data, { outDir: dir });
    const n = data.valid.count;
    const per = await Promise.all([1, 2, 3].map((l) => model.predict(data.valid.images, n, `groups-layer${l}`)));
    for (const [from, to] of [[1, 2], [2, 3], [1, 3]]) {
      const { scores, predictions } = await model.predict(data.valid.images, n, `groups-layers${from}-${to}`);
      for (let i = 0; i < n; i++) {
        const logits = Array.from({ length: 10 }, (_, j) => {
          let s = 0;
          for (let l = from; l <= to; l++) s += Math.log(per[l - 1].scores[i * 10 + j]);
          return s;
        });
        const max = Math.max(...logits);
        const z = logits.reduce((a, v) => a + Math.exp(v - max), 0);
        for (let j = 0; j < 10; j++) assert.ok(Math.abs(scores[i * 10 + j] - Math.exp(logits[j] - max) / z) < 1e-4, `layers ${from}–${to}, image ${i}, label ${j}`);
        assert.equal(predictions[i], logits.indexOf(max));
      }
    }
    for (const bad of ['groups-layers2-2', 'groups-layers3-2', 'groups-layers1-4', 'groups-layers0-1']) {
      assert.throws(() => model.predict(data.valid.images, n, bad), /unknown mode/, bad);
    }
    assert.ok(!model.classifiers.some((m) => m.startsWith('groups-layers')), 'ranges are chosen with ff eval, not validated each epoch');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flipAveraged averages the scores of each image and its mirror image', async () => {
  const shape = { height: 2, width: 3, channels: 2 };
  // Label 0 scores the image's top-left value of channel 1, label 1 its top-right one.
  const corner = {
    async predict(images: Float32Array, count: number) {
      const scores = new Float32Array(count * 2);
      for (let i = 0; i < count; i++) {
        scores[i * 2] = images[i * 12 + 6];
        scores[i * 2 + 1] = images[i * 12 + 8];
      }
      return { scores, predictions: new Uint8Array(count) };
    },
  };
  const images = Float32Array.from({ length: 24 }, (_, k) => k);
  const { scores, predictions } = await flipAveraged(corner, shape).predict(images, 2, 'softmax');
  // Mirrored, the top-left and top-right values swap, so both labels get their mean.
  assert.deepEqual(Array.from(scores), [7, 7, 19, 19]);
  assert.deepEqual(Array.from(images.slice(0, 3)), [0, 1, 2], 'the caller’s images are not flipped');
  assert.deepEqual(Array.from(predictions), [0, 0]);
  await assert.rejects(flipAveraged(corner, shape).predict(images, 3, 'softmax'), /--tta flip: 3 images of 12 values need 36 values, got 24/);
});
