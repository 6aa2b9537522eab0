// One minibatch of the recurrent FF net (SPEC §4), with the same layer rule as the
// feed-forward net (ff-layer.ts):
//   1. one bottom-up pass of the images (no label anywhere yet) — the "one-pass" state that
//      the online softmax reads, and every hidden layer's initial state;
//   2. the softmax learns from it and draws the hard negative labels;
//   3. the label layer is clamped to the correct label (positive rows) or the wrong one
//      (negative rows), and the net settles for `iterations` synchronous damped steps;
//   4. from iteration `gradientFrom` on, every layer's FF gradient at every iteration is added
//      up (no backprop through time: each uses only that step's inputs and outputs), and
//      every layer takes one update from their mean.
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats } from './ff-step.js';
import type { FFNet } from './ff-net.js';
import { NEUTRAL } from './labelled-input.js';
import { softmaxStep } from './softmax-step.js';

/** Per-iteration sums (iteration t at index t − 1, one entry per layer); the model averages them. */
export interface IterationStats {
  pairErrors: number[][];
  ffLoss: number[][];
}

export function emptyIterationStats(iterations: number, layers: number): IterationStats {
  const grid = () => Array.from({ length: iterations }, () => new Array<number>(layers).fill(0));
  return { pairErrors: grid(), ffLoss: grid() };
}

export async function recurrentTrainStep(
  net: FFNet,
  batch: { images: Float32Array; labels: Uint8Array; count: number },
  gain: number,
  stats: FFEpochStats,
  byIteration: IterationStats,
): Promise<void> {
  const { engine: e, cfg, inputSize: D, input } = net;
  const B = batch.count;
  const L = net.numLayers;
  // Rows [0,B) positive, [B,2B) negative: the same images, so one pass starts both.
  const ws = net.workspace(2 * B);
  const rows = (m: Mat, start: number, count: number) => e.rowView(m, start, count);

  for (let i = 0; i < B; i++) {
    input.write(ws.host, i, batch.images, i, NEUTRAL);
    input.write(ws.host, B + i, batch.images, i, NEUTRAL);
  }
  e.write(ws.x, ws.host.subarray(0, 2 * B * D));
  net.forward(ws, 0, 2 * B);

  const negLabels = await softmaxStep(net, ws, 0, batch.labels, gain, stats);
  net.clampLabels(ws, 0, batch.labels);
  net.clampLabels(ws, B, negLabels);

  const first = cfg.gradientFrom;
  const counted = cfg.iterations - first + 1;
  for (let t = 1; t <= cfg.iterations; t++) {
    net.computeActivities(ws, 0, 2 * B);
    if (t >= first) {
      const goodness = await Promise.all(net.layers.map((_, l) => e.read(rows(ws.g[l], 0, 2 * B))));
      const posSums = net.layers.map((layer, l) => layer.positiveColSum(ws.y[l], B));
      const means = await Promise.all(posSums.map((m) => (m ? e.read(m) : Promise.resolve(null))));
      for (let l = 0; l < L; l++) {
        const layer = net.layers[l];
        const s = { ffLoss: 0, pairErrors: 0 };
        const coef = layer.coefficients(goodness[l], B, s);
        // Epoch means are per case: every counted iteration weighs 1/counted.
        stats.ffLoss[l] += s.ffLoss / counted;
        stats.pairErrors[l] += s.pairErrors / counted;
        byIteration.ffLoss[t - 1][l] += s.ffLoss;
        byIteration.pairErrors[t - 1][l] += s.pairErrors;
        const dz = layer.inputGradient(rows(ws.y[l], 0, 2 * B), coef, B, means[l]);
        // The sources are still the previous step's states: the gradient of this step's inputs.
        layer.accumulate(dz, net.sources(ws, l, 0, 2 * B), 1 / (B * counted), t === first);
      }
    }
    net.advanceStates(ws, 0, 2 * B);
  }
  for (const layer of net.layers) layer.update(cfg.lr * gain);
  stats.cases += B;
}
