// One minibatch of the feed-forward FF net, in the order of Hinton's ffnew.m:
//   1. positive pass (image + correct label) and neutral pass (image + neutral label),
//   2. the online softmax on the neutral pass's normalized states, which picks hard negatives,
//   3. negative pass (image + a wrong label),
//   4. per layer: FF gradient on positive and negative cases (+ peer normalization) → update.
// Unsupervised runs (negativeData 'hybrid', SPEC §3) replace 1–3: the images alone are the
// positive data, hybrids of two of them the negative data, and the online head is a linear
// probe that only reads the layers. Step 4 is the same for both.
// No gradient crosses a layer boundary: each layer's update uses only its own input and output.
import type { Mat } from '../engine/engine.js';
import { NEUTRAL } from './labelled-input.js';
import type { FFNet, Workspace } from './ff-net.js';
import { makeHybrids, type Hybrids } from './hybrid-negatives.js';
import { probeStep } from './linear-probe.js';
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
  // A hybrid needs two different images: a last minibatch of one image is skipped.
  if (net.unsupervised && batch.count < 2) return;
  // Where the negatives come from is the only difference between the two kinds of run.
  const { ws, positives } = net.unsupervised ? await hybridPasses(net, batch, gain, stats, upTo) : await wrongLabelPasses(net, batch, gain, stats, upTo);
  await learnFromPairs(net, ws, positives, batch.count, learning, gain, stats);
}

/**
 * Supervised (SPEC §2). Rows: [0,B) neutral, [B,2B) positive, [2B,3B) negative. Neutral and
 * positive run as one product; positive and negative share one weight-gradient product.
 */
async function wrongLabelPasses(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, upTo: number): Promise<PairRows> {
  const { input } = net;
  const B = batch.count;
  const ws = net.workspace(3 * B);

  // 1. Positive data: the image with its correct label. Neutral: every label pixel strength/N.
  for (let i = 0; i < B; i++) {
    input.write(ws.host, i, batch.images, i, NEUTRAL);
    input.write(ws.host, B + i, batch.images, i, batch.labels[i]);
  }
  net.upload(ws, 0, 2 * B);
  net.forward(ws, 0, 2 * B, upTo);

  // 2. The softmax reads the normalized neutral-pass states of the layers above the first
  //    ("it works better without predicting the label from the first hidden layer").
  const negLabels = await softmaxStep(net, ws, 0, batch.labels, gain, stats, upTo);

  // 3. Negative data: the same image with a wrong label.
  for (let i = 0; i < B; i++) input.write(ws.host, 2 * B + i, batch.images, i, negLabels[i]);
  net.upload(ws, 2 * B, B);
  net.forward(ws, 2 * B, B, upTo);
  return { ws, positives: B };
}

/**
 * Unsupervised (SPEC §3). Rows: [0,B) the images alone (positive), [B,2B) hybrids of two of
 * them (negative), one pass for both. The labels reach only the linear probes, which read the
 * positive rows' normalized states and never send a gradient into the layers.
 */
async function hybridPasses(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, upTo: number): Promise<PairRows> {
  const { engine: e, inputSize: D, input } = net;
  const B = batch.count;
  const ws = net.workspace(2 * B);
  const hybrids = makeHybrids(batch.images, B, net.imageShape, net.cfg.blurPasses, net.rng, hybridBuffers(net, B));
  for (let i = 0; i < B; i++) {
    input.write(ws.host, i, batch.images, i, NEUTRAL);
    input.write(ws.host, B + i, hybrids.images, i, NEUTRAL);
  }
  e.write(ws.x, ws.host.subarray(0, 2 * B * D));
  net.forward(ws, 0, 2 * B, upTo);
  await probeStep(net, ws, 0, batch.labels, gain, stats, upTo);
  return { ws, positives: 0 };
}

/** The workspace after the passes, and the first of B positive rows (B negative rows follow). */
interface PairRows {
  ws: Workspace;
  positives: number;
}

/**
 * Per layer (the layer rule, ff-layer.ts): p = σ(s·(G − θ)/T) on positive and negative cases,
 * their coefficients, the gradient at the layer's input (+ peer normalization), and one update
 * from positive and negative cases summed, averaged over the minibatch.
 */
async function learnFromPairs(net: FFNet, ws: Workspace, p: number, B: number, learning: number[], gain: number, stats: FFEpochStats): Promise<void> {
  const e = net.engine;
  const rows = (m: Mat, start: number, count = B) => e.rowView(m, start, count);
  const goodness = await Promise.all(learning.map((l) => e.read(rows(ws.g[l], p, 2 * B))));
  const posSums = learning.map((l) => net.layers[l].positiveColSum(rows(ws.y[l], p), B));
  const means = await Promise.all(posSums.map((m) => (m ? e.read(m) : Promise.resolve(null))));
  learning.forEach((l, k) => {
    const layer = net.layers[l];
    // Summed straight into the epoch's sums (the same additions, in the same order, as ever).
    const layerStats = { ffLoss: stats.ffLoss[l], pairErrors: stats.pairErrors[l] };
    const coef = layer.coefficients(goodness[k], B, layerStats);
    stats.ffLoss[l] = layerStats.ffLoss;
    stats.pairErrors[l] = layerStats.pairErrors;
    const dz = layer.inputGradient(rows(ws.y[l], p, 2 * B), coef, B, means[k]);
    layer.accumulate(dz, net.sources(ws, l, p, 2 * B), 1 / B, true);
    layer.update(net.cfg.lr * gain);
  });
  stats.cases += B;
}

/** Hybrid buffers per batch size, reused across minibatches. */
function hybridBuffers(net: FFNet, B: number): Partial<Hybrids> {
  return net.cached(`hybrids:${B}`, (): Partial<Hybrids> => ({}));
}
