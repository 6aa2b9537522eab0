// Backprop on a conv net (issue 32) through the shared training loop, on real MNIST: one epoch
// on 3,000 images learns (test error far below chance), and a run stopped after epoch 1 and
// resumed from its checkpoint ends bit-identical to an uninterrupted one (conv weights, GroupNorm
// nets and their checkpoints included).
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
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { train } from '../../src/train/trainer.js';

const SHAPE = { height: 28, width: 28, channels: 1, numClasses: 10 };
const CONV: Partial<BPConfig> = { connectivity: 'conv', window: 3, poolAfter: [1, 2], norm: 'group' };

test('BP on a conv net learns MNIST: 1 epoch on 3,000 images, test error < 20 %', async () => {
  const engine = getEngine();
  const data = await loadDataset('mnist');
  const small = { ...data, train: subset(data.train, 0, 3000), valid: subset(data.valid, 0, 200) };
  // lr 0.01: the default 0.1 also gets below 20 % (16.7 % on the full test set) but its first
  // steps overshoot (train loss ~9 nats: unit-variance GroupNorm features into the output layer).
  const cfg: BPConfig = { ...BP_DEFAULTS, ...CONV, layers: [20, 40], epochs: 1, lr: 0.01, evalEvery: 0 };
  const model = new BPModel(engine, cfg, SHAPE);
  await train(model, small, {});
  const test = subset(data.test, 0, 2000);
  const { predictions } = await model.predict(test.images, test.count);
  let wrong = 0;
  for (let i = 0; i < test.count; i++) if (predictions[i] !== test.labels[i]) wrong++;
  const error = wrong / test.count;
  assert.ok(error < 0.2, `test error ${(100 * error).toFixed(2)} % after one epoch`);
});

test('BP on a conv net: train + save/resume is bit-identical to an uninterrupted run', async () => {
  const engine = getEngine();
  const data = await loadDataset('mnist');
  const small = { ...data, train: subset(data.train, 0, 300), valid: subset(data.valid, 0, 100) };
  const cfg: BPConfig = { ...BP_DEFAULTS, ...CONV, layers: [4, 8], normGroups: 2, pool: 'avg', epochs: 2, batchSize: 50, evalEvery: 1 };
  const dir = mkdtempSync(path.join(tmpdir(), 'bp-conv-resume-'));
  try {
    const whole = path.join(dir, 'whole');
    const parts = path.join(dir, 'parts');
    await train(new BPModel(engine, cfg, SHAPE), small, { outDir: whole });
    await train(new BPModel(engine, cfg, SHAPE), small, { outDir: parts, stopAfter: 1 });
    const ck1 = loadCheckpoint(parts);
    const resumed = getAlgorithm('bp').fromCheckpoint(engine, ck1);
    await train(resumed, small, { outDir: parts, startEpoch: Number(ck1.state.epoch) + 1, elapsedBefore: Number(ck1.state.elapsed) });
    const ckA = loadCheckpoint(whole);
    const ckB = loadCheckpoint(parts);
    assert.deepEqual(ckA.tensors.get('layer1.weight')?.shape, [3 * 3 * 1, 4]);
    assert.deepEqual([...ckB.tensors.keys()].sort(), [...ckA.tensors.keys()].sort());
    for (const [name, t] of ckA.tensors) {
      const u = ckB.tensors.get(name)!;
      assert.ok(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), `tensor ${name} differs after resume`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
