// The train/eval CLI end to end on a tiny net: interrupted + resumed equals uninterrupted,
// one-line errors and non-zero exit codes for bad options and bad run directories.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint } from '../../src/train/checkpoint.js';

const TINY = ['--preset', 'quick', '--layers', '24,16', '--epochs', '2', '--eval-subset', '300', '--no-progress'];

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

test('ff train --stop-after then --resume gives the same weights as an uninterrupted run; eval and predict', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-cli-'));
  try {
    const a = ff('train', ...TINY, '--out', path.join(dir, 'a'));
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /test error \(goodness\): \d+\.\d+ %/);
    // Every epoch line but the last says how long the run has left.
    assert.match(a.stdout, /^epoch 1\/2 .* \d+\.\d s, about \d+ s left$/m);
    assert.match(a.stdout, /^epoch 2\/2 .* \d+\.\d s$/m);
    const b1 = ff('train', ...TINY, '--out', path.join(dir, 'b'), '--stop-after', '1');
    assert.equal(b1.status, 0, b1.stderr);
    assert.match(b1.stdout, /stopped after epoch 1 of 2/);
    const b2 = ff('train', '--resume', path.join(dir, 'b'), '--no-progress');
    assert.equal(b2.status, 0, b2.stderr);
    const ca = loadCheckpoint(path.join(dir, 'a'));
    const cb = loadCheckpoint(path.join(dir, 'b'));
    assert.equal(cb.state.epoch, 2);
    for (const [name, t] of ca.tensors) assert.deepEqual(cb.tensors.get(name)?.data, t.data, `tensor ${name} differs`);
    // Same test errors printed at the end of both runs.
    const errs = (s: string) => s.split('\n').filter((l) => l.startsWith('test error'));
    assert.deepEqual(errs(b2.stdout), errs(a.stdout));

    const ev = ff('eval', path.join(dir, 'a'), '--mode', 'shortlist', '--k', '3', '--limit', '500');
    assert.equal(ev.status, 0, ev.stderr);
    assert.match(ev.stdout, /shortlist k=3: error \d+\.\d+ %/);
    assert.match(ev.stdout, /examples\/second/);

    // predict: a wrong-size PNG is refused in one line; a real digit is read (inverted if black on white).
    const { PNG } = await import('pngjs');
    const small = new PNG({ width: 10, height: 10 });
    writeFileSync(path.join(dir, 'small.png'), PNG.sync.write(small));
    const bad = ff('predict', path.join(dir, 'a'), path.join(dir, 'small.png'));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.trim(), /^ff: .*small\.png: image is 10×10, the model needs 28×28$/);
    const digit = new PNG({ width: 28, height: 28 });
    digit.data.fill(255); // white page…
    for (let y = 4; y < 24; y++) for (const x of [13, 14]) digit.data.fill(0, 4 * (y * 28 + x), 4 * (y * 28 + x) + 3); // …a black "1"
    writeFileSync(path.join(dir, 'one.png'), PNG.sync.write(digit));
    const one = ff('predict', path.join(dir, 'a'), path.join(dir, 'one.png'));
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /^one\.png: \d .*\[inverted: black-on-white input\]$/m);

    // A second train into the same directory would overwrite it: refused.
    const again = ff('train', ...TINY, '--out', path.join(dir, 'a'));
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /already holds a run/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Unique so that concurrent test runs never meet; a failed start leaves no directory there.
const X = path.join(tmpdir(), `ff-never-${process.pid}`);
for (const [args, message] of [
  [['train', '--out', X, '--bogus', '3'], /^ff: unknown option --bogus$/],
  [['train', '--out', X, '--lr', '-1'], /^ff: --lr must be in \[0, 100\], got -1$/],
  [['train', '--out', X, '--goodness', 'huge'], /^ff: --goodness must be one of max-ssq, min-ssq, got 'huge'$/],
  [['train', '--out', X, '--preset', 'nope'], /^ff: unknown preset 'nope'/],
  // A name Object.prototype has is no preset (it trained a default 100-epoch net).
  [['train', '--out', X, '--preset', 'constructor'], /^ff: unknown preset 'constructor'/],
  [['train', '--out', X, '--constructor', '1'], /^ff: unknown option --constructor$/],
  [['train', '--out', X, '--layers', '10,x'], /^ff: --layers must be a comma-separated list/],
  [['train', '--out', X, '--softmax-layers', '9'], /^ff: softmax-layers: layer 9 does not exist/],
  [['eval', '/nonexistent/run'], /^ff: \/nonexistent\/run: no checkpoint/],
  [['eval', 'src', '--split', 'nope'], /^ff: --split must be one of test, valid, train/],
  [['predict', '/nonexistent/run', 'x.png'], /^ff: \/nonexistent\/run: no checkpoint/],
] as const) {
  test(`one-line error: ff ${args.join(' ')}`, () => {
    const r = ff(...args);
    assert.notEqual(r.status, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0], message);
    assert.ok(!existsSync(X), `${X} was left behind`);
  });
}

test('locally-connected options that do not describe maps: one-line errors, non-zero exit', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-cli-lc-'));
  try {
    const a = ff('train', '--preset', 'quick', '--connectivity', 'local', '--no-progress', '--out', path.join(dir, 'a'));
    assert.notEqual(a.status, 0);
    assert.equal(a.stderr.trim(), 'ff: --layers 500,500,500 does not match locally-connected maps of 28×28×3 = 2352 units each (--map-channels 3)');
    const b = ff('train', '--preset', 'quick', '--connectivity', 'local', '--layers', '2352', '--window', '4', '--no-progress', '--out', path.join(dir, 'b'));
    assert.notEqual(b.status, 0);
    assert.equal(b.stderr.trim(), 'ff: --window must be a positive odd integer, got 4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
