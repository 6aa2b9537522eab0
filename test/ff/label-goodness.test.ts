// The explorer's per-layer goodness (label-goodness.ts) is what the goodness classifier ranks:
// summed over the goodness layers it equals classify()'s scores, feed-forward and recurrent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsEngine } from '../../src/engine/js-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { classify } from '../../src/ff/classify.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { labelGoodness } from '../../src/ff/label-goodness.js';
import { getPreset } from '../../src/experiments/presets.js';
import { encodeSamplePack, decodeSamplePack } from '../../src/data/sample-pack.js';

const SHAPE = { height: 8, width: 8, channels: 1, numClasses: 10 };

for (const [name, cfg] of [
  ['feed-forward', { ...FF_DEFAULTS, layers: [30, 20, 20] }],
  ['recurrent', { ...FF_DEFAULTS, ...getPreset('recurrent-quick').ff, layers: [30, 20] }],
] as [string, FFConfig][]) {
  test(`${name}: goodness per layer per label sums to the goodness classifier's scores`, async () => {
    const model = new FFModel(new JsEngine(), { ...cfg, seed: 4 }, SHAPE);
    const images = new Rng(9).fillNormal(new Float32Array(3 * 64), 0.5).map(Math.abs);
    const { scores } = await classify(model.net, images, 3, 'goodness');
    for (let i = 0; i < 3; i++) {
      const g = await labelGoodness(model.net, images.subarray(i * 64, (i + 1) * 64));
      assert.equal(g.layers.length, cfg.layers.length);
      assert.equal(g.iterations.length, name === 'recurrent' ? cfg.testTo : 0);
      const sign = g.higherIsBetter ? 1 : -1;
      for (let j = 0; j < 10; j++) {
        const total = sign * model.net.goodnessLayers.reduce((s, l) => s + g.layers[l][j], 0);
        assert.ok(Math.abs(total - scores[i * 10 + j]) <= 1e-5 * Math.abs(total), `image ${i} label ${j}: ${total} vs ${scores[i * 10 + j]}`);
      }
    }
  });
}

test('a sample pack round-trips byte images and refuses other files', () => {
  const set = (count: number, seed: number) => {
    const images = new Float32Array(count * 4);
    for (let i = 0; i < images.length; i++) images[i] = ((i * 37 + seed) % 256) / 255;
    return { images, labels: Uint8Array.from({ length: count }, (_, i) => (i + seed) % 3), count, height: 2, width: 2, channels: 1 };
  };
  const train = set(5, 1);
  const test = set(4, 2);
  const pack = decodeSamplePack(encodeSamplePack(train, test, 3, 3, 2));
  assert.equal(pack.numClasses, 3);
  assert.deepEqual([pack.train.count, pack.test.count], [3, 2]);
  assert.deepEqual(pack.train.images, train.images.subarray(0, 12));
  assert.deepEqual(pack.test.labels, test.labels.subarray(0, 2));
  assert.throws(() => decodeSamplePack(new Uint8Array(40)), /not a forward-forward sample pack/);
  assert.throws(() => decodeSamplePack(encodeSamplePack(train, test, 3, 3, 2).subarray(0, 50)), /bytes, expected/);
  assert.throws(() => encodeSamplePack(train, test, 3, 6, 2), /asked for/);
});
