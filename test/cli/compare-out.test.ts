// `ff compare --out DIR` holds the comparison's own runs (DIR/ff, DIR/bp, or the CIFAR table's
// six) and its table. It used to accept any directory and train into it, mixing the comparison
// into an `ff train` run or somebody's files. Now DIR must be new, empty, or a comparison of the
// same runs being resumed; anything else is one line, before any training.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

// A data directory that does not exist: a DIR that is accepted fails on the data instead.
const NO_DATA = ['--data-dir', '/nonexistent/ff-data'];

function compare(out: string, preset = 'quick') {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'compare', '--preset', preset, '--epochs', '1', '--no-progress', ...NO_DATA, '--out', out], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

function refused(out: string, message: RegExp, preset?: string): void {
  const before = readdirSync(out).sort();
  const r = compare(out, preset);
  assert.equal(r.signal, null, 'timed out');
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '', 'nothing trained');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], message);
  assert.deepEqual(readdirSync(out).sort(), before, 'the directory is left as it was');
}

function accepted(out: string, preset?: string): void {
  const r = compare(out, preset);
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.stderr, /--out/);
  assert.match(r.stderr, /nonexistent\/ff-data/, 'it went on to read the data');
}

const root = mkdtempSync(path.join(tmpdir(), 'ff-compare-out-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('ff compare --out a run directory of ff train: refused, naming what makes it a run', { timeout: 150_000 }, () => {
  const run = path.join(root, 'train-run');
  mkdirSync(run);
  writeFileSync(path.join(run, 'checkpoint.safetensors'), 'x');
  writeFileSync(path.join(run, 'metrics.jsonl'), '');
  refused(run, /^ff: --out .*train-run holds a run \(checkpoint\.safetensors\); give a new directory for the comparison$/);
});

test('ff compare --out a directory with other files: refused', { timeout: 150_000 }, () => {
  const other = path.join(root, 'other');
  mkdirSync(other);
  writeFileSync(path.join(other, 'notes.txt'), 'mine');
  refused(other, /^ff: --out .*other is not empty and is not a quick comparison \(it holds notes\.txt\); give a new or empty directory, or the comparison's own to resume it$/);
});

test('ff compare --out the directory of another comparison: refused', { timeout: 150_000 }, () => {
  const cifar = path.join(root, 'cifar');
  mkdirSync(path.join(cifar, 'bp-2'), { recursive: true });
  writeFileSync(path.join(cifar, 'compare.md'), '');
  refused(cifar, /^ff: --out .*cifar is not empty and is not a quick comparison \(it holds bp-2\)/);
});

test('ff compare --out a new, an empty, or its own comparison directory (resumed): accepted', { timeout: 300_000 }, () => {
  accepted(path.join(root, 'new'));
  const empty = path.join(root, 'empty');
  mkdirSync(empty);
  accepted(empty);
  const own = path.join(root, 'own');
  mkdirSync(path.join(own, 'ff'), { recursive: true });
  writeFileSync(path.join(own, 'ff', 'checkpoint.safetensors'), 'x'); // its runs are in subdirectories
  writeFileSync(path.join(own, 'compare.md'), '');
  accepted(own);
  const suite = path.join(root, 'suite');
  mkdirSync(path.join(suite, 'ff-max-ssq-3'), { recursive: true });
  accepted(suite, 'cifar-quick');
});
