// Backprop through the shared training loop: a run stopped after epoch 1 and resumed from its
// checkpoint ends bit-identical (weights, optimizer state, RNG, metrics) to an uninterrupted
// run; and the 'bp' algorithm is registered with its presets and options.
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
import { applyOptions, parseOverrideArgs } from '../../src/train/options.js';
import { getPreset } from '../../src/experiments/presets.js';
import { readMetrics, train } from '../../src/train/trainer.js';

const SHAPE = { height: 28, width: 28, channels: 1, numClasses: 10 };

/** Metrics without the wall-clock fields. */
const timeless = (ms: Record<string, unknown>[]) =>
  ms.map(({ seconds: _s, elapsed: _e, validSeconds: _v, ...rest }) => rest);

for (const variant of [
  { name: 'momentum', cfg: {} },
  { name: 'adam + jitter + rms input', cfg: { optimizer: 'adam', lr: 0.001, jitter: 1, inputNorm: 'rms' } },
] as const) {
  test(`BP train + save/resume is bit-identical to an uninterrupted run (${variant.name})`, async () => {
    const engine = getEngine();
    const data = await loadDataset('mnist');
    const small = { ...data, train: subset(data.train, 0, 600), valid: subset(data.valid, 0, 200) };
    const cfg: BPConfig = { ...BP_DEFAULTS, layers: [64, 32], epochs: 2, batchSize: 50, evalEvery: 1, ...variant.cfg };
    const dir = mkdtempSync(path.join(tmpdir(), 'bp-resume-'));
    try {
      const whole = path.join(dir, 'whole');
      const parts = path.join(dir, 'parts');
      const a = await train(new BPModel(engine, cfg, SHAPE), small, { outDir: whole });

      const first = await train(new BPModel(engine, cfg, SHAPE), small, { outDir: parts, stopAfter: 1 });
      assert.equal(first.metrics.length, 1);
      const ck1 = loadCheckpoint(parts);
      assert.equal(ck1.algo, 'bp');
      assert.equal(ck1.state.epoch, 1);
      const resumed = getAlgorithm('bp').fromCheckpoint(engine, ck1);
      const b = await train(resumed, small, { outDir: parts, startEpoch: Number(ck1.state.epoch) + 1, elapsedBefore: Number(ck1.state.elapsed) });
      assert.equal(b.metrics.length, 1);

      const ckA = loadCheckpoint(whole);
      const ckB = loadCheckpoint(parts);
      assert.deepEqual([...ckB.tensors.keys()].sort(), [...ckA.tensors.keys()].sort());
      for (const [name, t] of ckA.tensors) {
        const u = ckB.tensors.get(name)!;
        assert.deepEqual(u.shape, t.shape, name);
        assert.ok(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), `tensor ${name} differs after resume`);
      }
      const { elapsed: _ea, ...stateA } = ckA.state;
      const { elapsed: _eb, ...stateB } = ckB.state;
      assert.deepEqual(stateB, stateA);
      assert.deepEqual(timeless(readMetrics(parts)), timeless(readMetrics(whole)));
      assert.deepEqual(timeless(b.metrics), timeless(a.metrics.slice(1)));
      // The metrics carry what the CLI prints.
      const m = a.metrics[1];
      for (const k of ['gain', 'trainLoss', 'trainError']) assert.equal(typeof m[k], 'number', k);
      assert.equal((m.weightRms as number[]).length, 3);
      assert.deepEqual(Object.keys(m.valid ?? {}), ['output']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("'bp' is registered: presets give the FF architecture and budget, options parse", () => {
  const bp = getAlgorithm('bp');
  const hinton = bp.presetConfig('hinton');
  assert.equal(hinton.algo, 'bp');
  assert.deepEqual(hinton.layers, getPreset('hinton').ff.layers);
  assert.equal(hinton.epochs, getPreset('hinton').ff.epochs);
  assert.equal(hinton.optimizer, BP_DEFAULTS.optimizer);
  const quick = bp.presetConfig('quick');
  assert.deepEqual(quick.layers, getPreset('quick').ff.layers);
  assert.equal(quick.evalSubset, getPreset('quick').ff.evalSubset);
  const cfg = applyOptions(quick, parseOverrideArgs(['--lr', '0.2', '--input-norm', 'rms', '--layers', '20,10'], bp.specs), bp.specs);
  assert.equal(cfg.lr, 0.2);
  assert.equal(cfg.inputNorm, 'rms');
  assert.deepEqual(cfg.layers, [20, 10]);
  assert.throws(() => parseOverrideArgs(['--label-strength', '3'], bp.specs), /unknown option --label-strength/);
  assert.throws(() => applyOptions(quick, { inputNorm: 'l2' }, bp.specs), /--input-norm must be one of none, rms/);
});
