// The real aesop-fables.txt (skips with NO_AESOP when it is not found; CI sets FF_AESOP_DIR):
// the checksum, the 30 symbols, the 248 strings and their split, the windows, and the
// frequency baselines the FF sequence model is compared with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AESOP_SHA256, loadAesop, type TextCorpus } from '../../src/data/aesop.js';
import { decodeSymbols, TEXT_ALPHABET_SIZE } from '../../src/data/text-alphabet.js';
import { fitBigram, fitUnigram, scoreNextChar } from '../../src/data/char-ngram-baseline.js';
import { NO_AESOP } from '../helpers/optional.js';

let corpus: Promise<TextCorpus> | undefined;
function aesop(): Promise<TextCorpus> {
  corpus ??= loadAesop({ warn: (line) => assert.fail(`unexpected warning: ${line}`) });
  return corpus;
}

test('aesop: the expected file, exactly the 30 symbols after normalisation', { skip: NO_AESOP }, async () => {
  const c = await aesop();
  assert.equal(c.sha256, AESOP_SHA256);
  assert.equal(c.verified, true);
  assert.deepEqual(c.warnings, []);
  assert.equal(c.text.length, 187397);
  const seen = new Set(c.text);
  assert.equal(seen.size, 30);
  assert.equal(TEXT_ALPHABET_SIZE, 30);
  assert.equal(decodeSymbols(c.text.subarray(0, 60)), 'the lion and the mouse a lion was awakened from sleep by a m');
});

test('aesop: 248 strings × 100 symbols, evenly spaced, 217 train / 31 test, no test position in train', { skip: NO_AESOP }, async (ctx) => {
  const c = await aesop();
  assert.equal(c.strings.length, 248);
  for (const s of c.strings) {
    assert.equal(s.symbols.length, 100);
    assert.equal(s.offset % 100, 0);
  }
  for (let i = 1; i < c.strings.length; i++) assert.ok(c.strings[i].offset >= c.strings[i - 1].offset + 100, 'strings do not overlap');
  assert.ok(c.strings.at(-1)!.offset > 0.99 * c.text.length - 200, 'the strings reach the end of the book');
  assert.deepEqual([c.train.length, c.test.length], [217, 31]);
  assert.deepEqual(c.split.testIndex.slice(0, 3), [7, 15, 23]);
  // No text position is in both splits, so no test string and no test window comes from a
  // training string. (Equal strings by content would be a duplicated passage: none either.)
  const trainPositions = new Set<number>();
  for (const s of c.split.train) for (let p = s.offset; p < s.offset + 100; p++) trainPositions.add(p);
  for (const s of c.split.test) for (let p = s.offset; p < s.offset + 100; p++) assert.ok(!trainPositions.has(p), `position ${p} in both splits`);
  const trainText = new Set(c.train.map((s) => decodeSymbols(s)));
  for (const s of c.test) assert.ok(!trainText.has(decodeSymbols(s)), 'a test string equals a training string');
  // The same phrase can recur in different fables ("and the lio"); report how often, for the record.
  const trainGrams = new Set<string>();
  for (const s of c.train) for (let t = 0; t + 11 <= 100; t++) trainGrams.add(decodeSymbols(s.subarray(t, t + 11)));
  let shared = 0;
  for (const s of c.test) for (let t = 0; t + 11 <= 100; t++) if (trainGrams.has(decodeSymbols(s.subarray(t, t + 11)))) shared++;
  ctx.diagnostic(`aesop: ${shared} of ${c.test.length * 90} test 11-symbol windows also occur as text somewhere in the training strings (recurring phrases)`);
  assert.ok(shared < 0.1 * c.test.length * 90);
});

test('aesop: windows are the 10 previous symbols one-hot (rows sum to 10) and the next symbol', { skip: NO_AESOP }, async () => {
  const c = await aesop();
  assert.deepEqual([c.trainWindows.count, c.testWindows.count], [217 * 90, 31 * 90]);
  for (const [w, strings] of [[c.trainWindows, c.train], [c.testWindows, c.test]] as const) {
    assert.equal(w.inputs.length, w.count * 300);
    for (let n = 0; n < w.count; n++) {
      const s = strings[w.stringIndex[n]];
      const t = w.position[n];
      assert.equal(w.targets[n], s[t]);
      let sum = 0;
      for (let k = 0; k < 10; k++) {
        assert.equal(w.inputs[n * 300 + k * 30 + s[t - 10 + k]], 1);
        assert.equal(w.contexts[n * 10 + k], s[t - 10 + k]);
      }
      for (let j = 0; j < 300; j++) sum += w.inputs[n * 300 + j];
      assert.equal(sum, 10);
    }
  }
  // The first training window: "the lion a" → "n".
  assert.equal(decodeSymbols(c.trainWindows.contexts.subarray(0, 10)), 'the lion a');
  assert.equal(decodeSymbols([c.trainWindows.targets[0]]), 'n');
});

test('aesop: the bigram beats the unigram on held-out strings (accuracy and bits/char)', { skip: NO_AESOP }, async (ctx) => {
  const c = await aesop();
  const uni = scoreNextChar(fitUnigram(c.train, c.alphabetSize), c.testWindows);
  const bi = scoreNextChar(fitBigram(c.train, c.alphabetSize), c.testWindows);
  const r = (x: number) => Number(x.toFixed(4));
  ctx.diagnostic(`aesop baselines on ${uni.count} held-out windows ${JSON.stringify({ unigram: { accuracy: r(uni.accuracy), bitsPerChar: r(uni.bitsPerChar) }, bigram: { accuracy: r(bi.accuracy), bitsPerChar: r(bi.bitsPerChar) } })}`);
  assert.ok(bi.accuracy > uni.accuracy, `bigram accuracy ${bi.accuracy} > unigram ${uni.accuracy}`);
  assert.ok(bi.bitsPerChar < uni.bitsPerChar, `bigram ${bi.bitsPerChar} bits/char < unigram ${uni.bitsPerChar}`);
  // Sanity bounds: log2(30) = 4.91 bits is a uniform guess; English unigrams give ~4.1.
  assert.ok(uni.bitsPerChar < Math.log2(30) && uni.bitsPerChar > 3.5);
  assert.ok(bi.bitsPerChar > 2.5);
});
