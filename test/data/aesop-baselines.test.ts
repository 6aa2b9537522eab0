// On the real aesop-fables.txt (skips with NO_AESOP; CI sets FF_AESOP_DIR): the Kneser-Ney
// baseline reproduces issue 34's table on the paper split, and the whole-book split loads as a
// dataset with the same test strings and no training window near held-out text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAesop } from '../../src/data/aesop.js';
import { loadDataset } from '../../src/data/registry.js';
import { textBaselines } from '../../src/data/text-baselines.js';
import { NO_AESOP, PACKAGE_ROOT } from '../helpers/optional.js';

// Issue 34: interpolated KN trained on the 217 strings, scored on the 31 held-out ones.
const ISSUE_TABLE = [
  { order: 3, accuracy: 0.4, bits: 2.79 },
  { order: 4, accuracy: 0.473, bits: 2.52 },
  { order: 5, accuracy: 0.501, bits: 2.44 },
];

test('aesop: Kneser-Ney 3/4/5-grams on the paper split equal issue 34\'s table (±0.5 point, ±0.02 bits)', { skip: NO_AESOP, timeout: 120_000 }, async (ctx) => {
  const corpus = await loadAesop({ warn: (line) => assert.fail(`unexpected warning: ${line}`) });
  const b = textBaselines(corpus, 'paper', 'test');
  for (const want of ISSUE_TABLE) {
    const row = b.rows.find((r) => r.order === want.order)!;
    ctx.diagnostic(`KN ${want.order}-gram ${(100 * row.accuracy).toFixed(2)} % ${row.bitsPerChar.toFixed(3)} bits`);
    assert.equal(row.count, 2790);
    assert.ok(Math.abs(row.accuracy - want.accuracy) <= 0.005, `KN ${want.order}-gram accuracy ${row.accuracy}, table ${want.accuracy}`);
    assert.ok(Math.abs(row.bitsPerChar - want.bits) <= 0.02, `KN ${want.order}-gram ${row.bitsPerChar} bits, table ${want.bits}`);
  }
  // The add-one rows are the ones docs/results.md recorded before (issue 17).
  assert.equal(b.rows[0].accuracy.toFixed(4), '0.1882');
  assert.equal(b.rows[1].accuracy.toFixed(4), '0.2968');
  // The whole book makes every order from 3 up better on the same held-out strings.
  const book = textBaselines(corpus, 'book', 'test');
  for (let order = 3; order <= 8; order++) {
    const [p, w] = [b, book].map((x) => x.rows.find((r) => r.order === order)!);
    assert.ok(w.accuracy > p.accuracy && w.bitsPerChar < p.bitsPerChar, `KN ${order}-gram: book ${w.accuracy} vs paper ${p.accuracy}`);
  }
});

test('aesop: --text-split book loads every other piece of the book, the same test strings, paper unchanged', { skip: NO_AESOP, timeout: 120_000 }, async () => {
  const paper = await loadDataset('aesop', {});
  const book = await loadDataset('aesop', { textSplit: 'book' });
  assert.deepEqual([paper.train.count, paper.valid.count, paper.test.count], [17100, 2430, 2790]);
  assert.deepEqual([book.train.count, book.valid.count, book.test.count], [1558 * 90, 222 * 90, 2790]);
  assert.deepEqual(book.test.labels, paper.test.labels);
  assert.deepEqual(book.test.images, paper.test.images);
  assert.equal(book.train.sequenceStarts!.length, 1558);
  assert.equal(book.train.channels, 30);
  assert.notEqual(book, await loadDataset('aesop', { textSplit: 'paper' }), 'cached apart');
});

test('aesop: ff train --preset aesop-book-quick wires the book split through; ff eval prints the Kneser-Ney lines beside the net', { skip: NO_AESOP, timeout: 240_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-aesop-book-'));
  try {
    const out = path.join(dir, 'run');
    const ff = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 180_000, cwd: PACKAGE_ROOT });
    const t = ff('train', '--preset', 'aesop-book-quick', '--epochs', '1', '--train-subset', '1000', '--eval-subset', '500', '--out', out, '--no-progress');
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /training ff on aesop \(1000 of 140220 train \/ 19980 valid\)/);
    assert.equal(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).textSplit, 'book');
    const e = ff('eval', out);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /^n-gram baselines fitted on the 1780 training strings of the book split, scored on 2790 next-character windows of the 31 held-out strings:$/m);
    assert.match(e.stdout, /^ {2}Kneser-Ney 5-gram {2}accuracy {2}57\.38 % {2}1\.936 bits\/char$/m);
    assert.match(e.stdout, /^ {2}Kneser-Ney \d-gram .*\(best order\)$/m);
    const bad = ff('data', 'info', 'aesop', '--text-split', 'novel');
    assert.notEqual(bad.status, 0);
    assert.equal(bad.stderr.trim(), "ff: --text-split must be one of paper, book, got 'novel'");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
