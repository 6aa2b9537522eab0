// The core trains without Node: a child process where src/ cannot import any Node module
// and has no Buffer, setImmediate or process (test/helpers/no-node/) imports src/core.ts (the
// browser entry), trains a tiny FF net on synthetic data into a memory run store, pauses and
// resumes it, and reloads the model from the checkpoint bytes — on the WebAssembly engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const url = (p: string) => pathToFileURL(path.resolve(p)).href;

const CHILD = `
const core = await import(${JSON.stringify(url('src/core.ts'))});
const { WasmEngine, FF_DEFAULTS, FFModel, createFFModel, train, MemoryRunStore, readCheckpoint, encodeCheckpoint,
  decodeCheckpoint, readMetricsLog, CHECKPOINT_FILE } = core;

// Ten classes, each a bright bar at its own row of an 8×8 image, plus noise.
function split(count, seed) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const images = new Float32Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = 0.2 * rand() + (Math.floor(p / 8) === labels[i] % 8 && p % 8 >= (labels[i] < 8 ? 0 : 4) ? 0.8 : 0);
  }
  return { images, labels, count, height: 8, width: 8, channels: 1 };
}
const data = {
  name: 'synthetic', numClasses: 10, classNames: [...'0123456789'], train: split(200, 1), valid: split(50, 2), test: split(50, 3),
  testDescription: 'synthetic', validDescription: 'synthetic', validOverlapsTrain: false, dir: '',
};
const engine = new WasmEngine(); // the browser's engine (JsEngine's kernels and the wasm products)
const cfg = { ...FF_DEFAULTS, dataset: 'synthetic', layers: [20, 20], epochs: 2, batchSize: 50, evalEvery: 1 };

// Uninterrupted, and stopped after epoch 1 then resumed from the store's checkpoint.
const whole = new MemoryRunStore();
const a = createFFModel(engine, cfg, data);
const ra = await train(a, data, { store: whole });
const parts = new MemoryRunStore();
await train(createFFModel(engine, cfg, data), data, { store: parts, stopAfter: 1 });
const ck1 = readCheckpoint(parts);
const b = FFModel.fromCheckpoint(engine, ck1);
await train(b, data, { store: parts, startEpoch: Number(ck1.state.epoch) + 1 });

const ckA = readCheckpoint(whole);
const ckB = readCheckpoint(parts);
const sameTensors = [...ckA.tensors].every(([name, t]) => {
  const u = ckB.tensors.get(name);
  return u !== undefined && u.data.length === t.data.length && u.data.every((v, i) => Object.is(v, t.data[i]));
});
const bytes = whole.read(CHECKPOINT_FILE);
const again = encodeCheckpoint(decodeCheckpoint(bytes, 'memory'));
const reloaded = FFModel.fromCheckpoint(engine, ckA);
const p1 = await a.classify(data.test.images, data.test.count, 'goodness');
const p2 = await reloaded.classify(data.test.images, data.test.count, 'goodness');

// The hooks are live: a Node-side module of src/ cannot be loaded here.
let blocked = '';
try {
  await import(${JSON.stringify(url('src/train/node-run-store.ts'))});
} catch (e) {
  blocked = String(e.message);
}
console.log('RESULT', JSON.stringify({
  epochs: ra.epochs,
  files: whole.list().sort(),
  metricsLines: [readMetricsLog(whole).length, readMetricsLog(parts).length],
  valid: ra.metrics.at(-1).valid,
  verified: ckA.verified,
  epochInCheckpoint: ckA.state.epoch,
  sameTensors,
  bytesRoundTrip: again.length === bytes.length && again.every((v, i) => v === bytes[i]),
  samePredictions: p1.predictions.every((v, i) => v === p2.predictions[i]),
  blocked,
}));
`;

test('the core trains, checkpoints and resumes with no Node module, Buffer, setImmediate or process', (ctx) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-node-free-'));
  try {
    const file = path.join(dir, 'child.mts');
    writeFileSync(file, CHILD);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', url('test/helpers/no-node/register.mjs'), file], {
      encoding: 'utf8',
      cwd: process.cwd(),
    });
    assert.equal(r.status, 0, `the core failed without Node:\n${r.stderr}`);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `no RESULT line in: ${r.stdout}\n${r.stderr}`);
    const res = JSON.parse(line.slice(7));
    ctx.diagnostic(`validation error ${JSON.stringify(res.valid)}`);
    assert.equal(res.epochs, 2);
    assert.deepEqual(res.files, ['checkpoint.safetensors', 'config.json', 'metrics.jsonl']);
    assert.deepEqual(res.metricsLines, [2, 2]);
    assert.equal(res.verified, true);
    assert.equal(res.epochInCheckpoint, 2);
    assert.ok(res.sameTensors, 'a run paused and resumed through the memory store ends with the same tensors');
    assert.ok(res.bytesRoundTrip, 'checkpoint bytes decode and encode to the same bytes');
    assert.ok(res.samePredictions, 'the model reloaded from the checkpoint predicts the same labels');
    assert.match(res.blocked, /Node module 'node:fs' imported by src\/train\/node-run-store\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
