// The n-gram yardsticks printed next to an FF or BP sequence model (issue 34): the add-one
// unigram and bigram (char-ngram-baseline.ts) and interpolated Kneser-Ney of orders 1–8
// (kneser-ney.ts), fitted on a text split's training strings and scored on the same windows
// the nets are scored on (positions ≥ the context length of each string, so the numbers stand
// side by side with `ff eval`'s).
//
// Which strings are counted, by the split scored: test → every training string of the split
// (fit + validation: the 217 strings of the table on the paper split); valid → the fit
// strings only (the validation strings are what is scored); train → the fit strings (scored
// on themselves: how well an n-gram memorises, beside a net's training accuracy).
import { makeWindows } from './char-windows.js';
import { fitBigram, fitUnigram, scoreNextChar, type NextCharScore } from './char-ngram-baseline.js';
import { fitKneserNey, KN_MAX_ORDER, scoreKneserNey } from './kneser-ney.js';
import { trainingStrings, type TextSplit } from './book-strings.js';
import type { TextCorpus } from './aesop.js';

export const SCORED_SPLITS = ['test', 'valid', 'train'] as const;
export type ScoredSplit = (typeof SCORED_SPLITS)[number];

/** The Kneser-Ney orders shown by default: 3 and 5 (the table) and the best one of 1–8 is added. */
export const KN_SHOWN_ORDERS = [3, 4, 5] as const;

export interface BaselineRow extends NextCharScore {
  /** 'unigram (add-one)', 'bigram (add-one)', 'Kneser-Ney 5-gram', … */
  name: string;
  /** The Kneser-Ney order (absent for the add-one models). */
  order?: number;
}

export interface TextBaselines {
  rows: BaselineRow[];
  /** How many strings were counted and what was scored, for the heading line. */
  fittedOn: string;
  scoredOn: string;
}

/** Unigram, bigram and Kneser-Ney orders 1–8 on `scored`'s windows of `split`'s strings (the rule at the top). */
export function textBaselines(corpus: Pick<TextCorpus, 'text' | 'split' | 'contextLength' | 'alphabetSize'>, split: TextSplit, scored: ScoredSplit): TextBaselines {
  const { fit, valid } = trainingStrings(corpus, split);
  const counted = (scored === 'test' ? [...fit, ...valid] : fit).map((s) => s.symbols);
  const scoredStrings = scored === 'test' ? corpus.split.test.map((s) => s.symbols) : scored === 'valid' ? valid.map((s) => s.symbols) : counted;
  const windows = makeWindows(scoredStrings, corpus.contextLength, corpus.alphabetSize);
  const A = corpus.alphabetSize;
  const rows: BaselineRow[] = [
    { name: 'unigram (add-one)', ...scoreNextChar(fitUnigram(counted, A), windows) },
    { name: 'bigram (add-one)', ...scoreNextChar(fitBigram(counted, A), windows) },
  ];
  for (let order = 1; order <= Math.min(KN_MAX_ORDER, corpus.contextLength + 1); order++) {
    rows.push({ name: `Kneser-Ney ${order}-gram`, order, ...scoreKneserNey(fitKneserNey(counted, A, { order }), windows) });
  }
  return {
    rows,
    fittedOn: `the ${counted.length} ${scored === 'test' ? 'training' : 'fit'} strings of the ${split} split`,
    scoredOn: `${windows.count} next-character windows of the ${scoredStrings.length} ${scored === 'test' ? 'held-out' : scored === 'valid' ? 'validation' : 'fit'} strings`,
  };
}

/** The Kneser-Ney row with the highest accuracy (fewest bits on a tie). */
export function bestKneserNey(rows: readonly BaselineRow[]): BaselineRow | undefined {
  let best: BaselineRow | undefined;
  for (const r of rows) {
    if (r.order === undefined) continue;
    if (!best || r.accuracy > best.accuracy || (r.accuracy === best.accuracy && r.bitsPerChar < best.bitsPerChar)) best = r;
  }
  return best;
}

/** One line per row: name, accuracy, bits per character; `all` = every order, else the unigram, bigram, KN 3/4/5 and the best order. */
export function formatBaselines(b: TextBaselines, all = false): string[] {
  const best = bestKneserNey(b.rows);
  const shown = all ? b.rows : b.rows.filter((r) => r.order === undefined || (KN_SHOWN_ORDERS as readonly number[]).includes(r.order) || r === best);
  const width = Math.max(...shown.map((r) => r.name.length));
  return [
    `n-gram baselines fitted on ${b.fittedOn}, scored on ${b.scoredOn}:`,
    ...shown.map((r) => `  ${r.name.padEnd(width)}  accuracy ${(100 * r.accuracy).toFixed(2).padStart(6)} %  ${r.bitsPerChar.toFixed(3)} bits/char${r === best && !all ? '  (best order)' : ''}`),
  ];
}
