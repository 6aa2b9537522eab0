// Bit-identical resume holds for one engine and BLAS thread count, so checkpoints record both
// and `ff train --resume` warns (one line) when they differ; checkpoints from before the
// fields existed load without a warning.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { DatasetSplits, ImageSet } from '../../src/data/dataset.js';
import type { Engine } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { FF_DEFAULTS } from '../../src/ff/config.js';
import { createFFModel, FFModel } from '../../src/ff/ff-model.js';
import { arithmeticSettings, blasThreadsOf, resumeSettingsWarning } from '../../src/train/blas-threads.js';
import { CHECKPOINT_FILE, decodeCheckpoint, encodeCheckpoint, readCheckpoint } from '../../src/train/checkpoint-format.js';
import { MemoryRunStore } from '../../src/train/memory-run-store.js';
import { train } from '../../src/train/training-loop.js';
import { engines } from '../helpers/engines.js';

/** Ten 8×8 classes, each a bar at its own row, plus noise. */
function split(count: number, seed: number): ImageSet {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const images = new Float32Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = 0.2 * rand() + (Math.floor(p / 8) === labels[i] % 8 ? 0.8 : 0);
  }
  return { images, labels, count, height: 8, width: 8, channels: 1 };
}
const data: DatasetSplits = {
  name: 'synthetic', numClasses: 10, classNames: [...'0123456789'], train: split(100, 1), valid: split(20, 2), test: split(20, 3),
  testDescription: 'synthetic', validDescription: 'synthetic', validOverlapsTrain: false, dir: '',
};
const cfg = { ...FF_DEFAULTS, dataset: 'synthetic', layers: [12, 12], epochs: 1, batchSize: 50 };

/** An engine that says it is native with `threads` BLAS threads (the js arithmetic underneath). */
function fakeNative(threads: number): Engine {
  return Object.assign(Object.create(new JsEngine()) as JsEngine, { name: 'native', addon: { blasThreads: () => threads } });
}

test('BLAS threads: the js engine computes on 1, the native engine on what its addon says', () => {
  for (const e of engines()) {
    const n = blasThreadsOf(e);
    if (e.name === 'js') assert.equal(n, 1);
    else assert.ok(n === null || (Number.isInteger(n) && n >= 1), `native blasThreads ${n}`);
  }
  assert.equal(blasThreadsOf(fakeNative(4)), 4);
  assert.equal(blasThreadsOf(fakeNative(-1)), null, "a BLAS that does not report its threads: unknown, not -1");
});

test('the training loop records the engine and its BLAS thread count in every checkpoint', async () => {
  const engine = new JsEngine();
  const store = new MemoryRunStore();
  await train(createFFModel(engine, cfg, data), data, { store });
  const ck = readCheckpoint(store);
  assert.equal(ck.state.engine, 'js');
  assert.equal(ck.state.blasThreads, 1);
  assert.equal(resumeSettingsWarning(ck.state, engine), undefined, 'same settings: no warning');
});

test('resume warning: one line when the thread count or engine differs, none for older checkpoints', () => {
  const saved = { ...arithmeticSettings(fakeNative(2)), epoch: 1 };
  assert.equal(resumeSettingsWarning(saved, fakeNative(2)), undefined);
  const fewer = resumeSettingsWarning(saved, fakeNative(1));
  assert.ok(fewer && !fewer.includes('\n'));
  assert.match(fewer, /^this run was trained on 2 BLAS threads \(native engine\) and resumes on 1 BLAS thread \(native engine\): results may differ .* in the last bits/);
  assert.match(resumeSettingsWarning(saved, new JsEngine()) ?? '', /trained on 2 BLAS threads \(native engine\) and resumes on 1 BLAS thread \(js engine\)/);
  // A checkpoint from before the fields, or a BLAS that cannot tell: nothing to compare.
  assert.equal(resumeSettingsWarning({ epoch: 3 }, fakeNative(8)), undefined);
  assert.equal(resumeSettingsWarning(saved, fakeNative(-1)), undefined);
});

test('a checkpoint without the fields (written before they existed) loads', async () => {
  const engine = new JsEngine();
  const store = new MemoryRunStore();
  const model = createFFModel(engine, cfg, data);
  await train(model, data, { store });
  const ck = readCheckpoint(store);
  const { engine: _e, blasThreads: _t, ...older } = ck.state;
  const reread = decodeCheckpoint(encodeCheckpoint({ ...ck, state: older }), 'older');
  assert.equal(reread.state.blasThreads, undefined);
  const again = FFModel.fromCheckpoint(engine, reread);
  const w = await engine.read(again.net.weights[0].value);
  assert.deepEqual(w, await engine.read(model.net.weights[0].value));
  assert.equal(resumeSettingsWarning(reread.state, engine), undefined);
});

test('ff train --resume prints one warning line when the checkpoint was written on another thread count', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-blas-threads-'));
  const ff = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  const tiny = ['--preset', 'quick', '--layers', '16', '--epochs', '3', '--train-subset', '1000', '--eval-subset', '200', '--no-progress'];
  try {
    const run = path.join(dir, 'run');
    const a = ff('train', ...tiny, '--out', run, '--stop-after', '1');
    assert.equal(a.status, 0, a.stderr);
    const file = path.join(run, CHECKPOINT_FILE);
    const ck = decodeCheckpoint(readFileSync(file), file);
    assert.equal(typeof ck.state.engine, 'string');
    const threads = ck.state.blasThreads;
    assert.ok(threads === null || (typeof threads === 'number' && threads >= 1), `blasThreads ${threads}`);
    // Same machine, same settings: no warning.
    const b = ff('train', '--resume', run, '--no-progress', '--stop-after', '2');
    assert.equal(b.status, 0, b.stderr);
    assert.doesNotMatch(b.stderr, /warning/);
    // The checkpoint claims another thread count (re-encoded, so its checksum is valid again).
    const other = decodeCheckpoint(readFileSync(file), file);
    const claimed = (typeof threads === 'number' ? threads : 1) + 7;
    writeFileSync(file, encodeCheckpoint({ ...other, state: { ...other.state, blasThreads: claimed } }));
    const c = ff('train', '--resume', run, '--no-progress');
    assert.equal(c.status, 0, c.stderr);
    const warnings = c.stderr.split('\n').filter((l) => l.includes('warning:'));
    if (threads === null) {
      assert.equal(warnings.length, 0, 'this BLAS does not report its threads: nothing to compare');
    } else {
      assert.equal(warnings.length, 1, c.stderr);
      assert.match(warnings[0], new RegExp(`^ff: warning: this run was trained on ${claimed} BLAS threads \\(\\w+ engine\\) and resumes on ${threads} BLAS threads? `));
    }
    const results = JSON.parse(readFileSync(path.join(run, 'results.json'), 'utf8')) as { blasThreads?: unknown };
    assert.equal(results.blasThreads, threads);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
