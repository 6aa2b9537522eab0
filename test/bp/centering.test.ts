// Backprop gets the same centred colour images as FF (fair comparisons); the mean is saved
// with the model and a checkpoint from before centring existed loads uncentred.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { saveModel } from '../../src/api.js';
import { BPModel, createBPModel } from '../../src/bp/bp-model.js';
import { BP_DEFAULTS, type BPConfig } from '../../src/bp/config.js';
import { subset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/registry.js';
import { getEngine } from '../../src/engine/select.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { train } from '../../src/train/trainer.js';
import { NO_CIFAR } from '../helpers/optional.js';
import { testSeed } from '../helpers/seed.js';

const engine = getEngine();

test('BP on centred CIFAR-10 learns; input.mean travels with the checkpoint', { skip: NO_CIFAR }, async (ctx) => {
  const d = await loadDataset('cifar-10');
  const data = { ...d, train: subset(d.train, 0, 5000), valid: subset(d.valid, 0, 200) };
  const cfg: BPConfig = { ...BP_DEFAULTS, layers: [200], epochs: 2, lr: 0.01, evalEvery: 0, seed: testSeed(BP_DEFAULTS.seed) };
  const model = createBPModel(engine, cfg, data);
  assert.ok(model.net.inputMean, 'colour images are centred by default');
  await train(model, data);
  const t = subset(d.test, 0, 1000);
  const { predictions } = await model.predict(t.images, t.count, 'output');
  const acc = predictions.filter((y, i) => y === t.labels[i]).length / t.count;
  ctx.diagnostic(`accuracy ${JSON.stringify({ 'cifar-bp': acc })}`);
  // Seeds 1–10 × Haswell/SkylakeX kernels (scripts/seed-sweep.mjs, 2026-11-29): 0.348–0.370.
  assert.ok(acc > 0.3, `BP accuracy ${acc} on CIFAR-10 should exceed 0.3`);

  const dir = mkdtempSync(path.join(tmpdir(), 'bp-cifar-'));
  try {
    await saveModel(model, dir);
    const ck = loadCheckpoint(dir);
    const again = BPModel.fromCheckpoint(engine, ck);
    assert.deepEqual((await again.predict(t.images, 100)).scores, (await model.predict(t.images, 100)).scores);
    const old = { ...ck, config: { ...ck.config }, tensors: new Map([...ck.tensors].filter(([k]) => k !== 'input.mean')) };
    delete old.config.center;
    assert.equal(BPModel.fromCheckpoint(engine, old).net.inputMean, null, 'an old checkpoint was never centred');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
