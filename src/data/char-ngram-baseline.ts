// Frequency baselines for next-character prediction, the yardstick an FF sequence model must
// beat: a unigram (ignores the context) and a bigram (looks only at the last context symbol).
//
// Both are fitted by counting over every position of the training strings (not only the
// positions ≥ contextLength that have windows: the counts are what the strings say about
// symbol frequencies) and smoothed with add-one (Laplace): p(c) = (n_c + 1)/(N + A),
// p(c | b) = (n_bc + 1)/(n_b + A) with A the alphabet size, so no held-out symbol gets p = 0
// and bits per character stay finite. Add-one over-smooths rare contexts a little, which only
// flatters the FF model beside it; with ~21,700 training characters and 30 symbols it is close
// to the raw frequencies for common contexts.
import type { CharWindows } from './char-windows.js';

/** A model that gives a distribution over the next symbol from the symbol before it. */
export interface CharNgram {
  name: 'unigram' | 'bigram';
  alphabetSize: number;
  /** The distribution over next symbols after `previous` (a unigram ignores it). Length alphabetSize, sums to 1. */
  distribution(previous: number): Float64Array;
}

/** Per-character scores of a model on a set of windows. */
export interface NextCharScore {
  /** Fraction of windows whose target is the model's most probable symbol (ties → lowest index). */
  accuracy: number;
  /** Mean −log2 p(target) over the windows. */
  bitsPerChar: number;
  count: number;
}

function checkSymbol(s: number, alphabetSize: number, where: string): void {
  if (!(Number.isInteger(s) && s >= 0 && s < alphabetSize)) throw new Error(`${where}: symbol ${s} is outside 0–${alphabetSize - 1}`);
}

/** Add-one unigram over every symbol of the training strings. */
export function fitUnigram(strings: readonly ArrayLike<number>[], alphabetSize: number): CharNgram {
  const counts = new Float64Array(alphabetSize);
  let total = 0;
  for (const s of strings) {
    for (let i = 0; i < s.length; i++) {
      checkSymbol(s[i], alphabetSize, 'fitUnigram');
      counts[s[i]]++;
      total++;
    }
  }
  const p = counts.map((n) => (n + 1) / (total + alphabetSize));
  return { name: 'unigram', alphabetSize, distribution: () => p };
}

/** Add-one bigram over every adjacent pair inside each training string (pairs never span two strings). */
export function fitBigram(strings: readonly ArrayLike<number>[], alphabetSize: number): CharNgram {
  const counts = new Float64Array(alphabetSize * alphabetSize);
  const rowTotals = new Float64Array(alphabetSize);
  for (const s of strings) {
    for (let i = 0; i < s.length; i++) checkSymbol(s[i], alphabetSize, 'fitBigram');
    for (let i = 1; i < s.length; i++) {
      counts[s[i - 1] * alphabetSize + s[i]]++;
      rowTotals[s[i - 1]]++;
    }
  }
  const rows: Float64Array[] = [];
  for (let b = 0; b < alphabetSize; b++) {
    const row = new Float64Array(alphabetSize);
    for (let c = 0; c < alphabetSize; c++) row[c] = (counts[b * alphabetSize + c] + 1) / (rowTotals[b] + alphabetSize);
    rows.push(row);
  }
  return {
    name: 'bigram',
    alphabetSize,
    distribution: (previous) => {
      checkSymbol(previous, alphabetSize, 'bigram');
      return rows[previous];
    },
  };
}

function argmax(p: Float64Array): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

/** Accuracy (argmax) and bits per character of `model` on `windows` (previous symbol = last of each context). */
export function scoreNextChar(model: CharNgram, windows: CharWindows): NextCharScore {
  if (windows.alphabetSize !== model.alphabetSize) {
    throw new Error(`scoreNextChar: the ${model.name} has ${model.alphabetSize} symbols, the windows ${windows.alphabetSize}`);
  }
  if (windows.count === 0) throw new Error('scoreNextChar: no windows to score');
  let correct = 0;
  let bits = 0;
  const L = windows.contextLength;
  for (let w = 0; w < windows.count; w++) {
    const p = model.distribution(windows.contexts[w * L + L - 1]);
    const target = windows.targets[w];
    if (argmax(p) === target) correct++;
    bits -= Math.log2(p[target]);
  }
  return { accuracy: correct / windows.count, bitsPerChar: bits / windows.count, count: windows.count };
}
