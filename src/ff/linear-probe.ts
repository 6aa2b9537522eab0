// The linear probes of an unsupervised run (SPEC §3): softmax classifiers on the normalized
// activities of the probe layers (default the last three), one on all of them together
// ('probe', the net's softmax head) and one on each layer alone ('probe-layerK').
//
// They train ONLINE, during FF training, on the positive (real-image) pass of every minibatch,
// with the same rule, rate, weight cost and schedule as Hinton's online softmax — but they pick
// no negatives and their gradient never reaches the layers, so the layers learn without labels
// exactly as they would without probes. Why online rather than a separate fit afterwards: it
// costs one small product per minibatch on states the FF step computes anyway, it needs no
// extra pass over the training set or a cache of its features (50,000 × 6,000 floats for the
// 4 × 2000 net), and it gives a probe error at every validation. The schedule decays the rate
// to ~0 over the second half, so the probes end fitted to nearly frozen features.
import type { Mat } from '../engine/engine.js';
import type { Param } from '../train/optimizer.js';
import type { FFEpochStats } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';
import { NEUTRAL } from './labelled-input.js';
import { trainHead } from './softmax-step.js';

/** The combined probe's classifier name. */
export const PROBE = 'probe';

/** Classifier names of an unsupervised net: the combined probe, then one per probe layer. */
export function probeModes(net: FFNet): string[] {
  return [PROBE, ...net.softmaxLayers.map((l) => `probe-layer${l + 1}`)];
}

/** The layers a probe classifier reads and its weights ('probe': all probe layers), or null if `mode` is not one of net's. */
export function probeHead(net: FFNet, mode: string): { layers: number[]; heads: (Param | null)[] } | null {
  if (net.heads.kind !== 'probes') return null;
  if (mode === PROBE) return { layers: net.softmaxLayers, heads: net.softmax };
  const m = /^probe-layer(\d+)$/.exec(mode);
  const l = m ? Number(m[1]) - 1 : -1;
  return net.softmaxLayers.includes(l) ? { layers: [l], heads: net.heads.alone } : null;
}

/**
 * One step of every probe on the normalized states of rows [start, start+B) (layers below
 * `upTo` only: greedy training reaches the higher ones later; `labels` on the engine, B × 1).
 * Loss and errors of the combined probe go to the tally's head slots, each single-layer
 * probe's errors to its probeErrors slot. Null, where the online softmax gives its
 * probabilities: no negatives are drawn from probes.
 */
export function probeStep(net: FFNet, ws: Workspace, start: number, labels: Mat, gain: number, stats: FFEpochStats, upTo = net.numLayers): null {
  const layers = net.softmaxLayers.filter((l) => l < upTo);
  if (layers.length === 0) return null;
  const { tally, slots } = stats;
  const e = net.engine;
  trainHead(net, ws, start, labels, layers, net.softmax, gain, tally, slots.head);
  for (const l of layers) {
    e.clearTally(tally, slots.probeStep, 2);
    trainHead(net, ws, start, labels, [l], net.heads.alone, gain, tally, slots.probeStep);
    e.addTally(tally, slots.probeStep + 1, slots.probeErrors(l), 1, 1);
  }
  return null; // the probes pick no negatives
}

/** Probe probabilities (c × N) of `c` images: one label-free pass, then the probe `mode`. */
export async function probeScores(net: FFNet, images: Float32Array, c: number, mode: string): Promise<Float32Array> {
  const head = probeHead(net, mode);
  if (!head) throw new Error(`unknown probe '${mode}' (choose ${probeModes(net).join(', ')})`);
  const e = net.engine;
  const ws = net.workspace(c);
  for (let i = 0; i < c; i++) net.input.write(ws.host, i, images, i, NEUTRAL);
  e.write(ws.x, ws.host);
  net.forward(ws, 0, c, Math.max(...head.layers) + 1);
  const logits = e.zeros(c, net.numClasses);
  net.logits(ws, 0, c, head.layers, logits, head.heads);
  e.softmaxRows(logits, logits);
  const p = await e.read(logits);
  e.dispose(logits);
  return p;
}
