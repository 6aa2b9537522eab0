// Regularisation options of the one training loop (issue 34, item 3): early stopping keeps the
// best validation's weights and ends the run when validation stops improving; input dropout
// zeroes inputs during training only. Both off = nothing drawn, nothing kept: runs train as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/registry.js';
import { dropInputs } from '../../src/data/input-dropout.js';
import { Rng } from '../../src/engine/rng.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { BEST_CHECKPOINT_FILE } from '../../src/train/early-stopping.js';
import { readCheckpoint } from '../../src/train/checkpoint-format.js';
import { MemoryRunStore } from '../../src/train/memory-run-store.js';
import { train } from '../../src/train/training-loop.js';

const shape = { height: 28, width: 28, channels: 1, numClasses: 10 };
// A high rate on few images: validation error goes up and down, so the best epoch is not the last.
const base: FFConfig = { ...FF_DEFAULTS, layers: [30, 30], epochs: 6, batchSize: 50, lr: 0.05, evalEvery: 1 };

async function smallData() {
  const d = await loadDataset('mnist');
  return { ...d, train: subset(d.train, 0, 300), valid: subset(d.valid, 0, 200) };
}

async function weights(engine: JsEngine, m: FFModel): Promise<Float32Array[]> {
  return Promise.all(m.net.params().map((p) => engine.read(p.value)));
}

const strip = (m: object) => JSON.stringify(m, (k, v) => (/seconds|elapsed|bestEpoch/i.test(k) ? undefined : v));
const softmaxErrors = (ms: { valid?: Record<string, number> }[]) => ms.map((m) => m.valid!.softmax);

test('early stopping keeps the best validation epoch: its checkpoint equals a run stopped after that epoch', async () => {
  const data = await smallData();
  const engine = new JsEngine();
  const plain = await train(new FFModel(engine, base, shape), data);
  const errs = softmaxErrors(plain.metrics);
  const bestEpoch = errs.indexOf(Math.min(...errs)) + 1;
  assert.ok(bestEpoch < base.epochs, `the test needs a best epoch before the last (errors ${errs.join(' ')})`);

  const store = new MemoryRunStore();
  const early = new FFModel(engine, { ...base, earlyStop: 100 }, shape);
  const r = await train(early, data, { store });
  assert.equal(strip(r.metrics), strip(plain.metrics), 'early stopping does not change training');
  assert.equal(r.bestEpoch, bestEpoch);
  assert.equal(r.stoppedEarly, false, 'patience 100 never runs out in 6 epochs');

  const upTo = new FFModel(engine, base, shape);
  await train(upTo, data, { stopAfter: bestEpoch });
  const want = await weights(engine, upTo);
  const fromBest = FFModel.fromCheckpoint(engine, r.best!);
  assert.deepEqual(await weights(engine, fromBest), want, "the returned checkpoint holds the best epoch's weights");
  const saved = FFModel.fromCheckpoint(engine, readCheckpoint(store));
  assert.deepEqual(await weights(engine, saved), want, "the run's last checkpoint holds them too");
  assert.ok(store.read(BEST_CHECKPOINT_FILE), 'best.safetensors is written');
  assert.notDeepEqual(await weights(engine, early), want, 'the live model trained on past the best epoch');
});

test('early stopping with patience P ends the run P validations after the best so far', async () => {
  const data = await smallData();
  const engine = new JsEngine();
  const errs = softmaxErrors((await train(new FFModel(engine, base, shape), data)).metrics);
  for (const patience of [1, 2]) {
    // The first epoch after which `patience` validations in a row have not beaten the best.
    let best = Infinity, since = 0, stop = base.epochs;
    for (let e = 0; e < errs.length; e++) {
      if (errs[e] < best) { best = errs[e]; since = 0; } else if (++since >= patience) { stop = e + 1; break; }
    }
    const r = await train(new FFModel(engine, { ...base, earlyStop: patience }, shape), data);
    assert.equal(r.epochs, stop, `patience ${patience}: errors ${errs.join(' ')}`);
    assert.equal(r.metrics.length, stop);
    assert.equal(r.stoppedEarly, stop < base.epochs);
  }
});

test('early stopping resumes: stopped after epoch 2 and resumed = trained at once', async () => {
  const data = await smallData();
  const engine = new JsEngine();
  const cfg = { ...base, earlyStop: 100 };
  const whole = await train(new FFModel(engine, cfg, shape), data);
  const store = new MemoryRunStore();
  await train(new FFModel(engine, cfg, shape), data, { store, stopAfter: 2 });
  const resumed = FFModel.fromCheckpoint(engine, readCheckpoint(store));
  const r = await train(resumed, data, { store, startEpoch: 3 });
  assert.equal(r.bestEpoch, whole.bestEpoch);
  assert.deepEqual(await weights(engine, FFModel.fromCheckpoint(engine, r.best!)), await weights(engine, FFModel.fromCheckpoint(engine, whole.best!)));
});

test('input dropout: p = 0 draws nothing and changes nothing; p > 0 zeroes about p of the values and keeps the mean', () => {
  const rng = new Rng(5);
  const before = JSON.stringify(rng.getState());
  const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 7) / 7);
  const copy = x.slice();
  dropInputs(x, 0, rng);
  assert.deepEqual(x, copy);
  assert.equal(JSON.stringify(rng.getState()), before, 'no draw at p = 0');

  const ones = new Float32Array(100_000).fill(1);
  dropInputs(ones, 0.25, rng);
  const zeros = ones.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / ones.length - 0.25) < 0.01, `${zeros} zeroed of ${ones.length}`);
  assert.ok(ones.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6), 'survivors scaled by 1/(1 − p)');
  const mean = ones.reduce((a, v) => a + v, 0) / ones.length;
  assert.ok(Math.abs(mean - 1) < 0.02, `mean ${mean}`);
  assert.throws(() => dropInputs(ones, 1, rng), /below 1/);
});

test('input dropout 0 trains bit-identically to a config without the option; 0.2 trains differently', async () => {
  const data = await smallData();
  const engine = new JsEngine();
  const cfg = { ...base, epochs: 1 };
  const { inputDropout: _, earlyStop: __, ...without } = cfg;
  const a = new FFModel(engine, without as FFConfig, shape);
  const b = new FFModel(engine, { ...cfg, inputDropout: 0, earlyStop: 0 }, shape);
  const c = new FFModel(engine, { ...cfg, inputDropout: 0.2 }, shape);
  for (const m of [a, b, c]) await train(m, data);
  assert.deepEqual(await weights(engine, b), await weights(engine, a));
  assert.notDeepEqual(await weights(engine, c), await weights(engine, a));
});
