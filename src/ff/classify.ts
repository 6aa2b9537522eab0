// The three ways to read a label out of a trained FF net (SPEC §2):
//   softmax   — one pass with the neutral label, the online softmax on hidden activities;
//   goodness  — one pass per label, the label with the best total goodness wins;
//   shortlist — the softmax's top K labels, then goodness for those only.
// Goodness passes for all candidate labels of a chunk of images run as ONE stacked product.
// Unsupervised runs (no label input) have none of these: their classifiers are the linear
// probes of linear-probe.ts ('probe', 'probe-layerK'). Nets whose layers score the classes
// themselves (--loss cwc) are read by the sum of their layers' predictions (group-classifier.ts:
// 'groups', 'groups-layerK', 'groups-layersI-J'), and by the online softmax.
import { checkImages } from '../train/api-checks.js';
import { NEUTRAL } from './labelled-input.js';
import type { FFNet } from './ff-net.js';
import { groupModeLayers, groupModes, groupRangeModes, groupScores, scoresClassesPerLayer } from './group-classifier.js';
import { probeModes, probeScores } from './linear-probe.js';

export type ClassifyMode = 'softmax' | 'goodness' | 'shortlist' | 'probe' | `probe-layer${number}` | 'groups' | `groups-layer${number}` | `groups-layers${number}-${number}`;
/** The classifiers of a supervised net. */
export const CLASSIFY_MODES: readonly ClassifyMode[] = ['softmax', 'goodness', 'shortlist'];

/** The classifiers a net offers: the three above, or its probes when it was trained without labels. */
export function classifiersOf(net: FFNet): readonly string[] {
  if (scoresClassesPerLayer(net)) return net.softmaxLayers.length > 0 ? [...groupModes(net), 'softmax'] : groupModes(net);
  return net.heads.kind === 'probes' ? probeModes(net) : CLASSIFY_MODES;
}

/** A listed classifier, or a range of layers of a net whose layers score classes. */
export function acceptsMode(net: FFNet, mode: string): boolean {
  return classifiersOf(net).includes(mode) || (scoresClassesPerLayer(net) && groupRangeModes(net).includes(mode));
}

/** Images per chunk: C·N stacked rows keep the products large without big buffers. */
const CHUNK = 100;

export interface Scores {
  /** count × N; higher is better. Softmax: probabilities; goodness: ±total goodness (−∞ if not a candidate). */
  scores: Float32Array;
  predictions: Uint8Array;
}

export async function classify(net: FFNet, images: Float32Array, count: number, mode: ClassifyMode, k = net.numClasses): Promise<Scores> {
  const N = net.numClasses;
  if (!acceptsMode(net, mode)) {
    throw new Error(`unknown mode '${mode}' for this FF model (choose ${classifiersOf(net).join(', ')})`);
  }
  if (mode === 'shortlist' && (!Number.isInteger(k) || k < 1 || k > N)) {
    throw new Error(`shortlist: k must be an integer in 1..${N}, got ${k}`);
  }
  checkImages(images, count, net.input.imageSize, 'classify');
  const groupLayers = groupModeLayers(net, mode);
  const scores = groupLayers ? await groupScores(net, images, count, groupLayers) : new Float32Array(count * N);
  for (let start = 0; start < (groupLayers ? 0 : count); start += CHUNK) {
    const c = Math.min(CHUNK, count - start);
    const D = net.input.imageSize;
    const chunk = images.subarray(start * D, (start + c) * D);
    let part: Float32Array;
    if (net.heads.kind === 'probes') part = await probeScores(net, chunk, c, mode);
    else if (mode === 'softmax') part = await softmaxScores(net, chunk, c);
    else if (mode === 'goodness') part = await goodnessScores(net, chunk, c, allLabels(c, N));
    else part = await goodnessScores(net, chunk, c, topK(await softmaxScores(net, chunk, c), c, N, k));
    scores.set(part, start * N);
  }
  const predictions = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let j = 1; j < N; j++) if (scores[i * N + j] > scores[i * N + best]) best = j;
    predictions[i] = best;
  }
  return { scores, predictions };
}

/** Neutral-label pass → softmax probabilities (c × N). */
export async function softmaxScores(net: FFNet, images: Float32Array, c: number): Promise<Float32Array> {
  const e = net.engine;
  const ws = net.workspace(c);
  for (let i = 0; i < c; i++) net.input.write(ws.host, i, images, i, NEUTRAL);
  net.upload(ws, 0, c);
  const upTo = Math.max(...net.softmaxLayers) + 1;
  net.forward(ws, 0, c, upTo);
  const logits = e.zeros(c, net.numClasses);
  net.logits(ws, 0, c, net.softmaxLayers, logits);
  e.softmaxRows(logits, logits);
  const p = await e.read(logits);
  e.dispose(logits);
  return p;
}

/**
 * candidates[i] lists the labels to try for image i, in increasing label order and all of the
 * same length K. Row r·c + i of the stacked input holds image i with candidate r, so K = N
 * gives exactly the rows (and so exactly the numbers) of the full goodness classifier.
 */
async function goodnessScores(net: FFNet, images: Float32Array, c: number, candidates: number[][]): Promise<Float32Array> {
  const e = net.engine;
  const N = net.numClasses;
  const K = candidates[0].length;
  const ws = net.workspace(c * K);
  for (let r = 0; r < K; r++) {
    for (let i = 0; i < c; i++) {
      net.input.write(ws.host, r * c + i, images, i, candidates[i][r]);
    }
  }
  net.upload(ws, 0, c * K);
  // min-ssq nets call LOW goodness positive, so the best label has the lowest total.
  const sign = net.cfg.goodness === 'max-ssq' ? 1 : -1;
  const out = new Float32Array(c * N).fill(-Infinity);
  const add = (sums: Float32Array[], weight: number) => {
    for (let r = 0; r < K; r++) {
      for (let i = 0; i < c; i++) {
        let total = 0;
        net.goodnessLayers.forEach((l, idx) => (total += net.goodness(sums[idx][r * c + i], l)));
        const at = i * N + candidates[i][r];
        out[at] = (out[at] === -Infinity ? 0 : out[at]) + sign * total * weight;
      }
    }
  };
  const read = () => Promise.all(net.goodnessLayers.map((l) => e.read(ws.g[l])));
  if (net.dynamics.kind !== 'recurrent') {
    net.forward(ws, 0, c * K, Math.max(...net.goodnessLayers) + 1);
    add(await read(), 1);
    return out;
  }
  // Recurrent: clamp each candidate label, settle, and average goodness over iterations
  // testFrom..testTo (the talk: 3–5).
  net.forward(ws, 0, c * K);
  const labels = new Int32Array(c * K);
  for (let r = 0; r < K; r++) for (let i = 0; i < c; i++) labels[r * c + i] = candidates[i][r];
  net.dynamics.clampLabels(ws, 0, labels);
  const { testFrom, testTo } = net.cfg;
  for (let t = 1; t <= testTo; t++) {
    net.dynamics.computeActivities(ws, 0, c * K);
    if (t >= testFrom) add(await read(), 1 / (testTo - testFrom + 1));
    if (t < testTo) net.dynamics.advanceStates(ws, 0, c * K);
  }
  return out;
}

function allLabels(c: number, N: number): number[][] {
  const labels = Array.from({ length: N }, (_, j) => j);
  return Array.from({ length: c }, () => labels);
}

/** The k most probable labels of each row, returned in increasing label order. */
function topK(probs: Float32Array, c: number, N: number, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < c; i++) {
    const order = Array.from({ length: N }, (_, j) => j).sort((a, b) => probs[i * N + b] - probs[i * N + a] || a - b);
    out.push(order.slice(0, k).sort((a, b) => a - b));
  }
  return out;
}
