// The FF layer rule (ff-layer.ts) applied to the layers of a net, from rows a pass has just
// computed; the row layout says which are positive and which negative. Either kind may be
// absent: a sleep phase (SPEC §6) makes many negative-only updates, then many positive-only
// ones, and since the logistic loss is per case each update is the same rule on fewer rows.
// No gradient crosses a layer boundary: each layer's update uses only its own input and output.
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats } from './ff-step.js';
import type { FFNet, Workspace } from './ff-net.js';
import type { LayerStats } from './ff-layer.js';
import { learnedRows, type LearnedRows, type RowLayout } from './row-layout.js';

/**
 * What the gradient is averaged over: max(P, N), the number of positive–negative pairs the
 * rows would make. For today's P = N = B that is the minibatch's 1/B (the sum of a pair's two
 * cases, averaged over pairs, as ffnew.m does); every case keeps that weight when one kind is
 * missing, so a positive-only and a negative-only update from B rows each move the weights as
 * far as one paired update from the same rows.
 */
export function pairSlots(rows: LearnedRows): number {
  return Math.max(rows.positives, rows.negatives);
}

/**
 * Per layer of `layers`: what its objective measures of the learned rows (the goodness of each
 * row, for today's objectives) and the positive rows' column sums (every read issued before
 * any is awaited).
 */
export async function readLearnedRows(net: FFNet, ws: Workspace, rows: LearnedRows, layers: number[]): Promise<{ measured: Float32Array[]; positiveColSums: (Float32Array | null)[] }> {
  const e = net.engine;
  const v = (m: Mat) => e.rowView(m, rows.start, rows.count);
  const measured = await Promise.all(layers.map((l) => e.read(net.layers[l].objective.measurement(v(ws.y[l]), v(ws.g[l])))));
  const sums = layers.map((l) => net.layers[l].positiveColSum(v(ws.y[l]), rows.positives));
  const positiveColSums = await Promise.all(sums.map((m) => (m ? e.read(m) : Promise.resolve(null))));
  return { measured, positiveColSums };
}

/**
 * Layer l's FF gradient from the learned rows — its objective's gradient at its input (+ peer
 * push), gradient of every connection from its sources as they are now — added to what it has
 * accumulated (`first` starts a step), scaled by gradScale. Loss and pair errors into `stats`.
 */
export function accumulateLayer(net: FFNet, ws: Workspace, l: number, rows: LearnedRows, measured: Float32Array, positiveColSum: Float32Array | null, gradScale: number, first: boolean, stats: LayerStats): void {
  const layer = net.layers[l];
  const dz = layer.inputGradient(net.engine.rowView(ws.y[l], rows.start, rows.count), measured, rows, positiveColSum, stats);
  layer.accumulate(dz, net.sources(ws, l, rows.start, rows.count), gradScale, first);
}

/**
 * One update of each layer in `layers` (0-based) from the layout's positive and negative rows
 * of `ws`, after a feed-forward pass over them. `gain` scales the learning rate (the schedule).
 */
export async function learnFromRows(net: FFNet, ws: Workspace, layout: RowLayout, layers: number[], gain: number, stats: FFEpochStats, labels?: ArrayLike<number>): Promise<void> {
  // The positive rows' labels, for objectives that score classes (the rows carry none).
  const rows: LearnedRows = { ...learnedRows(layout), labels };
  if (rows.count === 0) return;
  const { measured, positiveColSums } = await readLearnedRows(net, ws, rows, layers);
  layers.forEach((l, k) => {
    // Summed straight into the epoch's sums (the same additions, in the same order, as ever).
    const layerStats = { ffLoss: stats.ffLoss[l], pairErrors: stats.pairErrors[l] };
    accumulateLayer(net, ws, l, rows, measured[k], positiveColSums[k], 1 / pairSlots(rows), true, layerStats);
    stats.ffLoss[l] = layerStats.ffLoss;
    stats.pairErrors[l] = layerStats.pairErrors;
    net.layers[l].update(net.cfg.lr * gain);
  });
  net.version++;
  stats.cases += pairSlots(rows);
}

/**
 * One update of every layer of a feed-forward net from given input rows (`host`: layout.rows
 * rows as LabelledInput writes them, e.g. net.input.write): one pass, then learnFromRows. A
 * layout of positives alone or negatives alone is a sleep-phase step.
 */
export async function learnFromInputRows(net: FFNet, host: Float32Array, layout: RowLayout, gain: number, stats: FFEpochStats): Promise<void> {
  if (net.recurrent) throw new Error('learnFromInputRows runs one bottom-up pass: the recurrent net learns while it settles (recurrent-step.ts)');
  const expected = layout.rows * net.inputSize;
  if (host.length !== expected) throw new Error(`learnFromInputRows: ${host.length} input values for ${layout.rows} rows of ${net.inputSize}`);
  const ws = net.workspace(layout.rows);
  ws.host.set(host);
  net.upload(ws, 0, layout.rows);
  net.forward(ws, 0, layout.rows);
  await learnFromRows(net, ws, layout, [...Array(net.numLayers).keys()], gain, stats);
}
