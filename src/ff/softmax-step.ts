// The online softmax classifier's step (shared by the feed-forward and recurrent nets): it
// learns from hidden states of a pass without the true label, and its probabilities from
// before the update are what the negative source draws hard or teacher-forced labels from.
import type { Mat, Tally } from '../engine/engine.js';
import type { Param } from '../train/optimizer.js';
import type { FFEpochStats } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';

/**
 * The online softmax on the normalized states of rows [start, start+B) (a pass without the
 * true label; `labels`: the rows' labels on the engine, B × 1): one update, its loss and
 * errors into the epoch's tally, and its probabilities (B × N, on the engine) from BEFORE the
 * update — or null when no layer below `upTo` feeds it yet (greedy training of layer 1).
 */
export function softmaxStep(net: FFNet, ws: Workspace, start: number, labels: Mat, gain: number, stats: FFEpochStats, upTo = net.numLayers): Mat | null {
  const headLayers = net.softmaxLayers.filter((l) => l < upTo);
  if (headLayers.length === 0) return null;
  return trainHead(net, ws, start, labels, headLayers, net.softmax, gain, stats.tally, stats.slots.head);
}

/**
 * One online step of a linear softmax head (weights heads[l] for each l of `layers`) on the
 * normalized states of rows [start, start+B): Σ −log p(correct) into tally[at] and errors into
 * tally[at + 1], one update of the head alone (nothing reaches the layers), and the
 * probabilities before it (a scratch matrix of the net, valid until the next head step).
 */
export function trainHead(net: FFNet, ws: Workspace, start: number, labels: Mat, layers: number[], heads: (Param | null)[], gain: number, tally: Tally, at: number): Mat {
  const { engine: e, cfg, numClasses: N } = net;
  const B = labels.rows;
  const logits = scratch(net, 'logits', B, N);
  net.logits(ws, start, B, layers, logits, heads);
  e.softmaxRows(logits, logits);
  // Descent gradient of cross-entropy w.r.t. the logits: p − onehot.
  const dl = scratch(net, 'dlogits', B, N);
  e.crossEntropyGrad(logits, labels, dl, tally, at);
  for (const l of layers) {
    const s = heads[l]!;
    const grad = scratch(net, `dsoftmax${l}`, s.value.rows, N);
    e.gemm(e.rowView(ws.n[l + 1], start, B), dl, grad, { transA: true });
    s.step(grad, cfg.softmaxLr * gain, 1 / B, cfg.softmaxWeightCost);
  }
  return logits;
}

/** The labels of a minibatch on the engine (B × 1), in a matrix of the net's kept per size. */
export function labelsOnEngine(net: FFNet, labels: ArrayLike<number>): Mat {
  const m = scratch(net, 'labels', labels.length, 1);
  net.engine.write(m, Float32Array.from(labels));
  return m;
}

/** Where a minibatch's negative labels are drawn on the engine (B × 1), kept per size. */
export function negativeLabels(net: FFNet, B: number): Mat {
  return scratch(net, 'negative-labels', B, 1);
}

/** A named scratch matrix of the net, allocated once. */
function scratch(net: FFNet, name: string, rows: number, cols: number): Mat {
  return net.cached(`${name}:${rows}x${cols}`, () => net.engine.zeros(rows, cols));
}
