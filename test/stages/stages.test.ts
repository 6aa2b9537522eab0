// The net description (src/stages): FF and backprop run the same stages in the same order; the
// black box is really unknown to FF, drift and analog noise are reproducible from their seeds,
// backprop through an identity box with the oracle equals plain backprop, and runs with stages
// resume bit-identically.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { BPModel } from '../../src/bp/bp-model.js';
import { BP_DEFAULTS, type BPConfig } from '../../src/bp/config.js';
import { subset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/registry.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { BlackBox } from '../../src/stages/black-box.js';
import { boxModelFor } from '../../src/bp/box-model.js';
import { Rng } from '../../src/engine/rng.js';
import { testSeed } from '../helpers/seed.js';
import { Layer } from '../../src/stages/layer.js';
import { NetStages } from '../../src/stages/net-stages.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { RUN_DEFAULTS } from '../../src/train/run-config.js';
import { readMetrics, train } from '../../src/train/trainer.js';
import { oneLine } from '../helpers/one-line-error.js';

const SHAPE = { height: 28, width: 28, channels: 1, numClasses: 10 };
const timeless = (ms: Record<string, unknown>[]) => ms.map(({ seconds: _s, elapsed: _e, validSeconds: _v, ...rest }) => rest);
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function smallMnist(trainCount = 600) {
  const data = await loadDataset('mnist');
  return { ...data, train: subset(data.train, 0, trainCount), valid: subset(data.valid, 0, 200), test: subset(data.test, 0, 200) };
}

const FF_BOX: FFConfig = { ...FF_DEFAULTS, layers: [64, 64, 64], epochs: 1, batchSize: 50, boxAfter: 1, boxDrift: 0.01, evalEvery: 1 };

test('FF and backprop build one net: the same stage order, the same learnable layers and initial weights', async () => {
  const engine = getEngine();
  const common = { layers: [48, 40, 32], seed: 7, boxAfter: 2, device: 1, analogVariation: 0.2 };
  const ff = new FFModel(engine, { ...FF_DEFAULTS, ...common }, SHAPE).net;
  const bp = new BPModel(engine, { ...BP_DEFAULTS, ...common }, SHAPE).net;
  const order = (st: NetStages) => st.order.map((s) => (s.kind === 'box' ? 'box' : `layer${s.index + 1}`));
  assert.deepEqual(order(ff.stages), ['layer1', 'layer2', 'box', 'layer3']);
  assert.deepEqual(order(bp.stages), order(ff.stages));
  assert.equal(bp.layers.length, ff.layers.length);
  for (let l = 0; l < ff.layers.length; l++) {
    assert.ok(ff.layers[l] instanceof Layer && bp.layers[l] instanceof Layer);
    const [a, b] = [ff.layers[l].bottomUp.weight, bp.layers[l].bottomUp.weight];
    assert.equal(a.name, b.name);
    assert.deepEqual(bytes(await engine.read(a.value)), bytes(await engine.read(b.value)), `${a.name} starts from the same weights`);
  }
});

test('FF trains, classifies and checkpoints around a black box without ever reading its matrix', async () => {
  const engine = getEngine();
  const data = await smallMnist();
  const reveal = BlackBox.prototype.revealMatrix;
  let reads = 0;
  BlackBox.prototype.revealMatrix = function (this: BlackBox) {
    reads++;
    return reveal.call(this);
  };
  try {
    const model = new FFModel(engine, FF_BOX, SHAPE);
    const result = await train(model, data, {});
    assert.ok(result.metrics.length === 1);
    const { predictions } = await model.predict(data.test.images, 50, 'goodness');
    assert.equal(predictions.length, 50);
    const ck = await model.toCheckpoint();
    FFModel.fromCheckpoint(engine, { ...ck, verified: true });
    assert.equal(reads, 0, 'an FF code path read the box matrix');
    // The door is real: backprop's oracle goes through it.
    const bp = new BPModel(engine, { ...BP_DEFAULTS, layers: [64, 64], epochs: 1, batchSize: 50, boxAfter: 1, boxModel: 'oracle' }, SHAPE);
    await bp.trainBatch({ images: data.train.images, labels: data.train.labels, count: 50 }, 1);
    assert.ok(reads > 0, 'the oracle reads the matrix through revealMatrix');
  } finally {
    BlackBox.prototype.revealMatrix = reveal;
  }
});

test('drift and analog noise are reproducible from their seeds', async () => {
  const engine = getEngine();
  const cfg = { ...RUN_DEFAULTS, layers: [40, 30, 20], boxAfter: 1, boxDrift: 0.05, analogVariation: 0.1, analogGain: 0.1, analogDrift: 0.01 };
  const run = async (c: typeof cfg, steps: number) => {
    const st = new NetStages(engine, c, 50);
    for (let i = 0; i < steps; i++) st.endStep();
    const t = new Map<string, { shape: number[]; data: Float32Array }>();
    await st.saveTensors(t);
    return t;
  };
  const a = await run(cfg, 5);
  const b = await run(cfg, 5);
  assert.deepEqual([...a.keys()].sort(), ['box.matrix', 'device.layer1.factor', 'device.layer2.factor', 'device.layer3.factor']);
  for (const [k, t] of a) assert.ok(bytes(t.data).equals(bytes(b.get(k)!.data)), `${k} differs between two runs of the same seeds`);
  const start = await run(cfg, 0);
  assert.ok(!bytes(start.get('box.matrix')!.data).equals(bytes(a.get('box.matrix')!.data)), 'the box drifted');
  assert.ok(!bytes(start.get('device.layer1.factor')!.data).equals(bytes(a.get('device.layer1.factor')!.data)), 'the chip drifted');
  // Another chip: other factors; another run seed: another box; the same chip whatever the run seed.
  const chipB = await run({ ...cfg, device: 2 }, 0);
  assert.ok(!bytes(chipB.get('device.layer1.factor')!.data).equals(bytes(start.get('device.layer1.factor')!.data)));
  const otherSeed = await run({ ...cfg, seed: 99 }, 0);
  assert.ok(!bytes(otherSeed.get('box.matrix')!.data).equals(bytes(start.get('box.matrix')!.data)));
  assert.ok(bytes(otherSeed.get('device.layer1.factor')!.data).equals(bytes(start.get('device.layer1.factor')!.data)));
  // Variation has the σ asked for (factor − 1 over 50×40 weights, gain folded in: √(0.1² + 0.1²)).
  const f = start.get('device.layer1.factor')!.data;
  const sd = Math.sqrt(f.reduce((s, x) => s + (x - 1) ** 2, 0) / f.length);
  assert.ok(sd > 0.12 && sd < 0.16, `factor σ ${sd}`);
});

test('noisy inference is reproducible, and another chip gives other scores for the same weights', async () => {
  const engine = getEngine();
  const data = await smallMnist(300);
  const cfg: FFConfig = { ...FF_DEFAULTS, layers: [64, 64], epochs: 1, batchSize: 50, analogVariation: 0.2, analogMulNoise: 0.1, analogAddNoise: 0.05, analogWeightNoise: 0.05 };
  const a = new FFModel(engine, cfg, SHAPE);
  await train(a, data, {});
  const s1 = await a.predict(data.test.images, 100, 'softmax');
  const s2 = await a.predict(data.test.images, 100, 'softmax');
  assert.ok(bytes(s1.scores).equals(bytes(s2.scores)), 'the same chip answers the same twice');
  const ck = await a.toCheckpoint();
  const onB = FFModel.fromCheckpoint(engine, { ...ck, config: { ...ck.config, device: 2 }, verified: false });
  const s3 = await onB.predict(data.test.images, 100, 'softmax');
  assert.ok(!bytes(s3.scores).equals(bytes(s1.scores)), 'chip 2 distorts the weights differently');
});

test('backprop through an identity box with the oracle equals plain backprop', async () => {
  const engine = getEngine();
  const data = await smallMnist(200);
  const base: BPConfig = { ...BP_DEFAULTS, layers: [48, 32], batchSize: 50 };
  const plain = new BPModel(engine, base, SHAPE);
  const boxed = new BPModel(engine, { ...base, boxAfter: 1, boxModel: 'oracle' }, SHAPE);
  const identity = new Float32Array(48 * 48);
  for (let i = 0; i < 48; i++) identity[i * 48 + i] = 1;
  boxed.net.stages.box!.loadState(identity);
  for (let b = 0; b < 4; b++) {
    const batch = { images: data.train.images.subarray(b * 50 * 784), labels: data.train.labels.subarray(b * 50, (b + 1) * 50), count: 50 };
    await plain.trainBatch(batch, 1);
    await boxed.trainBatch(batch, 1);
  }
  for (const [p, q] of plain.net.params().map((p, i) => [p, boxed.net.params()[i]] as const)) {
    assert.equal(p.name, q.name);
    assert.ok(bytes(await engine.read(p.value)).equals(bytes(await engine.read(q.value))), `${p.name} differs`);
  }
});

for (const variant of [
  { name: 'FF, drifting box, noisy drifting chip', algo: 'ff', cfg: { ...FF_BOX, epochs: 2, analogVariation: 0.1, analogMulNoise: 0.05, analogWeightNoise: 0.02, analogDrift: 0.001 } },
  { name: 'BP, learned box model, noisy chip', algo: 'bp', cfg: { ...BP_DEFAULTS, layers: [64, 64], epochs: 2, batchSize: 50, boxAfter: 1, boxDrift: 0.01, boxModel: 'learned', analogGain: 0.1, analogAddNoise: 0.05 } },
  { name: 'BP, stale box model', algo: 'bp', cfg: { ...BP_DEFAULTS, layers: [64, 64], epochs: 2, batchSize: 50, boxAfter: 1, boxDrift: 0.01, boxModel: 'stale' } },
] as const) {
  test(`a run with stages resumes bit-identically (${variant.name})`, async () => {
    const engine = getEngine();
    const data = await smallMnist(400);
    const make = () => (variant.algo === 'ff' ? new FFModel(engine, variant.cfg as FFConfig, SHAPE) : new BPModel(engine, variant.cfg as BPConfig, SHAPE));
    const dir = mkdtempSync(path.join(tmpdir(), 'stages-resume-'));
    try {
      const whole = path.join(dir, 'whole');
      const parts = path.join(dir, 'parts');
      await train(make(), data, { outDir: whole });
      await train(make(), data, { outDir: parts, stopAfter: 1 });
      const ck1 = loadCheckpoint(parts);
      const resumed = getAlgorithm(variant.algo).fromCheckpoint(engine, ck1);
      await train(resumed, data, { outDir: parts, startEpoch: 2, elapsedBefore: Number(ck1.state.elapsed) });
      const ckA = loadCheckpoint(whole);
      const ckB = loadCheckpoint(parts);
      assert.deepEqual([...ckB.tensors.keys()].sort(), [...ckA.tensors.keys()].sort());
      for (const [name, t] of ckA.tensors) assert.ok(bytes(ckB.tensors.get(name)!.data).equals(bytes(t.data)), `tensor ${name} differs after resume`);
      assert.deepEqual(ckB.state.stages, ckA.state.stages);
      assert.deepEqual(timeless(readMetrics(parts)), timeless(readMetrics(whole)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('stages refuse nets they cannot sit in, in one line', () => {
  const engine = getEngine();
  assert.throws(() => new FFModel(engine, { ...FF_DEFAULTS, layers: [20, 20], boxAfter: 2 }, SHAPE), (e) => oneLine(e, /--box-after must be in 1\.\.1/));
  assert.throws(() => new FFModel(engine, { ...FF_DEFAULTS, layers: [20, 20], boxDrift: 0.1 }, SHAPE), (e) => oneLine(e, /--box-drift needs a box/));
  assert.throws(() => new FFModel(engine, { ...FF_DEFAULTS, layers: [20, 20], architecture: 'recurrent', labelInput: 'auto', boxAfter: 1 }, SHAPE), (e) => oneLine(e, /feed-forward/));
  assert.throws(() => new BPModel(engine, { ...BP_DEFAULTS, layers: [64, 36], analogGain: 0.1, connectivity: 'grid', grid: '10/6/4,2/1/4' }, SHAPE), (e) => oneLine(e, /dense/));
});

test("backprop's learned twin of a box fits it (relative error < 20 % after 600 minibatches; 11.4–11.9 % over 5 seeds, a plain gradient fit stays near 40 %)", async () => {
  const engine = getEngine();
  const w = 60;
  const rows = 50;
  const box = new BlackBox(engine, w, 1, 0, 7, 8);
  const rng = new Rng(testSeed(3));
  const twin = boxModelFor('learned', box, engine, () => rng.normal());
  const x = engine.zeros(rows, w);
  const y = engine.zeros(rows, w);
  // Correlated non-negative inputs, as hidden activities are.
  const basis = rng.fillNormal(new Float32Array(15 * w), 1);
  let first = 0;
  let last = 0;
  for (let step = 0; step < 600; step++) {
    const h = new Float32Array(rows * w);
    for (let i = 0; i < rows; i++) {
      const c = rng.fillNormal(new Float32Array(15), 1);
      for (let j = 0; j < w; j++) {
        let s = 0.3 * rng.normal();
        for (let k = 0; k < 15; k++) s += c[k] * basis[k * w + j];
        h[i * w + j] = Math.max(0, s);
      }
    }
    engine.write(x, h);
    box.forward(x, y);
    const err = (await twin.observe(x, y, 1))!;
    if (step === 0) first = err;
    last = err;
  }
  assert.ok(first > 0.5, `a random twin starts far off (${first})`);
  assert.ok(last < 0.2, `the twin's relative error after 600 minibatches: ${last}`);
});
