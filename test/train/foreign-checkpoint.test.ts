// Checkpoints written or re-written by other tools: no checksum is "not verified", not
// corruption; a present but wrong checksum still is. Wrong shapes, missing metadata, the
// wrong algorithm or a malformed config are refused in one line that says what is wrong.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { BPModel } from '../../src/bp/bp-model.js';
import { BP_DEFAULTS } from '../../src/bp/config.js';
import { Rng } from '../../src/engine/rng.js';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { loadRun } from '../../src/experiments/load-run.js';
import type { TrainableModel } from '../../src/train/model.js';
import { readForeignSafetensors, writeForeignSafetensors, type ForeignTensor } from './foreign-safetensors.js';

const engine = getEngine();
const SHAPE = { height: 28, width: 28, channels: 1, numClasses: 10 };
const root = mkdtempSync(path.join(tmpdir(), 'ff-foreign-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
function newDir(): string {
  const dir = path.join(root, `run${++dirs}`);
  mkdirSync(dir);
  return dir;
}

/** A run directory holding a freshly saved (untrained) model, and the file's tensors and metadata. */
async function savedRun(model: TrainableModel) {
  const dir = newDir();
  saveCheckpoint(dir, await model.toCheckpoint());
  return { dir, ...readForeignSafetensors(path.join(dir, CHECKPOINT_FILE)) };
}

/** A run directory whose checkpoint another tool wrote with these tensors and metadata. */
function foreignRun(tensors: ForeignTensor[], metadata?: Record<string, string>): string {
  const dir = newDir();
  writeForeignSafetensors(path.join(dir, CHECKPOINT_FILE), tensors, metadata);
  return dir;
}

function withoutChecksum(metadata: Record<string, string>): Record<string, string> {
  const { sha256, ...rest } = metadata;
  assert.ok(sha256, 'our own checkpoints carry a sha256');
  return rest;
}

/** Asserts that `fn` throws a one-line error matching `re`. */
function throwsOneLine(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(!e.message.includes('\n'), `not one line: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

function randomImages(count: number): Float32Array {
  const rng = new Rng(3);
  return Float32Array.from({ length: count * 784 }, () => rng.uniform());
}

const ffModel = () => new FFModel(engine, { ...FF_DEFAULTS, layers: [20, 12] }, SHAPE);

test('a checkpoint re-saved without our checksum loads, predicts identically, and says it was not verified', async () => {
  const { dir, tensors, metadata } = await savedRun(ffModel());
  const ours = loadRun(engine, dir);
  assert.equal(loadCheckpoint(dir).verified, true);
  assert.deepEqual(ours.warnings, []);

  // Same tensors (in another order, biases as plain vectors as PyTorch keeps them), our config, no sha256.
  const vectors = tensors.map((t) => (t.name.endsWith('.bias') ? { ...t, shape: [t.data.length] } : t));
  const foreign = foreignRun(vectors.reverse(), withoutChecksum(metadata));
  assert.equal(loadCheckpoint(foreign).verified, false);
  const theirs = loadRun(engine, foreign);
  assert.equal(theirs.warnings.length, 1);
  assert.match(theirs.warnings[0], /checkpoint\.safetensors: .*not verified/);

  const images = randomImages(40);
  for (const mode of ['softmax', 'goodness']) {
    const a = await ours.model.predict(images, 40, mode);
    const b = await theirs.model.predict(images, 40, mode);
    assert.deepEqual(b.predictions, a.predictions, `${mode} predictions differ`);
    assert.deepEqual(b.scores, a.scores, `${mode} scores differ`);
  }
});

test('a checksum that is present but does not match is still corruption', async () => {
  const { tensors, metadata } = await savedRun(ffModel());
  const dir = foreignRun(tensors, { ...metadata, sha256: '0'.repeat(64) });
  throwsOneLine(() => loadCheckpoint(dir), /corrupt checkpoint \(checksum mismatch\)/);
});

test('without our metadata the model cannot be rebuilt: one clear line', async () => {
  const { tensors, metadata } = await savedRun(ffModel());
  throwsOneLine(() => loadRun(engine, foreignRun(tensors)), /checkpoint\.safetensors: no algo, config, state metadata.*cannot be rebuilt/);
  const { config: _config, ...noConfig } = withoutChecksum(metadata);
  throwsOneLine(() => loadRun(engine, foreignRun(tensors, noConfig)), /no config metadata.*cannot be rebuilt/);
  throwsOneLine(() => loadRun(engine, foreignRun(tensors, { format: 'pt' })), /not a forward-forward checkpoint \(format 'pt'\)/);
});

test("every tensor's shape is checked against the config, not only its size", async () => {
  const { tensors, metadata } = await savedRun(ffModel());
  const transposed = tensors.map((t) => (t.name === 'layer1.weight' ? { ...t, shape: [20, 784] } : t));
  throwsOneLine(
    () => loadRun(engine, foreignRun(transposed, withoutChecksum(metadata))),
    /checkpoint\.safetensors: tensor layer1\.weight has shape \[20,784\], expected \[784,20\]$/,
  );
  const missing = tensors.filter((t) => t.name !== 'layer2.bias');
  throwsOneLine(() => loadRun(engine, foreignRun(missing, withoutChecksum(metadata))), /tensor layer2\.bias is missing \(expected shape \[1,12\]\)$/);
});

test('metadata naming the wrong algorithm, or a config of the wrong shape: one clear line', async () => {
  const ff = await savedRun(ffModel());
  const bp = await savedRun(new BPModel(engine, { ...BP_DEFAULTS, layers: [20] }, SHAPE));
  const meta = (m: Record<string, string>, patch: Record<string, string>) => ({ ...withoutChecksum(m), ...patch });
  const config = (patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(ff.metadata.config), ...patch });

  const cases: [ForeignTensor[], Record<string, string>, RegExp][] = [
    [ff.tensors, meta(ff.metadata, { algo: 'bp' }), /metadata says algo 'bp' but its config is for 'ff'/],
    [bp.tensors, meta(bp.metadata, { algo: 'ff' }), /metadata says algo 'ff' but its config is for 'bp'/],
    [ff.tensors, meta(ff.metadata, { algo: 'xyz' }), /unknown algorithm 'xyz' \(this version knows ff, bp\)/],
    [ff.tensors, meta(ff.metadata, { config: config({ layers: 'abc' }) }), /config layers = "abc" is not valid for algo 'ff'/],
    [ff.tensors, meta(ff.metadata, { config: config({ layers: undefined, goodness: undefined }) }), /config for algo 'ff' lacks layers, goodness$/],
    [ff.tensors, meta(ff.metadata, { config: config({ norm: 'l3' }) }), /config norm = "l3" is not valid/],
    [ff.tensors, meta(ff.metadata, { config: '[1, 2]' }), /config is not an object/],
    [ff.tensors, meta(ff.metadata, { state: '{}' }), /state\.shape is missing or invalid/],
  ];
  for (const [tensors, metadata, re] of cases) {
    throwsOneLine(() => loadRun(engine, foreignRun(tensors, metadata)), re);
  }
});
