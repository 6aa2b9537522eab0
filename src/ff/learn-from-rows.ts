// The FF layer rule (ff-layer.ts) applied to the layers of a net, from rows a pass has just
// computed; the row layout says which are positive and which negative. Either kind may be
// absent: a sleep phase (SPEC §6) makes many negative-only updates, then many positive-only
// ones, and since the logistic loss is per case each update is the same rule on fewer rows.
// No gradient crosses a layer boundary: each layer's update uses only its own input and output.
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats } from './epoch-tally.js';
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
 * Layer l's FF gradient from the learned rows — its objective's gradient at its input (+ peer
 * push), gradient of every connection from its sources as they are now — added to what it has
 * accumulated (`first` starts a step), scaled by gradScale. Loss and errors go to the tally
 * where `stats` says; nothing is read back.
 */
export function accumulateLayer(net: FFNet, ws: Workspace, l: number, rows: LearnedRows, gradScale: number, first: boolean, stats: LayerStats): void {
  const e = net.engine;
  const layer = net.layers[l];
  const v = (m: Mat) => e.rowView(m, rows.start, rows.count);
  const y = v(ws.y[l]);
  const measured = layer.objective.measurement(y, v(ws.g[l]));
  const dz = layer.inputGradient(y, measured, rows, layer.positiveColSum(y, rows.positives), stats, { chip: net.stages, firstRow: rows.start });
  layer.accumulate(dz, net.sources(ws, l, rows.start, rows.count), gradScale, first);
}

/**
 * One update of each layer in `layers` (0-based) from the layout's positive and negative rows
 * of `ws`, after a feed-forward pass over them. `gain` scales the learning rate (the schedule);
 * `labels`: the positive rows' labels on the engine, for objectives that score classes.
 */
export function learnFromRows(net: FFNet, ws: Workspace, layout: RowLayout, layers: number[], gain: number, stats: FFEpochStats, labels?: Mat): void {
  const rows: LearnedRows = { ...learnedRows(layout), labels };
  if (rows.count === 0) return;
  for (const l of layers) {
    // Summed straight into the epoch's sums (the same additions, in the same order, as ever).
    accumulateLayer(net, ws, l, rows, 1 / pairSlots(rows), true, { tally: stats.tally, at: stats.slots.layer(l) });
    net.layers[l].update(net.cfg.lr * gain);
  }
  net.version++;
  stats.cases += pairSlots(rows);
}

/**
 * One update of every layer of a feed-forward net from given input rows (`host`: layout.rows
 * rows as LabelledInput writes them, e.g. net.input.write): one pass, then learnFromRows. A
 * layout of positives alone or negatives alone is a sleep-phase step.
 */
export async function learnFromInputRows(net: FFNet, host: Float32Array, layout: RowLayout, gain: number, stats: FFEpochStats): Promise<void> {
  if (net.dynamics.kind === 'recurrent') throw new Error('learnFromInputRows runs one bottom-up pass: the recurrent net learns while it settles (recurrent-step.ts)');
  const expected = layout.rows * net.inputSize;
  if (host.length !== expected) throw new Error(`learnFromInputRows: ${host.length} input values for ${layout.rows} rows of ${net.inputSize}`);
  const ws = net.workspace(layout.rows);
  ws.host.set(host);
  net.upload(ws, 0, layout.rows);
  net.forward(ws, 0, layout.rows);
  learnFromRows(net, ws, layout, [...Array(net.numLayers).keys()], gain, stats);
}
