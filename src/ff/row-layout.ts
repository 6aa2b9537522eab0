// Which rows of a workspace hold which cases. A training step lays its rows out once and every
// pass, the online head and the layer rule read the same object, instead of each knowing an
// offset convention:
//   supervised feed-forward — [neutral | positive | negative] (neutral and positive run as one
//     pass; the head reads the neutral rows, which carry no label);
//   unsupervised and recurrent — [positive | negative] (the positive rows carry no label in the
//     input, so the head reads them);
//   a sleep phase — [positive] or [negative] alone.
import type { Mat } from '../engine/engine.js';
import type { LabelledInput } from './labelled-input.js';
import { NEUTRAL } from './labelled-input.js';

/** Rows [start, start + count). */
export interface RowRange {
  readonly start: number;
  readonly count: number;
}

export interface RowLayout {
  /** Rows the workspace needs. */
  readonly rows: number;
  /** A neutral-label copy of the cases for the online head, or null when the positive rows carry no label. */
  readonly neutral: RowRange | null;
  readonly positive: RowRange;
  readonly negative: RowRange;
}

/** What the layer rule learns from: P positive rows directly followed by N negative rows. */
export interface LearnedRows extends RowRange {
  readonly positives: number;
  readonly negatives: number;
  /** The positive rows' labels on the engine (positives × 1), when an objective needs them. */
  readonly labels?: Mat;
}

/** Blocks in the order neutral, positive, negative (a count of 0: an empty block). */
export function rowLayout(counts: { neutral?: number; positive: number; negative: number }): RowLayout {
  const n = counts.neutral ?? 0;
  const positive = { start: n, count: counts.positive };
  const negative = { start: n + counts.positive, count: counts.negative };
  return { rows: negative.start + negative.count, neutral: n > 0 ? { start: 0, count: n } : null, positive, negative };
}

/** The supervised step's [neutral | positive | negative], B rows each. */
export function labelledLayout(B: number): RowLayout {
  return rowLayout({ neutral: B, positive: B, negative: B });
}

/** [positive | negative], B rows each: positive i and negative i are a pair. */
export function pairLayout(B: number): RowLayout {
  return rowLayout({ positive: B, negative: B });
}

/** The rows the online head reads: the neutral copy, or the positives when they carry no label. */
export function headRows(layout: RowLayout): RowRange {
  return layout.neutral ?? layout.positive;
}

/** From a's first row through b's last, the blocks between included (one pass, one product). */
export function span(a: RowRange, b: RowRange): RowRange {
  if (b.start < a.start) throw new Error(`rows from ${b.start} come before rows from ${a.start}`);
  return { start: a.start, count: b.start + b.count - a.start };
}

/**
 * The positive and negative rows as one block, positives first: the layer rule computes both
 * kinds' gradient at the layer's input with one product and their weight gradient with another.
 */
export function learnedRows(layout: RowLayout): LearnedRows {
  const { positive: p, negative: n } = layout;
  const start = p.count > 0 ? p.start : n.start;
  if (p.count > 0 && n.count > 0 && p.start + p.count !== n.start) {
    throw new Error(`the layer rule needs the negative rows right after the positive ones (positives [${p.start}, ${p.start + p.count}), negatives from ${n.start})`);
  }
  return { start, count: p.count + n.count, positives: p.count, negatives: n.count };
}

/**
 * Rows `range` of `host` ← case i of `images` with label labels[i] (null: the neutral label),
 * as `input` writes them (the label part is absent when the input carries no label).
 */
export function writeCases(input: LabelledInput, host: Float32Array, range: RowRange, images: Float32Array, labels: ArrayLike<number> | null): void {
  for (let i = 0; i < range.count; i++) input.write(host, range.start + i, images, i, labels ? labels[i] : NEUTRAL);
}
