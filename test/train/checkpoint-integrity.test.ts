// What a checkpoint's checksum protects (issue 16): the whole header — algo, config, state —
// and the tensors, not only the tensors; non-finite weights are refused, naming the tensor;
// a verified file with config keys this version does not know is refused; a damaged header
// byte is not decoded into U+FFFD. Version-1 files (tensors-only checksum) still load, unverified.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { loadRun } from '../../src/experiments/load-run.js';
import { FF_DEFAULTS } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { CHECKPOINT_FILE, checkpointWarnings, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.js';
import { Sha256 } from '../../src/util/sha256.js';

const engine = getEngine();
const SHAPE = { height: 28, width: 28, channels: 1, numClasses: 10 };
const root = mkdtempSync(path.join(tmpdir(), 'ff-integrity-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function tinyCheckpoint(): Promise<Checkpoint> {
  return new FFModel(engine, { ...FF_DEFAULTS, layers: [20, 12] }, SHAPE).toCheckpoint();
}

/** The file's bytes with the first `from` in its header replaced by `to` (same length, so offsets hold). */
function editHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  assert.equal(from.length, to.length);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = Buffer.from(bytes.subarray(8, 8 + n)).toString('latin1');
  const at = header.indexOf(from);
  assert.ok(at >= 0, `header holds ${from}`);
  const out = Uint8Array.from(bytes);
  out.set(Buffer.from(to, 'latin1'), 8 + at);
  return out;
}

function throwsOneLine(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(!e.message.includes('\n'), `not one line: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

test('an edited config value, state word or config key in the header is a checksum mismatch', async () => {
  const bytes = encodeCheckpoint(await tinyCheckpoint());
  assert.equal(decodeCheckpoint(bytes, 'ck').verified, true);
  // The example: "lr":0.01 → 0.09, which resumed silently when only tensors were hashed.
  const lr = editHeader(bytes, '\\"lr\\":0.01', '\\"lr\\":0.09');
  throwsOneLine(() => decodeCheckpoint(lr, 'ck'), /^ck: corrupt checkpoint \(checksum mismatch\)$/);
  // A flipped digit of the saved RNG state.
  const ck = decodeCheckpoint(bytes, 'ck');
  const word = String((ck.state.rng as { s: number[] }).s[0]);
  const flipped = word.slice(0, -1) + String((Number(word.at(-1)) + 1) % 10);
  throwsOneLine(() => decodeCheckpoint(editHeader(bytes, word, flipped), 'ck'), /checksum mismatch/);
  // A renamed config key (same length), which used to fall back to its default.
  throwsOneLine(() => decodeCheckpoint(editHeader(bytes, '\\"seed\\"', '\\"sEed\\"'), 'ck'), /checksum mismatch/);
});

test('a verified checkpoint whose config has a key this version does not know is refused', async () => {
  const ck = await tinyCheckpoint();
  const dir = path.join(root, 'unknown-key');
  const { seed, ...rest } = ck.config;
  const renamed: Checkpoint = { ...ck, config: { ...rest, sEed: seed } };
  writeCheckpointFile(dir, encodeCheckpoint(renamed));
  throwsOneLine(() => loadRun(engine, dir), /checkpoint\.safetensors: config for algo 'ff' has unknown key "sEed"/);
  // The preset a run was made from is a record, not an option: it loads.
  writeCheckpointFile(dir, encodeCheckpoint({ ...ck, config: { ...ck.config, preset: 'quick' } }));
  assert.equal(loadRun(engine, dir).config.preset, 'quick');
});

test('a header byte that is not UTF-8 is refused, not decoded as U+FFFD', async () => {
  const bytes = encodeCheckpoint(await tinyCheckpoint());
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = Buffer.from(bytes.subarray(8, 8 + n)).toString('latin1');
  const bad = Uint8Array.from(bytes);
  const at = header.indexOf('forward-forward/checkpoint');
  assert.ok(at > 0);
  bad[8 + at + 3] = 0xff; // inside the format string
  throwsOneLine(() => decodeSafetensors(bad, 'ck'), /^ck: not a valid safetensors file \(header is not valid UTF-8\)$/);
  throwsOneLine(() => decodeCheckpoint(bad, 'ck'), /header is not valid UTF-8/);
});

test('non-finite weights are refused, naming the tensor; allowNonFinite loads them for inspection', async () => {
  const ck = await tinyCheckpoint();
  const w = ck.tensors.get('layer2.weight')!;
  w.data[5] = Number.NaN;
  w.data[7] = Number.POSITIVE_INFINITY;
  const bytes = encodeCheckpoint(ck);
  throwsOneLine(() => decodeCheckpoint(bytes, 'ck'), /^ck: tensor layer2\.weight holds 2 non-finite values \(first NaN at index 5\)/);
  const dir = path.join(root, 'nan');
  writeCheckpointFile(dir, bytes);
  throwsOneLine(() => loadRun(engine, dir), /tensor layer2\.weight holds 2 non-finite values/);
  const loaded = decodeCheckpoint(bytes, 'ck', { allowNonFinite: true });
  assert.ok(Number.isNaN(loaded.tensors.get('layer2.weight')!.data[5]));
  assert.equal(loaded.verified, true);
});

test('a version-1 checkpoint (tensors-only checksum) loads, unverified, with a warning; a wrong tensor checksum is still corruption', async () => {
  const ck = await tinyCheckpoint();
  const v1 = (sha256: string) =>
    encodeSafetensors(ck.tensors, { format: 'forward-forward/checkpoint/1', algo: ck.algo, config: JSON.stringify(ck.config), state: JSON.stringify(ck.state), sha256 });
  const h = new Sha256();
  for (const [name, t] of [...ck.tensors].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(`${name}:${t.shape.join('x')};`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  const old = decodeCheckpoint(v1(h.hex()), 'ck');
  assert.equal(old.verified, false);
  assert.deepEqual(checkpointWarnings(old), ['ck: written by an older version whose checksum covers the tensors only, so its config and state were not verified']);
  assert.deepEqual(old.config, ck.config);
  throwsOneLine(() => decodeCheckpoint(v1('0'.repeat(64)), 'ck'), /corrupt checkpoint \(checksum mismatch\)/);
});

function writeCheckpointFile(dir: string, bytes: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, CHECKPOINT_FILE), bytes);
}

test('a checksummed config whose sizes do not fit its tensors is refused before anything is allocated', async () => {
  const ck = await tinyCheckpoint();
  const dir = path.join(root, 'sizes');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ layers: [1842764855, 12] }, /tensor layer1\.bias holds 20 values, but config layers says layer 1 has 1842764855 units$/],
    [{ layers: [20, 12, 7] }, /tensor layer3\.bias is missing \(expected shape \[1,7\]\)$/],
    [{ iterations: 1_700_000_000 }, /config iterations = 1700000000 is outside \[1, 100\]$/],
    [{ seed: 'x'.repeat(2000) }, /config seed = "x{50,60}\.\.\. is not valid/],
  ];
  for (const [patch, re] of cases) {
    writeCheckpointFile(dir, encodeCheckpoint({ ...ck, config: { ...ck.config, ...patch } }));
    const t0 = performance.now();
    throwsOneLine(() => loadRun(engine, dir), re);
    assert.ok(performance.now() - t0 < 2000, `refused at once (${patch})`);
  }
  const big = { ...ck, state: { ...ck.state, shape: { ...SHAPE, height: 1_000_000 } } };
  writeCheckpointFile(dir, encodeCheckpoint(big));
  throwsOneLine(() => loadRun(engine, dir), /state\.shape 1000000×28×1 does not fit tensor layer1\.weight \(15680 values\)$/);
});
