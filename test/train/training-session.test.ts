// The training loop driven one minibatch at a time (as a browser page drives it) trains
// exactly what train() trains: same minibatches, RNG use, metrics and weights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/registry.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { train, TrainingSession } from '../../src/train/training-loop.js';

test('TrainingSession.step() one minibatch at a time = train()', async () => {
  const d = await loadDataset('mnist');
  const data = { ...d, train: subset(d.train, 0, 250), valid: subset(d.valid, 0, 100) };
  const cfg: FFConfig = { ...FF_DEFAULTS, layers: [20, 20], epochs: 2, batchSize: 100, jitter: 1, evalEvery: 1 };
  const shape = { height: 28, width: 28, channels: 1, numClasses: 10 };
  const engine = new JsEngine();
  const a = new FFModel(engine, cfg, shape);
  const ra = await train(a, data);

  const b = new FFModel(engine, cfg, shape);
  const session = new TrainingSession(b, data);
  assert.equal(session.batches, 3, '250 images in minibatches of 100: 3 steps per epoch (the last one short)');
  const seen: string[] = [];
  while (!session.done) {
    const r = await session.step();
    seen.push(`${r.epoch}.${r.batch}${r.epochMetrics ? '*' : ''}`);
  }
  assert.deepEqual(seen, ['1.1', '1.2', '1.3*', '2.1', '2.2', '2.3*']);
  assert.equal((await session.step()).done, true, 'a finished session does nothing');
  const strip = (m: object) => JSON.stringify(m, (k, v) => (/seconds|elapsed/i.test(k) ? undefined : v));
  assert.equal(strip(session.metrics), strip(ra.metrics));
  for (let i = 0; i < a.net.params().length; i++) {
    assert.deepEqual(await engine.read(b.net.params()[i].value), await engine.read(a.net.params()[i].value), a.net.params()[i].name);
  }
});
