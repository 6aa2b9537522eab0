// The whole-book text split and its leakage guard (src/data/book-strings.ts) on synthetic text:
// which pieces train, the margin around held-out strings, and the guard catching a training
// window that reads held-out text (introduced on purpose). The real book: aesop-baselines.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bookStrings, checkNoHeldOutText, trainingStrings, VALID_EVERY } from '../../src/data/book-strings.js';
import { makeWindows } from '../../src/data/char-windows.js';
import { textCorpusFromString } from '../../src/data/aesop.js';
import { Rng } from '../../src/engine/rng.js';
import { oneLine } from '../helpers/one-line-error.js';

const TEXT = Uint8Array.from({ length: 2050 }, (_, i) => (i * 7) % 30);
const HELD_OUT = [
  { offset: 300, length: 100 },
  { offset: 1200, length: 100 },
];
const windowsOf = (strings: { symbols: Uint8Array }[]) => makeWindows(strings.map((s) => s.symbols));

test('book split: every aligned piece except the held-out ones and, with a margin, their neighbours', () => {
  const noMargin = bookStrings(TEXT, HELD_OUT, 100, 0);
  assert.deepEqual(noMargin.map((s) => s.offset / 100), [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19], 'the 50-symbol tail is no piece');
  const margin = bookStrings(TEXT, HELD_OUT, 100, 10);
  assert.deepEqual(margin.map((s) => s.offset / 100), [0, 1, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 19]);
  for (const s of margin) assert.deepEqual([...s.symbols], [...TEXT.subarray(s.offset, s.offset + 100)]);
  // A held-out string off the grid blocks every piece it or its margin touches.
  assert.deepEqual(bookStrings(TEXT.subarray(0, 600), [{ offset: 250, length: 100 }], 100, 0).map((s) => s.offset), [0, 100, 400, 500]);
  assert.throws(() => bookStrings(TEXT, [{ offset: 2000, length: 100 }], 100, 0), (e) => oneLine(e, /held-out string at 2000\+100 is outside the book's 2050 characters/));
  assert.throws(() => bookStrings(TEXT, HELD_OUT, 100, -1), (e) => oneLine(e, /margin must be a whole number ≥ 0/));
});

test('leakage guard: passes the split it guards, catches a training window that reads held-out text', () => {
  const train = bookStrings(TEXT, HELD_OUT, 100, 10);
  checkNoHeldOutText(windowsOf(train), train.map((s) => s.offset), HELD_OUT, TEXT.length, 10);
  // Deliberate leak: a string overlapping the first held-out string by 50 characters.
  const leaky = [...train, { symbols: TEXT.subarray(250, 350), offset: 250 }];
  assert.throws(
    () => checkNoHeldOutText(windowsOf(leaky), leaky.map((s) => s.offset), HELD_OUT, TEXT.length, 0),
    (e) => oneLine(e, /^book split leaks: training window \d+ \(string 14, book characters 290–300\) reads character 300, in the held-out string at 300–399$/),
  );
  // Only a window's context touches held-out text (its target is the character before it): still a leak.
  const contextOnly = [{ symbols: TEXT.subarray(1290, 1320), offset: 1290 }];
  assert.throws(() => checkNoHeldOutText(windowsOf(contextOnly), [1290], HELD_OUT, TEXT.length, 0), (e) => oneLine(e, /string 0, book characters 1290–1300\) reads character 1290, in the held-out string at 1200–1299$/));
  // A string that ends 5 characters before a held-out string is clear without a margin, not with one of 10.
  const near = [{ symbols: TEXT.subarray(195, 295), offset: 195 }];
  checkNoHeldOutText(windowsOf(near), [195], HELD_OUT, TEXT.length, 0);
  assert.throws(() => checkNoHeldOutText(windowsOf(near), [195], HELD_OUT, TEXT.length, 10), (e) => oneLine(e, /reads character 290, in the held-out string at 300–399 or its 10-character margin$/));
  // Offsets that do not match the windows are refused, not read past.
  assert.throws(() => checkNoHeldOutText(windowsOf(train), [0], HELD_OUT, TEXT.length), (e) => oneLine(e, /only 1 string offsets were given/));
});

test('training strings: the paper split is the corpus\'s 217 strings; the book split every other piece, disjoint from the test text', () => {
  const rng = new Rng(5);
  const raw = Array.from({ length: 200_000 }, () => 'abcdefghij klmnop,.'[Math.floor(rng.uniform() * 19)]).join('');
  const corpus = textCorpusFromString(raw);
  const pieces = Math.floor(corpus.text.length / 100);
  const paper = trainingStrings(corpus, 'paper');
  assert.deepEqual([paper.fit.length, paper.valid.length, paper.margin], [190, 27, 0]);
  assert.deepEqual([...paper.fit, ...paper.valid].map((s) => s.offset).sort((a, b) => a - b), corpus.split.train.map((s) => s.offset));
  assert.deepEqual(paper.valid.map((s) => s.offset), corpus.split.train.filter((_, i) => i % VALID_EVERY === VALID_EVERY - 1).map((s) => s.offset));
  const book = trainingStrings(corpus, 'book');
  const all = [...book.fit, ...book.valid];
  const testPieces = new Set(corpus.split.test.map((s) => s.offset / 100));
  const blocked = new Set([...testPieces].flatMap((p) => [p - 1, p, p + 1]));
  assert.equal(book.margin, 10);
  assert.equal(all.length, [...Array(pieces).keys()].filter((p) => !blocked.has(p)).length);
  assert.ok(all.length > 7 * paper.fit.length, `${all.length} strings`);
  for (const s of all) assert.ok(!blocked.has(s.offset / 100) && s.offset % 100 === 0, `piece ${s.offset / 100}`);
  assert.equal(book.valid.length, Math.floor(all.length / VALID_EVERY));
  const windows = makeWindows(all.map((s) => s.symbols));
  checkNoHeldOutText(windows, all.map((s) => s.offset), corpus.split.test.map((s) => ({ offset: s.offset, length: 100 })), corpus.text.length, 10);
  assert.throws(() => trainingStrings(corpus, 'novel' as 'book'), (e) => oneLine(e, /text split must be one of paper, book \(got 'novel'\)/));
});
