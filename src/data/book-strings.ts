// The "whole book" split of the sequence experiment (issue 34): train on every string of the
// book except the held-out ones, with a guard that no training window contains held-out text.
//
// Strings: every aligned piece of `length` symbols (piece p = book characters [p·length,
// (p+1)·length), the same grid the paper split's strings are cut from, text-strings.ts), so the
// held-out strings are pieces of this grid and every other piece is a candidate: ≈ 1,870 for
// the book. Stride = length (pieces do not overlap) rather than a finer stride: overlapping
// strings would repeat windows (the same context and target several times per epoch) and let a
// validation string share characters with the strings fitted beside it; aligned pieces keep
// fit, validation and test text disjoint. The cost is that a piece's first contextLength
// characters are never targets (10 % of the positions), as in the paper split.
//
// Margin: a piece is dropped when it comes within `margin` characters of a held-out string
// (default one context, 10 characters). With aligned pieces that drops the piece before and
// after each held-out string: the held-out text is then held out from the running text around
// it too (the same sentence continues across a piece boundary), at a cost of 62 pieces (3 %).
//
// The guard (checkNoHeldOutText) works on the windows themselves, by character offsets in the
// book: for each training window, the book characters it reads (context and target) must not
// touch a held-out string or its margin. It runs whenever an Aesop dataset is built, so a change
// to the cutting rule that leaks cannot train silently.
import type { CharWindows } from './char-windows.js';
import type { TextString } from './text-strings.js';

export const TEXT_SPLITS = ['paper', 'book'] as const;
export type TextSplit = (typeof TEXT_SPLITS)[number];

/** A stretch of book characters [offset, offset + length). */
export interface BookRange {
  offset: number;
  length: number;
}

/** Every aligned piece of `length` symbols of `text` that stays `margin` characters clear of each held-out string. */
export function bookStrings(text: Uint8Array, heldOut: readonly BookRange[], length: number, margin: number): TextString[] {
  if (!Number.isInteger(length) || length < 1) throw new Error(`bookStrings: length must be a whole number ≥ 1 (got ${length})`);
  if (!Number.isInteger(margin) || margin < 0) throw new Error(`bookStrings: margin must be a whole number ≥ 0 (got ${margin})`);
  const blocked = blockedCharacters(text.length, heldOut, margin);
  const out: TextString[] = [];
  for (let offset = 0; offset + length <= text.length; offset += length) {
    let clear = true;
    for (let i = offset; i < offset + length && clear; i++) clear = blocked[i] === 0;
    if (clear) out.push({ symbols: text.subarray(offset, offset + length), offset });
  }
  return out;
}

/** 1 for each book character inside a held-out string or within `margin` characters of one. */
function blockedCharacters(textLength: number, heldOut: readonly BookRange[], margin: number): Uint8Array {
  const blocked = new Uint8Array(textLength);
  for (const r of heldOut) {
    if (!(Number.isInteger(r.offset) && Number.isInteger(r.length) && r.offset >= 0 && r.length >= 1 && r.offset + r.length <= textLength)) {
      throw new Error(`book split: held-out string at ${r.offset}+${r.length} is outside the book's ${textLength} characters`);
    }
    blocked.fill(1, Math.max(0, r.offset - margin), Math.min(textLength, r.offset + r.length + margin));
  }
  return blocked;
}

/**
 * Throws one line when a window of `windows` reads a book character inside a held-out string
 * or within `margin` of one. Window w of string s covers book characters
 * offsets[s] + position − contextLength … offsets[s] + position (context, then target).
 */
export function checkNoHeldOutText(windows: CharWindows, offsets: ArrayLike<number>, heldOut: readonly BookRange[], textLength: number, margin = 0): void {
  const blocked = blockedCharacters(textLength, heldOut, margin);
  const L = windows.contextLength;
  for (let w = 0; w < windows.count; w++) {
    const s = windows.stringIndex[w];
    if (s >= offsets.length) throw new Error(`book split: window ${w} is from string ${s}, but only ${offsets.length} string offsets were given`);
    const last = offsets[s] + windows.position[w];
    const first = last - L;
    if (first < 0 || last >= textLength) throw new Error(`book split: window ${w} reads characters ${first}–${last}, outside the book's ${textLength}`);
    for (let i = first; i <= last; i++) {
      if (blocked[i]) {
        const r = heldOut.find((h) => i >= h.offset - margin && i < h.offset + h.length + margin)!;
        const near = margin > 0 ? ` or its ${margin}-character margin` : '';
        throw new Error(`book split leaks: training window ${w} (string ${s}, book characters ${first}–${last}) reads character ${i}, in the held-out string at ${r.offset}–${r.offset + r.length - 1}${near}`);
      }
    }
  }
}

/** Every `VALID_EVERY`-th training string validates (as every 8th string of the book tests). */
export const VALID_EVERY = 8;

/** The training strings of a split, cut into fit and validation strings, and the margin its guard checks. */
export interface TrainingStrings {
  fit: TextString[];
  valid: TextString[];
  /** Characters around each held-out string that no training window may read. */
  margin: number;
  /** One line for reports. */
  description: string;
}

/**
 * The training strings of `split`: 'paper' = the corpus's 217 training strings (the default,
 * unchanged); 'book' = every other aligned piece of the book (bookStrings, margin one context).
 * Either way every VALID_EVERY-th of them (the last of each group) validates.
 */
export function trainingStrings(corpus: { text: Uint8Array; split: { train: TextString[]; test: TextString[] }; contextLength: number }, split: TextSplit): TrainingStrings {
  if (!(TEXT_SPLITS as readonly string[]).includes(split)) throw new Error(`text split must be one of ${TEXT_SPLITS.join(', ')} (got '${String(split)}')`);
  const length = corpus.split.test[0]?.symbols.length ?? 0;
  const margin = split === 'book' ? corpus.contextLength : 0;
  const all = split === 'book' ? bookStrings(corpus.text, corpus.split.test.map((s) => ({ offset: s.offset, length: s.symbols.length })), length, margin) : corpus.split.train;
  const fit = all.filter((_, i) => i % VALID_EVERY !== VALID_EVERY - 1);
  const valid = all.filter((_, i) => i % VALID_EVERY === VALID_EVERY - 1);
  const description =
    split === 'book'
      ? `whole book: ${all.length} strings of ${length} (every aligned piece ${margin}+ characters clear of the ${corpus.split.test.length} held-out strings), ${fit.length} fit / ${valid.length} validation`
      : `paper split: ${all.length} strings of ${length}, ${fit.length} fit / ${valid.length} validation`;
  return { fit, valid, margin, description };
}
