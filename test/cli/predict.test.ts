// `ff predict` end to end on a tiny untrained run: transparency is paper, blank images get a
// warning (and still a prediction), unreadable files and bad --k are one-line errors, and a
// run re-saved by another tool predicts the same with a "not verified" notice.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { CHECKPOINT_FILE, saveCheckpoint } from '../../src/train/checkpoint.js';
import { readForeignSafetensors, writeForeignSafetensors } from '../train/foreign-safetensors.js';

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

const root = mkdtempSync(path.join(tmpdir(), 'ff-predict-'));
const run = path.join(root, 'run');
const file = (name: string) => path.join(root, name);

/** A 28×28 RGBA PNG: every pixel `background`, with a vertical "1" stroke of `ink` if given. */
function png(name: string, background: number[], ink?: number[]): string {
  const img = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 28 * 28; i++) img.data.set(background, 4 * i);
  if (ink) for (let y = 4; y < 24; y++) for (const x of [13, 14]) img.data.set(ink, 4 * (y * 28 + x));
  writeFileSync(file(name), PNG.sync.write(img));
  return file(name);
}

before(async () => {
  // Predictions need no training: a small untrained model is deterministic, and fast to save.
  const model = new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [24, 16] }, { height: 28, width: 28, channels: 1, numClasses: 10 });
  saveCheckpoint(run, await model.toCheckpoint());
});
after(() => rmSync(root, { recursive: true, force: true }));

const BLACK = [0, 0, 0, 255];
const WHITE = [255, 255, 255, 255];
const CLEAR = [0, 0, 0, 0];

test('transparent background is paper; blank images are predicted with a one-line warning each', () => {
  const r = ff(
    'predict',
    run,
    png('on-white.png', WHITE, BLACK),
    png('on-clear.png', CLEAR, BLACK),
    png('blank-white.png', WHITE),
    png('blank-black.png', BLACK),
    png('blank-clear.png', CLEAR),
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 5, r.stdout);
  // Black strokes on transparency are black strokes on white: same pixels, same prediction.
  assert.match(lines[0], /^on-white\.png: \d \(p = [\d.]+\)  \[inverted: black-on-white input\]$/);
  assert.equal(lines[1], lines[0].replace('on-white', 'on-clear'));
  for (const [i, name] of ['blank-white', 'blank-black', 'blank-clear'].entries()) assert.match(lines[2 + i], new RegExp(`^${name}\\.png: \\d`));
  const warnings = r.stderr.trim().split('\n');
  assert.deepEqual(
    warnings.map((w) => w.match(/^ff: warning: (\S+): no ink/)?.[1]),
    ['blank-white.png', 'blank-black.png', 'blank-clear.png'],
    r.stderr,
  );
});

test('a run re-saved without our checksum predicts the same, with a one-line "not verified" notice', () => {
  const digit = png('digit.png', WHITE, BLACK);
  const { tensors, metadata } = readForeignSafetensors(path.join(run, CHECKPOINT_FILE));
  const { sha256: _sha256, ...rest } = metadata;
  const resaved = file('resaved');
  mkdirSync(resaved);
  writeForeignSafetensors(path.join(resaved, CHECKPOINT_FILE), tensors, rest);
  const ours = ff('predict', run, digit);
  const theirs = ff('predict', resaved, digit);
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.equal(theirs.stdout, ours.stdout);
  assert.equal(ours.stderr, '');
  assert.match(theirs.stderr, /^ff: warning: .*resaved[\\/]checkpoint\.safetensors: no checksum .*not verified\n$/);
});

for (const [what, args, message] of [
  ['an empty file', () => ['predict', run, writeTo('empty.png', '')], /^ff: .*empty\.png: empty file \(0 bytes\), expected a PNG image$/],
  ['a text file named .png', () => ['predict', run, writeTo('text.png', 'hello')], /^ff: .*text\.png: not a PNG image/],
  ['a truncated PNG', () => ['predict', run, writeTo('cut.png', PNG.sync.write(new PNG({ width: 28, height: 28 })).subarray(0, 60))], /^ff: .*cut\.png: damaged PNG \(the data ends too early\)$/],
  ['a missing file', () => ['predict', run, file('nope.png')], /^ff: .*nope\.png: no such file$/],
  ['predict --k abc', () => ['predict', run, png('k.png', WHITE, BLACK), '--mode', 'shortlist', '--k', 'abc'], /^ff: --k must be an integer in 1\.\.10, got 'abc'$/],
  ['predict --k 11', () => ['predict', run, png('k.png', WHITE, BLACK), '--mode', 'shortlist', '--k', '11'], /^ff: --k must be an integer in 1\.\.10, got '11'$/],
  ['eval --k abc', () => ['eval', run, '--k', 'abc'], /^ff: --k must be an integer in 1\.\.10, got 'abc'$/],
  ['a transposed weight', () => ['predict', transposedRun(), png('t.png', WHITE, BLACK)], /^ff: .*checkpoint\.safetensors: tensor layer1\.weight has shape \[24,784\], expected \[784,24\]$/],
] as const) {
  test(`one-line error: ${what}`, () => {
    const r = ff(...args());
    assert.notEqual(r.status, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0], message);
  });
}

function writeTo(name: string, content: string | Uint8Array): string {
  writeFileSync(file(name), content);
  return file(name);
}

function transposedRun(): string {
  const { tensors, metadata } = readForeignSafetensors(path.join(run, CHECKPOINT_FILE));
  const { sha256: _sha256, ...rest } = metadata;
  const dir = file('transposed');
  mkdirSync(dir, { recursive: true });
  writeForeignSafetensors(path.join(dir, CHECKPOINT_FILE), tensors.map((t) => (t.name === 'layer1.weight' ? { ...t, shape: [24, 784] } : t)), rest);
  return dir;
}

test('predictions are printed with the class names of the run\'s dataset', async () => {
  // The checkpoint's config names its dataset; before, predict looked for class names in the
  // config (never stored there) and printed only indices.
  const fashion = file('fashion-run');
  const model = new FFModel(getEngine(), { ...FF_DEFAULTS, dataset: 'fashion-mnist', layers: [24, 16] }, { height: 28, width: 28, channels: 1, numClasses: 10 });
  saveCheckpoint(fashion, await model.toCheckpoint());
  const r = ff('predict', fashion, png('shirt.png', WHITE, BLACK));
  assert.equal(r.status, 0, r.stderr);
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const got = r.stdout.match(/^shirt\.png: (.+?) \(p = /)?.[1];
  assert.ok(got !== undefined && names.includes(got), r.stdout);
});
