// One minibatch of the feed-forward FF net, in the order of Hinton's ffnew.m:
//   1. positive pass (image + correct label) and neutral pass (image + neutral label),
//   2. the online softmax on the neutral pass's normalized states, which picks hard negatives,
//   3. negative pass (image + a wrong label),
//   4. per layer: FF gradient on positive and negative cases (+ peer normalization) → update.
// No gradient crosses a layer boundary: each layer's update uses only its own input and output.
import type { Mat } from '../engine/engine.js';
import { NEUTRAL } from './labelled-input.js';
import type { FFNet } from './ff-net.js';
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
}

export function emptyStats(layers: number): FFEpochStats {
  return { cases: 0, ffLoss: new Array(layers).fill(0), pairErrors: new Array(layers).fill(0), softmaxLoss: 0, softmaxErrors: 0 };
}

/**
 * Train on one minibatch. `gain` scales every learning rate (the schedule). In greedy mode
 * only layer `only` learns (and the layers above it are not run).
 */
export async function ffTrainStep(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, only?: number): Promise<void> {
  const { engine: e, cfg, inputSize: D, input } = net;
  const B = batch.count;
  const upTo = only === undefined ? net.numLayers : only + 1;
  const learning = only === undefined ? [...Array(net.numLayers).keys()] : [only];
  // Rows of the workspace: [0,B) neutral, [B,2B) positive, [2B,3B) negative. Neutral and
  // positive run as one product; positive and negative share one weight-gradient product.
  const ws = net.workspace(3 * B);
  const rows = (m: Mat, start: number, count = B) => e.rowView(m, start, count);

  // 1. Positive data: the image with its correct label. Neutral: every label pixel strength/N.
  for (let i = 0; i < B; i++) {
    input.write(ws.host, i, batch.images, i, NEUTRAL);
    input.write(ws.host, B + i, batch.images, i, batch.labels[i]);
  }
  e.write(rows(ws.x, 0, 2 * B), ws.host.subarray(0, 2 * B * D));
  net.forward(ws, 0, 2 * B, upTo);

  // 2. The softmax reads the normalized neutral-pass states of the layers above the first
  //    ("it works better without predicting the label from the first hidden layer").
  const negLabels = await softmaxStep(net, ws, 0, batch.labels, gain, stats, upTo);

  // 3. Negative data: the same image with a wrong label.
  for (let i = 0; i < B; i++) input.write(ws.host, 2 * B + i, batch.images, i, negLabels[i]);
  e.write(rows(ws.x, 2 * B), ws.host.subarray(2 * B * D, 3 * B * D));
  net.forward(ws, 2 * B, B, upTo);

  // 4. Per layer (the layer rule, ff-layer.ts): p = σ(s·(G − θ)/T) on positive and negative
  //    cases, their coefficients, the gradient at the layer's input (+ peer normalization), and
  //    one update from positive and negative cases summed, averaged over the minibatch.
  const goodness = await Promise.all(learning.map((l) => e.read(rows(ws.g[l], B, 2 * B))));
  const posSums = learning.map((l) => net.layers[l].positiveColSum(rows(ws.y[l], B), B));
  const means = await Promise.all(posSums.map((m) => (m ? e.read(m) : Promise.resolve(null))));
  learning.forEach((l, k) => {
    const layer = net.layers[l];
    // Summed straight into the epoch's sums (the same additions, in the same order, as ever).
    const layerStats = { ffLoss: stats.ffLoss[l], pairErrors: stats.pairErrors[l] };
    const coef = layer.coefficients(goodness[k], B, layerStats);
    stats.ffLoss[l] = layerStats.ffLoss;
    stats.pairErrors[l] = layerStats.pairErrors;
    const dz = layer.inputGradient(rows(ws.y[l], B, 2 * B), coef, B, means[k]);
    layer.accumulate(dz, net.sources(ws, l, B, 2 * B), 1 / B, true);
    layer.update(cfg.lr * gain);
  });
  stats.cases += B;
}
