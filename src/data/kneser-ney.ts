// Interpolated Kneser-Ney character n-grams (Chen & Goodman 1998, §3 "interpolated KN"): the
// strong, cheap yardstick a language-modelling reader tries first, printed next to FF and BP.
//
// For an order-N model and a context h (its last N−1 symbols; fewer when shorter):
//   p_k(w | h) = [max(c_k(h w) − D_k, 0) + D_k · N1+(h •) · p_{k−1}(w | h′)] / c_k(h •)
// where h′ drops h's oldest symbol, c_N are raw counts, and for lower orders k < N c_k(h w) is
// the continuation count N1+(• h w): how many different symbols precede "h w" in the training
// strings (an occurrence at a string's start has no predecessor and adds nothing: there is no
// start-of-string symbol, as the strings are pieces cut from running text). A context never
// seen at order k (c_k(h •) = 0) passes p_{k−1} through. The
// recursion ends in the uniform distribution 1/A below order 1, so every symbol of the
// alphabet gets p > 0 and bits per character stay finite.
//
// Discounts: by default one fixed D = 0.75 for every order, the textbook value; or, with
// 'estimated', D_k = n1/(n1 + 2·n2) per order (Ney, Essen & Kneser 1994), n1 and n2 the numbers
// of order-k n-grams whose count (raw or continuation, as used at that order) is 1 and 2.
// D = 0.75 with no start symbol reproduces the issue-34 table to the digits it gives (3-, 4-,
// 5-grams on the paper split: 40.0 / 47.3 / 50.1 %, 2.79 / 2.52 / 2.44 bits); the estimated
// discounts give the same accuracies ±0.2 point, 0.005–0.025 bits more at orders 3–5 and a
// little less at 7–8 (docs/results.md).
//
// Counting never spans two strings (the strings are separate pieces of the book); only the
// training strings are counted.
import type { CharWindows } from './char-windows.js';
import type { NextCharScore } from './char-ngram-baseline.js';

export const KN_MAX_ORDER = 8;
export const KN_DEFAULT_DISCOUNT = 0.75;

export interface KneserNeyOptions {
  /** n of the n-gram: it looks at the last order−1 symbols (1 ≤ order ≤ KN_MAX_ORDER). */
  order: number;
  /** One fixed discount in (0, 1) (default KN_DEFAULT_DISCOUNT) or 'estimated' (n1/(n1+2·n2) per order). */
  discount?: 'estimated' | number;
}

export interface KneserNey {
  order: number;
  alphabetSize: number;
  /** D_k for k = 1..order (index k − 1). */
  discounts: number[];
  /** The distribution over the next symbol after `context` (oldest first; its last order−1 symbols are used). */
  distribution(context: ArrayLike<number>, out?: Float64Array): Float64Array;
}

/** Per order: context key → counts of each next symbol, and each context's total and distinct followers. */
interface OrderTable {
  counts: Map<number, Float64Array>;
  totals: Map<number, number>;
  types: Map<number, number>;
}

/**
 * A context of symbols s_1..s_m as one number: digits s+1 in base A+1 (so contexts of different
 * lengths never share a key). Exact below 2^53: (A+1)^(KN_MAX_ORDER−1) = 31^7 ≈ 2.8·10^10 for A = 30.
 */
function contextKey(symbols: ArrayLike<number>, start: number, end: number, base: number): number {
  let key = 0;
  for (let i = start; i < end; i++) key = key * base + symbols[i] + 1;
  return key;
}

function checkStrings(strings: readonly ArrayLike<number>[], alphabetSize: number): void {
  strings.forEach((s, si) => {
    for (let i = 0; i < s.length; i++) {
      if (!(Number.isInteger(s[i]) && s[i] >= 0 && s[i] < alphabetSize)) {
        throw new Error(`fitKneserNey: symbol ${s[i]} at ${i} of string ${si} is outside 0–${alphabetSize - 1}`);
      }
    }
  });
}

/** n1/(n1 + 2·n2) of a table's counts; 0.5 when it is undefined (no n-gram seen once or twice). */
function estimatedDiscount(t: OrderTable): number {
  let n1 = 0;
  let n2 = 0;
  for (const row of t.counts.values()) {
    for (const c of row) {
      if (c === 1) n1++;
      else if (c === 2) n2++;
    }
  }
  return n1 + n2 > 0 && n1 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
}

/** Fits an interpolated Kneser-Ney model of `opts.order` on the training strings (the rule at the top). */
export function fitKneserNey(strings: readonly ArrayLike<number>[], alphabetSize: number, opts: KneserNeyOptions): KneserNey {
  const N = opts.order;
  if (!Number.isInteger(N) || N < 1 || N > KN_MAX_ORDER) throw new Error(`fitKneserNey: order must be a whole number 1–${KN_MAX_ORDER} (got ${N})`);
  if (!Number.isInteger(alphabetSize) || alphabetSize < 1 || alphabetSize > 255) throw new Error(`fitKneserNey: alphabet size must be 1–255 (got ${alphabetSize})`);
  const fixed = opts.discount ?? KN_DEFAULT_DISCOUNT;
  if (fixed !== 'estimated' && !(typeof fixed === 'number' && fixed > 0 && fixed < 1)) {
    throw new Error(`fitKneserNey: discount must be 'estimated' or a number in (0, 1) (got ${String(fixed)})`);
  }
  checkStrings(strings, alphabetSize);
  const A = alphabetSize;
  const base = A + 1;
  // Highest order: raw counts. Lower orders: continuation counts, from the set of distinct
  // (predecessor, n-gram) pairs; an n-gram at a string's start has none and is not counted there.
  const tables: OrderTable[] = Array.from({ length: N }, () => ({ counts: new Map(), totals: new Map(), types: new Map() }));
  const bump = (t: OrderTable, key: number, w: number) => {
    let row = t.counts.get(key);
    if (!row) t.counts.set(key, (row = new Float64Array(A)));
    row[w]++;
  };
  const seenWithPredecessor = Array.from({ length: N - 1 }, () => new Set<number>());
  for (const s of strings) {
    for (let t = 0; t < s.length; t++) {
      const w = s[t];
      // n-grams ending at t: orders k = 1..N whose context s[t−k+1 .. t−1] lies in the string.
      for (let k = 1; k <= N && t - k + 1 >= 0; k++) {
        const ctx = contextKey(s, t - k + 1, t, base);
        if (k === N) {
          bump(tables[k - 1], ctx, w);
          continue;
        }
        if (t - k < 0) continue;
        const pred = s[t - k];
        const pairKey = (ctx * base + w + 1) * (A + 1) + pred;
        const seen = seenWithPredecessor[k - 1];
        if (!seen.has(pairKey)) {
          seen.add(pairKey);
          bump(tables[k - 1], ctx, w);
        }
      }
    }
  }
  for (const t of tables) {
    for (const [key, row] of t.counts) {
      let total = 0;
      let types = 0;
      for (const c of row) {
        total += c;
        if (c > 0) types++;
      }
      t.totals.set(key, total);
      t.types.set(key, types);
    }
  }
  const discounts = tables.map((t) => (fixed === 'estimated' ? estimatedDiscount(t) : fixed));
  const scratch = new Float64Array(A);
  return {
    order: N,
    alphabetSize: A,
    discounts,
    distribution(context, out = new Float64Array(A)) {
      if (out.length !== A) throw new Error(`KneserNey.distribution: out has ${out.length} values, the alphabet ${A}`);
      for (let i = 0; i < context.length; i++) {
        if (!(Number.isInteger(context[i]) && context[i] >= 0 && context[i] < A)) throw new Error(`KneserNey.distribution: symbol ${context[i]} at ${i} is outside 0–${A - 1}`);
      }
      out.fill(1 / A);
      const m = Math.min(N - 1, context.length);
      // From order 1 (empty context) up to order m + 1, each interpolating the one below.
      for (let k = 1; k <= m + 1; k++) {
        const t = tables[k - 1];
        const key = contextKey(context, context.length - (k - 1), context.length, base);
        const row = t.counts.get(key);
        if (!row) continue; // unseen context: the lower order passes through
        const total = t.totals.get(key)!;
        const D = discounts[k - 1];
        const backoff = (D * t.types.get(key)!) / total;
        for (let w = 0; w < A; w++) scratch[w] = Math.max(row[w] - D, 0) / total + backoff * out[w];
        out.set(scratch);
      }
      return out;
    },
  };
}

/** Accuracy (argmax, ties → lowest index) and bits per character of `model` on `windows` (each window's whole context given). */
export function scoreKneserNey(model: KneserNey, windows: CharWindows): NextCharScore {
  if (windows.alphabetSize !== model.alphabetSize) {
    throw new Error(`scoreKneserNey: the model has ${model.alphabetSize} symbols, the windows ${windows.alphabetSize}`);
  }
  if (windows.count === 0) throw new Error('scoreKneserNey: no windows to score');
  const L = windows.contextLength;
  const p = new Float64Array(model.alphabetSize);
  let correct = 0;
  let bits = 0;
  for (let w = 0; w < windows.count; w++) {
    model.distribution(windows.contexts.subarray(w * L, (w + 1) * L), p);
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const target = windows.targets[w];
    if (best === target) correct++;
    bits -= Math.log2(p[target]);
  }
  return { accuracy: correct / windows.count, bitsPerChar: bits / windows.count, count: windows.count };
}
