// The Forward-Forward learning rule for one minibatch, in the order of Hinton's ffnew.m:
//   1. positive pass (image + correct label) and neutral pass (image + neutral label),
//   2. the online softmax on the neutral pass's normalized states, which picks hard negatives,
//   3. negative pass (image + a wrong label),
//   4. per layer: FF gradient on positive and negative cases (+ peer normalization) → update.
// No gradient crosses a layer boundary: each layer's update uses only its own input and output.
import type { Mat } from '../engine/engine.js';
import { NEUTRAL } from './labelled-input.js';
import { sampleHardNegatives, sampleRandomNegatives } from './labels.js';
import type { FFNet } from './ff-net.js';

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

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Train on one minibatch. `gain` scales every learning rate (the schedule). In greedy mode
 * only layer `only` learns (and the layers above it are not run).
 */
export async function ffTrainStep(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, only?: number): Promise<void> {
  const { engine: e, cfg, numClasses: N, inputSize: D, input } = net;
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
  const headLayers = net.softmaxLayers.filter((l) => l < upTo);
  const negLabels = new Int32Array(B);
  if (headLayers.length > 0) {
    const logits = scratch(net, 'logits', B, N);
    net.logits(ws, 0, B, headLayers, logits);
    e.softmaxRows(logits, logits);
    const probs = await e.read(logits);
    // Descent gradient of cross-entropy w.r.t. the logits: p − onehot.
    const dLogits = probs.slice();
    for (let i = 0; i < B; i++) {
      const y = batch.labels[i];
      stats.softmaxLoss += -Math.log(1e-30 + probs[i * N + y]);
      let best = 0;
      for (let j = 1; j < N; j++) if (probs[i * N + j] > probs[i * N + best]) best = j;
      if (best !== y) stats.softmaxErrors++;
      dLogits[i * N + y] -= 1;
    }
    const dl = scratch(net, 'dlogits', B, N);
    e.write(dl, dLogits);
    for (const l of headLayers) {
      const s = net.softmax[l]!;
      const grad = scratch(net, `dsoftmax${l}`, s.value.rows, N);
      e.gemm(rows(ws.n[l + 1], 0), dl, grad, { transA: true });
      s.step(grad, cfg.softmaxLr * gain, 1 / B, cfg.softmaxWeightCost);
    }
    // Negative labels are drawn from the softmax BEFORE its update (the probabilities read above).
    if (cfg.negatives === 'hard') sampleHardNegatives(probs, batch.labels, N, net.rng, negLabels);
    else sampleRandomNegatives(batch.labels, N, net.rng, negLabels);
  } else {
    // No layer feeds the softmax yet (greedy training of layer 1): random wrong labels.
    sampleRandomNegatives(batch.labels, N, net.rng, negLabels);
  }

  // 3. Negative data: the same image with a wrong label.
  for (let i = 0; i < B; i++) input.write(ws.host, 2 * B + i, batch.images, i, negLabels[i]);
  e.write(rows(ws.x, 2 * B), ws.host.subarray(2 * B * D, 3 * B * D));
  net.forward(ws, 2 * B, B, upTo);

  // 4. Per layer: p = σ(s·(G − θ)/T); the descent gradient of the FF loss w.r.t. the total
  //    input of unit j is coef_i · y_ij (ReLU-gated through y), with coef from the loss.
  const sign = cfg.goodness === 'max-ssq' ? 1 : -1;
  const T = cfg.temperature;
  const goodnessScale = (l: number) => (cfg.goodnessReduce === 'mean' ? 1 / net.sizes[l + 1] : 1);
  const dGdy = cfg.exactGradient ? cfg.goodnessPower : 1; // ffnew.m drops the 2 of d(y²)/dy
  const posSums = learning.map((l) => (cfg.peerLambda !== 0 ? colMeanOfPositives(net, ws, l, B) : null));
  const goodness = await Promise.all(learning.map((l) => e.read(rows(ws.g[l], B, 2 * B))));
  const means = await Promise.all(posSums.map((m) => (m ? e.read(m) : Promise.resolve(null))));

  learning.forEach((l, k) => {
    const width = net.sizes[l + 1];
    const theta = net.threshold(l);
    const g = goodness[k];
    const coef = new Float32Array(2 * B);
    const scale = (sign / T) * goodnessScale(l) * dGdy;
    for (let i = 0; i < B; i++) {
      const gPos = net.goodness(g[i], l);
      const gNeg = net.goodness(g[B + i], l);
      const xPos = (sign * (gPos - theta)) / T;
      const xNeg = (sign * (gNeg - theta)) / T;
      if (xNeg > xPos) stats.pairErrors[l]++;
      if (cfg.loss === 'logistic') {
        stats.ffLoss[l] += softplus(-xPos) + softplus(xNeg);
        coef[i] = -(1 - sigmoid(xPos)) * scale; // positive: raise p
        coef[B + i] = sigmoid(xNeg) * scale; // negative: lower p
      } else {
        // SymBa: softplus(−α·s·(G⁺ − G⁻)) on the pair.
        const a = cfg.symbaAlpha;
        const d = (sign * (gPos - gNeg)) / T;
        stats.ffLoss[l] += softplus(-a * d);
        const w = a * sigmoid(-a * d) * (sign / T) * goodnessScale(l) * dGdy;
        coef[i] = -w;
        coef[B + i] = w;
      }
    }
    const c = scratch(net, 'coef', 2 * B, 1);
    e.write(c, coef);
    const dz = scratch(net, `dz${width}`, 2 * B, width);
    e.scaleRows(rows(ws.y[l], B, 2 * B), c, dz, cfg.goodnessPower);

    // Peer normalization: pull each unit's running mean activity on positive data toward the
    // layer's average. Not gated by the ReLU, so it can revive units that are always off.
    const m = means[k];
    if (m) {
      const pm = net.peerMeans[l];
      let avg = 0;
      for (let j = 0; j < width; j++) {
        pm[j] = cfg.peerDecay * pm[j] + (1 - cfg.peerDecay) * (m[j] / B);
        avg += pm[j];
      }
      avg /= width;
      const push = new Float32Array(width);
      for (let j = 0; j < width; j++) push[j] = -cfg.peerLambda * (avg - pm[j]); // descent sign
      const pv = scratch(net, `peer${width}`, 1, width);
      e.write(pv, push);
      e.addRowVector(rows(dz, 0), pv, 1);
    }

    // Positive and negative cases summed into one update, averaged over the minibatch; with
    // the 'smooth' optimizer the product and column sum go straight into its state.
    const dW = () => scratch(net, `dW${l}`, net.sizes[l], width);
    const db = () => scratch(net, `db${width}`, 1, width);
    net.weights[l].stepProduct(rows(ws.n[l], B, 2 * B), dz, { transA: true }, cfg.lr * gain, 1 / B, cfg.weightCost, dW);
    net.biases[l].stepColSum(dz, cfg.lr * gain, 1 / B, 0, db);
  });
  stats.cases += B;
}

function colMeanOfPositives(net: FFNet, ws: ReturnType<FFNet['workspace']>, l: number, B: number): Mat {
  const out = scratch(net, `possum${l}`, 1, net.sizes[l + 1]);
  net.engine.colSum(net.engine.rowView(ws.y[l], B, B), out, 1, 0);
  return out;
}

/** Named scratch matrices, allocated once per net. */
const scratchByNet = new WeakMap<FFNet, Map<string, Mat>>();
function scratch(net: FFNet, name: string, rows: number, cols: number): Mat {
  let m = scratchByNet.get(net);
  if (!m) scratchByNet.set(net, (m = new Map()));
  const key = `${name}:${rows}x${cols}`;
  let mat = m.get(key);
  if (!mat) m.set(key, (mat = net.engine.zeros(rows, cols)));
  return mat;
}
