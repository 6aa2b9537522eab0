// One minibatch of the feed-forward FF net, in the order of Hinton's ffnew.m:
//   1. positive pass (image + correct label) and neutral pass (image + neutral label),
//   2. the online head (the softmax) on the neutral pass's normalized states,
//   3. negative pass (image + a label from the negative source, e.g. a hard wrong label),
//   4. per layer: FF gradient on positive and negative cases (+ peer normalization) → update.
// Unsupervised runs (negativeData 'hybrid', SPEC §3) have no label in the input: the positive
// rows are label-free, so the head (a linear probe that only reads the layers) reads them, and
// their negatives, hybrids of two images, need no head: drawn first, they share the positives'
// pass. Where the negatives come from is the net's NegativeSource (negative-source.ts); which
// rows hold what, a RowLayout (row-layout.ts); step 4 is learnFromRows (learn-from-rows.ts).
// An objective that learns from positive rows alone (cwc: the classes compete inside the layer)
// gets [positive] rows without a label in the input, and their labels beside them.
import type { FFNet, Workspace } from './ff-net.js';
import { learnFromRows } from './learn-from-rows.js';
import { probeStep } from './linear-probe.js';
import { negativeUse } from './objectives/registry.js';
import { headRows, labelledLayout, pairLayout, rowLayout, span, writeCases, type RowRange } from './row-layout.js';
import { softmaxStep } from './softmax-step.js';

export interface Batch {
  /** count × D pixels (already augmented). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Sums over an epoch; the trainer turns them into means. */
export interface FFEpochStats {
  cases: number;
  /** Per layer: Σ of the FF loss (−log p⁺ − log(1−p⁻), or SymBa's pair loss). */
  ffLoss: number[];
  /** Per layer: pairs where the negative case looked more positive than its positive case. */
  pairErrors: number[];
  /** The online softmax (neutral label): Σ −log p(correct), and errors. */
  softmaxLoss: number;
  softmaxErrors: number;
  /** Unsupervised runs: per layer, training errors of the probe on that layer alone. */
  probeErrors: number[];
}

export function emptyStats(layers: number): FFEpochStats {
  return { cases: 0, ffLoss: new Array(layers).fill(0), pairErrors: new Array(layers).fill(0), softmaxLoss: 0, softmaxErrors: 0, probeErrors: new Array(layers).fill(0) };
}

/**
 * Train on one minibatch. `gain` scales every learning rate (the schedule). In greedy mode
 * only layer `only` learns (and the layers above it are not run).
 */
export async function ffTrainStep(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, only?: number): Promise<void> {
  const upTo = only === undefined ? net.numLayers : only + 1;
  const learning = only === undefined ? [...Array(net.numLayers).keys()] : [only];
  const { input, negatives: source } = net;
  // A hybrid needs two different images: a last minibatch of one image is skipped.
  if (batch.count < source.minCases) return;
  const B = batch.count;
  // Supervised: [neutral | positive | negative]; no label in the input: [positive | negative];
  // negatives made offline (a sleep phase): [neutral | positive], a wake step; an objective
  // without negatives: [positive].
  const alone = negativeUse(net.cfg.loss) === 'none';
  const layout = alone ? rowLayout({ positive: B, negative: 0 }) : source.offline ? rowLayout({ neutral: B, positive: B, negative: 0 }) : input.placement === 'none' ? pairLayout(B) : labelledLayout(B);
  const ws = net.workspace(layout.rows);

  // 1. Positive data: the image with its correct label (the neutral copy: every label pixel strength/N).
  if (layout.neutral) writeCases(input, ws.host, layout.neutral, batch.images, null);
  writeCases(input, ws.host, layout.positive, batch.images, batch.labels);
  // Negatives from the images alone are drawn now and run in the same pass (one product).
  let negatives = source.readsHead || alone ? null : source.draw(batch, null, net.rng);
  if (negatives) writeCases(input, ws.host, layout.negative, negatives.images, negatives.labels);
  pass(net, ws, span(headRows(layout), negatives ? layout.negative : layout.positive), upTo);

  // 2. The head reads the normalized label-free states of the layers above the first ("it
  //    works better without predicting the label from the first hidden layer").
  const headStep = net.unsupervised ? probeStep : softmaxStep;
  const probs = await headStep(net, ws, headRows(layout).start, batch.labels, gain, stats, upTo);

  // 3. Negatives that read the head: the same image with the label the source draws from it.
  if (!negatives && !source.offline && !alone) {
    negatives = source.draw(batch, probs, net.rng);
    writeCases(input, ws.host, layout.negative, negatives.images, negatives.labels);
    pass(net, ws, layout.negative, upTo);
  }

  // 4. The layer rule on the positive and negative rows.
  await learnFromRows(net, ws, layout, learning, gain, stats, batch.labels);
}

/** Rows `r` of ws.host to the engine and through hidden layers 0..upTo−1. */
function pass(net: FFNet, ws: Workspace, r: RowRange, upTo: number): void {
  net.upload(ws, r.start, r.count);
  net.forward(ws, r.start, r.count, upTo);
}
