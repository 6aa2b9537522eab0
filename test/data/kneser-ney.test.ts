// Interpolated Kneser-Ney character n-grams (src/data/kneser-ney.ts) on tiny texts whose
// probabilities are worked out by hand, and properties that must hold on any text: every
// distribution sums to 1 over the alphabet and gives every symbol p > 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitKneserNey, KN_DEFAULT_DISCOUNT, scoreKneserNey } from '../../src/data/kneser-ney.js';
import { makeWindows } from '../../src/data/char-windows.js';
import { Rng } from '../../src/engine/rng.js';
import { oneLine } from '../helpers/one-line-error.js';

// Alphabet a=0 b=1 c=2 d=3; training string "abacab" (d never occurs).
const A = 4;
const TEXT = Uint8Array.from([0, 1, 0, 2, 0, 1]);

function near(actual: Float64Array, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-12, `${what}[${i}] = ${actual[i]}, expected ${expected[i]}`);
}

test('Kneser-Ney, D = 0.75: hand-computed order-1, order-2 and order-3 probabilities of "abacab"', () => {
  assert.equal(KN_DEFAULT_DISCOUNT, 0.75);
  // An order-1 model is the top order: raw counts a 3, b 2, c 1, d 0 (total 6, 3 types), over the uniform ¼.
  near(fitKneserNey([TEXT], A, { order: 1 }).distribution([]), [(2.25 + 0.5625) / 6, (1.25 + 0.5625) / 6, (0.25 + 0.5625) / 6, 0.5625 / 6], 'unigram');
  // Order 1 below order 2: continuation counts N1+(• w) over the pairs ab, ba, ac, ca (ab
  // twice): a 2, b 1, c 1, d 0; total 4, 3 types. p1(w) = (max(N − .75, 0) + .75·3·¼)/4.
  const p1 = [(1.25 + 0.5625) / 4, (0.25 + 0.5625) / 4, (0.25 + 0.5625) / 4, 0.5625 / 4];
  // Order 2: raw bigram counts ab 2, ac 1 after 'a' (total 3, 2 types); ba 1 after 'b'.
  const m2 = fitKneserNey([TEXT], A, { order: 2 });
  near(m2.distribution([0]), [1.5 * p1[0] / 3, (1.25 + 1.5 * p1[1]) / 3, (0.25 + 1.5 * p1[2]) / 3, (1.5 * p1[3]) / 3], 'p2(·|a)');
  near(m2.distribution([1]), [0.25 + 0.75 * p1[0], 0.75 * p1[1], 0.75 * p1[2], 0.75 * p1[3]], 'p2(·|b)');
  near(m2.distribution([3]), p1, 'p2(·|d), an unseen context, is p1');
  near(m2.distribution([3, 3, 1]), m2.distribution([1]), 'only the last symbol of a longer context counts');
  // Order 3: the middle order takes continuation counts of bigrams that have a predecessor:
  // ba (after a), ac (after b), ca (after a), ab (after c; the ab at the string's start has
  // none), so after 'b': ba 1 (1 type). Raw trigram counts after "ab": aba 1.
  const p2b = [0.25 + 0.75 * p1[0], 0.75 * p1[1], 0.75 * p1[2], 0.75 * p1[3]];
  const m3 = fitKneserNey([TEXT], A, { order: 3 });
  near(m3.distribution([0, 1]), [0.25 + 0.75 * p2b[0], 0.75 * p2b[1], 0.75 * p2b[2], 0.75 * p2b[3]], 'p3(·|ab)');
  near(m3.distribution([0, 1]), [0.6923828125, 0.1142578125, 0.1142578125, 0.0791015625], 'p3(·|ab), the decimals worked by hand');
  near(m3.distribution([1]), p2b, 'a context of one symbol uses the orders it can');
  assert.deepEqual(m3.discounts, [0.75, 0.75, 0.75]);
});

test('Kneser-Ney: estimated discounts are n1/(n1 + 2·n2) of the counts each order uses', () => {
  // "aaab" order 2: raw bigrams aa 2, ab 1 → n1 1, n2 1 → D2 = 1/3. Order 1: continuation
  // counts a 1 (after a), b 1 (after a) → n1 2, n2 0 → D1 = 1.
  const m = fitKneserNey([Uint8Array.from([0, 0, 0, 1])], 2, { order: 2, discount: 'estimated' });
  assert.deepEqual(m.discounts, [1, 1 / 3]);
  const p = m.distribution([0]);
  assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12);
});

test('Kneser-Ney: every distribution of orders 1–8 sums to 1 and gives each symbol p > 0 (random text and contexts)', () => {
  const rng = new Rng(3);
  const S = 30;
  // A skewed random text (Zipf-like symbol frequencies), cut into strings of 100.
  const strings = Array.from({ length: 20 }, () => Uint8Array.from({ length: 100 }, () => Math.min(S - 1, Math.floor(S * rng.uniform() ** 3))));
  for (const discount of [0.75, 0.3, 'estimated'] as const) {
    for (let order = 1; order <= 8; order++) {
      const m = fitKneserNey(strings, S, { order, discount });
      for (let k = 0; k < 50; k++) {
        // Half the contexts are seen text, half random (mostly unseen at high orders).
        const ctx = k % 2 ? Uint8Array.from({ length: 10 }, () => Math.floor(S * rng.uniform())) : strings[k % 20].subarray(k, k + 10);
        const p = m.distribution(ctx);
        const sum = p.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-9, `order ${order}, D ${discount}: sum ${sum}`);
        assert.ok(p.every((x) => x > 0), `order ${order}: every symbol has p > 0`);
      }
    }
  }
});

test('Kneser-Ney: accuracy and bits per character on windows equal the distributions they score', () => {
  const m = fitKneserNey([TEXT], A, { order: 2 });
  const w = makeWindows([Uint8Array.from([0, 1, 0, 3, 1])], 2, A); // targets 0 (after ab), 3 (after ba), 1 (after ad)
  const s = scoreKneserNey(m, w);
  const pa = m.distribution([1]);
  const pb = m.distribution([0]);
  const pd = m.distribution([3]);
  const argmax = (p: Float64Array) => p.indexOf(Math.max(...p));
  assert.equal(s.count, 3);
  assert.equal(s.accuracy, [argmax(pa) === 0, argmax(pb) === 3, argmax(pd) === 1].filter(Boolean).length / 3);
  assert.ok(Math.abs(s.bitsPerChar - -(Math.log2(pa[0]) + Math.log2(pb[3]) + Math.log2(pd[1])) / 3) < 1e-12);
});

test('Kneser-Ney: bad orders, discounts and symbols are one-line errors', () => {
  assert.throws(() => fitKneserNey([TEXT], A, { order: 0 }), (e) => oneLine(e, /order must be a whole number 1–8 \(got 0\)/));
  assert.throws(() => fitKneserNey([TEXT], A, { order: 9 }), (e) => oneLine(e, /order must be a whole number 1–8/));
  assert.throws(() => fitKneserNey([TEXT], A, { order: 2, discount: 1 }), (e) => oneLine(e, /discount must be 'estimated' or a number in \(0, 1\)/));
  assert.throws(() => fitKneserNey([TEXT], A, { order: 2, discount: Number.NaN }), (e) => oneLine(e, /discount/));
  assert.throws(() => fitKneserNey([Uint8Array.from([0, 4])], A, { order: 2 }), (e) => oneLine(e, /symbol 4 at 1 of string 0 is outside 0–3/));
  const m = fitKneserNey([TEXT], A, { order: 2 });
  assert.throws(() => m.distribution([7]), (e) => oneLine(e, /symbol 7 at 0 is outside 0–3/));
  assert.throws(() => scoreKneserNey(m, makeWindows([TEXT], 2, 5)), (e) => oneLine(e, /model has 4 symbols, the windows 5/));
  assert.throws(() => scoreKneserNey(m, makeWindows([], 2, A)), (e) => oneLine(e, /no windows to score/));
});
