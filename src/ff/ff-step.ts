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
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';
import { learnFromRows } from './learn-from-rows.js';
import { negativeUse } from './objectives/registry.js';
import { headRows, labelledLayout, pairLayout, rowLayout, span, writeCases, type RowRange } from './row-layout.js';
import { labelsOnEngine, negativeLabels } from './softmax-step.js';

export { emptyStats, type FFEpochStats } from './epoch-tally.js';

export interface Batch {
  /** count × D pixels (already augmented). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Train on one minibatch. `gain` scales every learning rate (the schedule). In greedy mode
 * only layer `only` learns (and the layers above it are not run).
 */
export function ffTrainStep(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, only?: number): void {
  const upTo = only === undefined ? net.numLayers : only + 1;
  const learning = only === undefined ? [...Array(net.numLayers).keys()] : [only];
  const { input, negatives: source } = net;
  // A hybrid needs two different images: a last minibatch of one image is skipped.
  if (batch.count < source.minCases) return;
  const B = batch.count;
  // Its passes and gradients drop units (--dropout) until the model ends the step.
  net.stages.beginStep();
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
  //    works better without predicting the label from the first hidden layer"). Everything
  //    from here on stays on the engine: no read until the epoch ends.
  const truth = labelsOnEngine(net, batch.labels);
  const probs = net.heads.step(net, ws, headRows(layout).start, truth, gain, stats, upTo);

  // 3. Negatives that read the head: the same image with the label the source draws from it.
  if (!negatives && !source.offline && !alone) {
    const head = probs ? { engine: net.engine, probs, truth, out: negativeLabels(net, B) } : null;
    negatives = source.draw(batch, head, net.rng);
    // Labels drawn on the engine are set there after the upload (the host rows keep the neutral label).
    writeCases(input, ws.host, layout.negative, negatives.images, negatives.labels);
    pass(net, ws, layout.negative, upTo, negatives.onEngine);
  }

  // 4. The layer rule on the positive and negative rows.
  learnFromRows(net, ws, layout, learning, gain, stats, truth);
}

/** Rows `r` of ws.host to the engine (labels on the engine into their label units) and through hidden layers 0..upTo−1. */
function pass(net: FFNet, ws: Workspace, r: RowRange, upTo: number, labels?: Mat): void {
  net.upload(ws, r.start, r.count);
  if (labels) net.setInputLabels(ws, r.start, labels);
  net.forward(ws, r.start, r.count, upTo);
}
