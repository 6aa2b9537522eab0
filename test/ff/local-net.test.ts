// Locally-connected nets (issue 10, part 2) on tiny 6×6×3 maps: feed-forward FF (label units
// through a dense connection into layer 1), recurrent FF (label top-down) and backprop learn a
// synthetic colour task above chance, and a run stopped after epoch 1 and resumed from its
// checkpoint ends bit-identical; every -quick CIFAR preset trains an epoch with tiny maps;
// options that do not describe maps are one-line errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { createFFModel, FFModel } from '../../src/ff/ff-model.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { evaluate } from '../../src/train/evaluate.js';
import { getPreset } from '../../src/experiments/presets.js';
import { train } from '../../src/train/trainer.js';
import { assertResumeBitIdentical } from '../helpers/resume-check.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

const TINY_MAPS = { connectivity: 'local', window: 3, mapChannels: 2, layers: [72, 72] } as const;
const data = syntheticMaps();

const variants = [
  { name: 'FF feed-forward', algo: 'ff', cfg: { ...TINY_MAPS, lr: 0.03, epochs: 2, batchSize: 50 } },
  { name: 'FF recurrent', algo: 'ff', cfg: { ...TINY_MAPS, architecture: 'recurrent', goodness: 'min-ssq', labelStrength: 5, iterations: 3, testTo: 3, epochs: 2, batchSize: 50 } },
  { name: 'BP', algo: 'bp', cfg: { ...TINY_MAPS, epochs: 2, batchSize: 50, weightCost: 5e-3 } },
] as const;

for (const v of variants) {
  test(`LC ${v.name}: learns above chance; stop + resume is bit-identical`, async () => {
    const engine = getEngine();
    const algo = getAlgorithm(v.algo);
    const cfg = { ...algo.defaults, ...v.cfg, evalEvery: 1 };
    const dir = mkdtempSync(path.join(tmpdir(), 'lc-net-'));
    try {
      const { whole } = await assertResumeBitIdentical(algo, engine, cfg, data, dir);
      // Chance is 75 % on 4 classes.
      const valid = whole.metrics.at(-1)!.valid!;
      const best = Math.min(...Object.values(valid));
      assert.ok(best < 0.5, `${v.name}: validation errors ${JSON.stringify(valid)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('LC FF wiring: LC between maps, dense from label units; every classifier runs', async () => {
  const engine = getEngine();
  const ffNet = createFFModel(engine, { ...FF_DEFAULTS, ...TINY_MAPS, epochs: 1 } as FFConfig, data).net;
  assert.deepEqual(ffNet.layers[0].connections.map((c) => [c.source, c.kind.name]), [['input', 'local'], ['label', 'dense']]);
  assert.deepEqual(ffNet.layers[1].connections.map((c) => [c.source, c.kind.name]), [['below', 'local']]);
  const rec = createFFModel(engine, { ...FF_DEFAULTS, ...TINY_MAPS, architecture: 'recurrent', lateral: true } as FFConfig, data);
  assert.deepEqual(rec.net.layers[0].connections.map((c) => [c.source, c.kind.name]), [['input', 'local'], ['above', 'local'], ['self', 'local']]);
  assert.deepEqual(rec.net.layers[1].connections.map((c) => [c.source, c.kind.name]), [['below', 'local'], ['label', 'dense'], ['self', 'local']]);
  for (const model of [new FFModel(engine, ffNet.cfg, { height: 6, width: 6, channels: 3, numClasses: 4 }, new Float32Array(108)), rec]) {
    for (const mode of ['goodness', 'softmax']) {
      const r = await evaluate(model, data.test, 4, mode);
      assert.ok(r.errorRate >= 0 && r.errorRate <= 1, mode);
    }
    const s = await model.predict(data.test.images, 20, 'shortlist', 2);
    assert.equal(s.predictions.length, 20);
  }
});

test('every -quick CIFAR preset trains an epoch (tiny maps on synthetic data)', async () => {
  const engine = getEngine();
  for (const name of ['cifar-ff-2-quick', 'cifar-ff-3-quick', 'cifar-bp-2-quick', 'cifar-bp-3-quick']) {
    const preset = getPreset(name);
    const algo = getAlgorithm(preset.algo ?? 'ff');
    const full = algo.presetConfig(name);
    assert.equal(full.connectivity, 'local', name);
    const hidden = (full.layers as number[]).length;
    const cfg = { ...full, dataset: 'synthetic', layers: new Array(hidden).fill(72), mapChannels: 2, window: 3, epochs: 1, trainSubset: 100, evalSubset: 50 };
    const r = await train(algo.create(engine, cfg, data), data);
    assert.equal(r.metrics.length, 1, name);
  }
});

test('options that do not describe LC maps are one-line errors', () => {
  const engine = getEngine();
  const bad = [
    [{ layers: [100, 72] }, /--layers 100,72 does not match locally-connected maps of 6×6×2 = 72 units each/],
    [{ window: 4 }, /--window must be a positive odd integer, got 4/],
  ] as const;
  for (const algo of ['ff', 'bp']) {
    for (const [over, msg] of bad) {
      const a = getAlgorithm(algo);
      assert.throws(() => a.create(engine, { ...a.defaults, ...TINY_MAPS, ...over }, data), (e: Error) => msg.test(e.message) && !e.message.includes('\n'));
    }
  }
});
