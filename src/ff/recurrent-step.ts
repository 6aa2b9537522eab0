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
import type { FFEpochStats } from './epoch-tally.js';
import type { Batch } from './ff-step.js';
import type { FFNet } from './ff-net.js';
import { accumulateLayer, pairSlots } from './learn-from-rows.js';
import { learnedRows, pairLayout, writeCases } from './row-layout.js';
import { labelsOnEngine, negativeLabels, softmaxStep } from './softmax-step.js';

/** One minibatch; nothing is read back (the sums go to the epoch's tally, per iteration too). */
export function recurrentTrainStep(net: FFNet, batch: Batch, gain: number, stats: FFEpochStats): void {
  const { cfg, input, negatives: source, engine: e, dynamics } = net;
  if (dynamics.kind !== 'recurrent') throw new Error('recurrentTrainStep trains a recurrent net (--architecture recurrent); a feed-forward net trains by ffTrainStep');
  const B = batch.count;
  // [positive | negative]: the same images (the label layer, not the input, carries the
  // label), so one pass starts both.
  const layout = pairLayout(B);
  const ws = net.workspace(layout.rows);
  writeCases(input, ws.host, layout.positive, batch.images, null);
  writeCases(input, ws.host, layout.negative, batch.images, null);
  net.upload(ws, 0, layout.rows);
  net.forward(ws, 0, layout.rows);

  const truth = labelsOnEngine(net, batch.labels);
  const probs = softmaxStep(net, ws, layout.positive.start, truth, gain, stats);
  const head = probs ? { engine: e, probs, truth, out: negativeLabels(net, B) } : null;
  const negatives = source.draw(batch, head, net.rng);
  if (negatives.images !== batch.images) throw new Error(`the recurrent net needs negatives that keep the image (its first pass ran before they were drawn); '${source.name}' negatives do not`);
  dynamics.clampLabels(ws, layout.positive.start, truth);
  dynamics.clampLabels(ws, layout.negative.start, negatives.onEngine ?? negatives.labels!);

  const rows = learnedRows(layout);
  const first = cfg.gradientFrom;
  const counted = cfg.iterations - first + 1;
  const { tally, slots } = stats;
  for (let t = 1; t <= cfg.iterations; t++) {
    dynamics.computeActivities(ws, rows.start, rows.count);
    if (t >= first) {
      for (const l of net.layers.keys()) {
        // This step's sums, from 0, then into the epoch's (every counted iteration weighs
        // 1/counted: epoch means are per case) and into iteration t's.
        const step = slots.layerStep(l);
        e.clearTally(tally, step, 2);
        // The sources are still the previous step's states: the gradient of this step's inputs.
        accumulateLayer(net, ws, l, rows, 1 / (pairSlots(rows) * counted), t === first, { tally, at: step });
        e.addTally(tally, step, slots.layer(l), 2, counted);
        e.addTally(tally, step, slots.iterationLoss(t, l), 2, 1);
      }
    }
    dynamics.advanceStates(ws, rows.start, rows.count);
  }
  for (const layer of net.layers) layer.update(cfg.lr * gain);
  stats.cases += pairSlots(rows);
}
