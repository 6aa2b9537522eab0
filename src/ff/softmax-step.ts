// The online softmax classifier's step (shared by the feed-forward and recurrent nets): it
// learns from hidden states of a pass without the true label, and its probabilities from
// before the update are what the negative source draws hard or teacher-forced labels from.
import type { Mat } from '../engine/engine.js';
import type { Param } from '../train/optimizer.js';
import type { FFEpochStats } from './ff-step.js';
import type { FFNet, Workspace } from './ff-net.js';

/**
 * The online softmax on the normalized states of rows [start, start+B) (a pass without the
 * true label): one update, its loss and errors into `stats`, and its probabilities (B × N)
 * from BEFORE the update — or null when no layer below `upTo` feeds it yet (greedy training
 * of layer 1).
 */
export async function softmaxStep(
  net: FFNet,
  ws: Workspace,
  start: number,
  labels: Uint8Array,
  gain: number,
  stats: FFEpochStats,
  upTo = net.numLayers,
): Promise<Float32Array | null> {
  const headLayers = net.softmaxLayers.filter((l) => l < upTo);
  if (headLayers.length === 0) return null;
  const sums = { loss: stats.softmaxLoss, errors: stats.softmaxErrors };
  const probs = await trainHead(net, ws, start, labels, headLayers, net.softmax, gain, sums);
  stats.softmaxLoss = sums.loss;
  stats.softmaxErrors = sums.errors;
  return probs;
}

/**
 * One online step of a linear softmax head (weights heads[l] for each l of `layers`) on the
 * normalized states of rows [start, start+B): Σ −log p(correct) and errors into `sums`, one
 * update of the head alone (nothing reaches the layers), and the probabilities before it.
 */
export async function trainHead(
  net: FFNet,
  ws: Workspace,
  start: number,
  labels: Uint8Array,
  layers: number[],
  heads: (Param | null)[],
  gain: number,
  sums: { loss: number; errors: number },
): Promise<Float32Array> {
  const { engine: e, cfg, numClasses: N } = net;
  const B = labels.length;
  const logits = scratch(net, 'logits', B, N);
  net.logits(ws, start, B, layers, logits, heads);
  e.softmaxRows(logits, logits);
  const probs = await e.read(logits);
  // Descent gradient of cross-entropy w.r.t. the logits: p − onehot.
  const dLogits = probs.slice();
  for (let i = 0; i < B; i++) {
    const y = labels[i];
    sums.loss += -Math.log(1e-30 + probs[i * N + y]);
    let best = 0;
    for (let j = 1; j < N; j++) if (probs[i * N + j] > probs[i * N + best]) best = j;
    if (best !== y) sums.errors++;
    dLogits[i * N + y] -= 1;
  }
  const dl = scratch(net, 'dlogits', B, N);
  e.write(dl, dLogits);
  for (const l of layers) {
    const s = heads[l]!;
    const grad = scratch(net, `dsoftmax${l}`, s.value.rows, N);
    e.gemm(e.rowView(ws.n[l + 1], start, B), dl, grad, { transA: true });
    s.step(grad, cfg.softmaxLr * gain, 1 / B, cfg.softmaxWeightCost);
  }
  return probs;
}

/** A named scratch matrix of the net, allocated once. */
function scratch(net: FFNet, name: string, rows: number, cols: number): Mat {
  return net.cached(`${name}:${rows}x${cols}`, () => net.engine.zeros(rows, cols));
}
