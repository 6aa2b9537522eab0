// Next-character windows for a net: for each string and every position t ≥ contextLength, the
// context is the contextLength symbols before t (oldest first) and the target is symbol t.
// With the paper's 100-symbol strings and 10-symbol contexts that is 90 windows per string.
//
// The context is given twice: as one-hot rows ready for a net's input (row k of a window is
// the one-hot code of symbol t − contextLength + k, so contextLength × alphabetSize values,
// exactly contextLength of them 1) and as the symbol indices themselves (what n-gram baselines
// and a generator that extends a context need).
import { TEXT_ALPHABET_SIZE } from './text-alphabet.js';

export const PAPER_CONTEXT_LENGTH = 10;

/** Windows of a set of strings, one after another (string 0's windows first, in order of t). */
export interface CharWindows {
  count: number;
  contextLength: number;
  alphabetSize: number;
  /** count × (contextLength·alphabetSize) one-hot values: a net's input. */
  inputs: Float32Array;
  /** count × contextLength symbol indices of the contexts, oldest first. */
  contexts: Uint8Array;
  /** count target symbol indices. */
  targets: Uint8Array;
  /** For each window, the index of its string in the list given and the position t of its target. */
  stringIndex: Uint32Array;
  position: Uint32Array;
}

/**
 * Writes the one-hot code of symbols[at − contextLength .. at − 1] into out[outOffset ..
 * outOffset + contextLength·alphabetSize) (zeroing the rest of that row block first). Used for
 * the windows here and for contexts the sleep phase generates.
 */
export function oneHotContext(
  symbols: ArrayLike<number>,
  at: number,
  out: Float32Array,
  outOffset = 0,
  contextLength = PAPER_CONTEXT_LENGTH,
  alphabetSize = TEXT_ALPHABET_SIZE,
): void {
  if (at < contextLength || at > symbols.length) {
    throw new Error(`oneHotContext: position ${at} has no full ${contextLength}-symbol context in a sequence of ${symbols.length}`);
  }
  out.fill(0, outOffset, outOffset + contextLength * alphabetSize);
  for (let k = 0; k < contextLength; k++) {
    const s = symbols[at - contextLength + k];
    if (!(s >= 0 && s < alphabetSize)) throw new Error(`oneHotContext: symbol ${s} at ${at - contextLength + k} is outside 0–${alphabetSize - 1}`);
    out[outOffset + k * alphabetSize + s] = 1;
  }
}

/** Every (context, target) window of every string, by the rule at the top of this file. */
export function makeWindows(
  strings: readonly ArrayLike<number>[],
  contextLength = PAPER_CONTEXT_LENGTH,
  alphabetSize = TEXT_ALPHABET_SIZE,
): CharWindows {
  if (!Number.isInteger(contextLength) || contextLength < 1) throw new Error(`makeWindows: contextLength must be a whole number ≥ 1 (got ${contextLength})`);
  let count = 0;
  for (const s of strings) count += Math.max(0, s.length - contextLength);
  const width = contextLength * alphabetSize;
  const w: CharWindows = {
    count,
    contextLength,
    alphabetSize,
    inputs: new Float32Array(count * width),
    contexts: new Uint8Array(count * contextLength),
    targets: new Uint8Array(count),
    stringIndex: new Uint32Array(count),
    position: new Uint32Array(count),
  };
  let n = 0;
  strings.forEach((s, si) => {
    for (let t = contextLength; t < s.length; t++, n++) {
      oneHotContext(s, t, w.inputs, n * width, contextLength, alphabetSize);
      for (let k = 0; k < contextLength; k++) w.contexts[n * contextLength + k] = s[t - contextLength + k];
      const target = s[t];
      if (!(target >= 0 && target < alphabetSize)) throw new Error(`makeWindows: symbol ${target} at ${t} of string ${si} is outside 0–${alphabetSize - 1}`);
      w.targets[n] = target;
      w.stringIndex[n] = si;
      w.position[n] = t;
    }
  });
  return w;
}
