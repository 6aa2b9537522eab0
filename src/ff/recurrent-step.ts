// One minibatch of the recurrent FF net (SPEC §4), with the same layer rule as the
// feed-forward net (ff-layer.ts):
//   1. one bottom-up pass of the images (no label anywhere yet) — the "one-pass" state that
//      the online softmax reads, and every hidden layer's initial state;
//   2. the softmax learns from it, and the net's negative source draws the negative labels
//      from its probabilities (hard, random or teacher-forced: negative-source.ts);
//   3. the label layer is clamped to the correct label (positive rows) or the drawn one
//      (negative rows), and the net settles for `iterations` synchronous damped steps;
//   4. from iteration `gradientFrom` on, every layer's FF gradient at every iteration is added
//      up (no backprop through time: each uses only that step's inputs and outputs), and
//      every layer takes one update from their mean.
import type { Batch, FFEpochStats } from './ff-step.js';
import type { FFNet } from './ff-net.js';
import { accumulateLayer, pairSlots, readLearnedRows } from './learn-from-rows.js';
import { learnedRows, pairLayout, writeCases } from './row-layout.js';
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

export async function recurrentTrainStep(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats, byIteration: IterationStats): Promise<void> {
  const { cfg, input, negatives: source } = net;
  const B = batch.count;
  // [positive | negative]: the same images (the label layer, not the input, carries the
  // label), so one pass starts both.
  const layout = pairLayout(B);
  const ws = net.workspace(layout.rows);
  writeCases(input, ws.host, layout.positive, batch.images, null);
  writeCases(input, ws.host, layout.negative, batch.images, null);
  net.upload(ws, 0, layout.rows);
  net.forward(ws, 0, layout.rows);

  const probs = await softmaxStep(net, ws, layout.positive.start, batch.labels, gain, stats);
  const negatives = source.draw(batch, probs, net.rng);
  if (negatives.images !== batch.images) throw new Error(`the recurrent net needs negatives that keep the image (its first pass ran before they were drawn); '${source.name}' negatives do not`);
  net.clampLabels(ws, layout.positive.start, batch.labels);
  net.clampLabels(ws, layout.negative.start, negatives.labels);

  const rows = learnedRows(layout);
  const first = cfg.gradientFrom;
  const counted = cfg.iterations - first + 1;
  const layers = [...net.layers.keys()];
  for (let t = 1; t <= cfg.iterations; t++) {
    net.computeActivities(ws, rows.start, rows.count);
    if (t >= first) {
      const { measured, positiveColSums } = await readLearnedRows(net, ws, rows, layers);
      for (const l of layers) {
        const s = { ffLoss: 0, pairErrors: 0 };
        // The sources are still the previous step's states: the gradient of this step's inputs.
        accumulateLayer(net, ws, l, rows, measured[l], positiveColSums[l], 1 / (pairSlots(rows) * counted), t === first, s);
        // Epoch means are per case: every counted iteration weighs 1/counted.
        stats.ffLoss[l] += s.ffLoss / counted;
        stats.pairErrors[l] += s.pairErrors / counted;
        byIteration.ffLoss[t - 1][l] += s.ffLoss;
        byIteration.pairErrors[t - 1][l] += s.pairErrors;
      }
    }
    net.advanceStates(ws, rows.start, rows.count);
  }
  for (const layer of net.layers) layer.update(cfg.lr * gain);
  stats.cases += pairSlots(rows);
}
