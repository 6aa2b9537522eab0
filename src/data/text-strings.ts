// Cutting an encoded text into the paper's fixed-length strings and splitting them into
// training and test strings (SPEC §6: "248 strings × 100 characters").
//
// Cutting: the text is divided into consecutive, non-overlapping, aligned pieces of `length`
// symbols (piece p = symbols [p·length, (p+1)·length); a tail shorter than `length` is dropped).
// When there are more pieces than `count`, string i is piece ⌊i·pieces/count⌋: evenly spaced
// through the whole book, so the strings (and hence both splits) sample many fables and styles
// instead of the first few dozen fables that the first `count` pieces would be. The paper does
// not say how it chose its strings; this is the choice that makes a held-out set meaningful.
//
// Split: by whole strings, string i goes to test when i % testEvery === testEvery − 1 (every
// 8th by default: 31 test, 217 train of 248). Deterministic, needs no seed, and spreads the test
// strings evenly through the book. Since pieces never overlap, no test symbol's position in the
// text is also in a training string. (The same 11-character *phrase* — "and the lio" — can of
// course occur in both, as it occurs in several fables; that is language, not leakage.)

export const PAPER_STRING_COUNT = 248;
export const PAPER_STRING_LENGTH = 100;
export const DEFAULT_TEST_EVERY = 8;

/** One string cut from the text. */
export interface TextString {
  /** `length` symbol indices (a view into the encoded text). */
  symbols: Uint8Array;
  /** Where the string starts in the encoded text (a multiple of the string length). */
  offset: number;
}

/** The strings of one split, with their positions in the list of all strings. */
export interface StringSplit {
  train: TextString[];
  test: TextString[];
  /** Index of each training string in the full list (for reports and tests). */
  trainIndex: number[];
  testIndex: number[];
}

/** `count` strings of `length` symbols, cut from `text` by the rule at the top of this file. */
export function cutStrings(text: Uint8Array, count = PAPER_STRING_COUNT, length = PAPER_STRING_LENGTH): TextString[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`cutStrings: count must be a whole number ≥ 1 (got ${count})`);
  if (!Number.isInteger(length) || length < 1) throw new Error(`cutStrings: length must be a whole number ≥ 1 (got ${length})`);
  const pieces = Math.floor(text.length / length);
  if (pieces < count) {
    throw new Error(`cutStrings: the text has ${text.length} symbols, only ${pieces} strings of ${length}; ${count} were asked for`);
  }
  const out: TextString[] = [];
  for (let i = 0; i < count; i++) {
    const offset = Math.floor((i * pieces) / count) * length;
    out.push({ symbols: text.subarray(offset, offset + length), offset });
  }
  return out;
}

/** Whole strings to train and test: every `testEvery`-th string (the last of each group) is a test string. */
export function splitStrings(strings: readonly TextString[], testEvery = DEFAULT_TEST_EVERY): StringSplit {
  if (!Number.isInteger(testEvery) || testEvery < 2) throw new Error(`splitStrings: testEvery must be a whole number ≥ 2 (got ${testEvery})`);
  const split: StringSplit = { train: [], test: [], trainIndex: [], testIndex: [] };
  strings.forEach((s, i) => {
    if (i % testEvery === testEvery - 1) {
      split.test.push(s);
      split.testIndex.push(i);
    } else {
      split.train.push(s);
      split.trainIndex.push(i);
    }
  });
  return split;
}
