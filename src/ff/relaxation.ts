// Back relaxation (the talk): how far top-down information travels in the recurrent net. For
// each image, clamp every label in turn, let the net settle, and measure per hidden layer and
// per iteration how much the layer's state differs between labels: the mean cosine distance
// between the label-conditioned normalized states over all label pairs. Before the first
// iteration every layer is the same bottom-up state whatever the label (distance 0); a layer
// k steps below the label layer cannot differ before iteration k + 1.
import type { FFNet } from './ff-net.js';
import { NEUTRAL } from './labelled-input.js';

export interface Relaxation {
  /** distance[t][l]: iteration t (0 = the bottom-up pass), hidden layer l (0-based). */
  distance: number[][];
  images: number;
  iterations: number;
}

/** Where `ff relax` leaves its measurement in a run directory (ff report shows it). */
export const RELAX_FILE = 'relax.json';

/** A trained net and the same net untrained, on the same images. */
export interface RelaxReport {
  split: string;
  trained: Relaxation;
  untrained: Relaxation;
}

/** Images (count × image size) are processed CHUNK at a time, each with all N labels. */
const CHUNK = 50;

export async function measureRelaxation(net: FFNet, images: Float32Array, count: number, iterations = net.cfg.iterations): Promise<Relaxation> {
  const dynamics = net.dynamics;
  if (dynamics.kind !== 'recurrent') throw new Error('back relaxation needs a recurrent net (--architecture recurrent): a feed-forward net has no top-down input');
  const e = net.engine;
  const N = net.numClasses;
  const L = net.numLayers;
  const sums = Array.from({ length: iterations + 1 }, () => new Array<number>(L).fill(0));
  for (let start = 0; start < count; start += CHUNK) {
    const c = Math.min(CHUNK, count - start);
    const ws = net.workspace(c * N);
    // Row r·c + i: image i with label r.
    for (let r = 0; r < N; r++) for (let i = 0; i < c; i++) net.input.write(ws.host, r * c + i, images, start + i, NEUTRAL);
    e.write(ws.x, ws.host.subarray(0, c * N * net.inputSize));
    net.forward(ws, 0, c * N);
    const labels = new Int32Array(c * N);
    for (let r = 0; r < N; r++) labels.fill(r, r * c, (r + 1) * c);
    dynamics.clampLabels(ws, 0, labels);
    for (let t = 0; t <= iterations; t++) {
      if (t > 0) {
        dynamics.computeActivities(ws, 0, c * N);
        dynamics.advanceStates(ws, 0, c * N);
      }
      for (let l = 0; l < L; l++) {
        const states = await e.read(ws.n[l + 1]);
        sums[t][l] += meanPairwiseCosineDistance(states, net.sizes[l + 1], c, N);
      }
    }
  }
  return { distance: sums.map((row) => row.map((s) => s / count)), images: count, iterations };
}

/** Σ over images of the mean cosine distance between the N label-conditioned rows of each image. */
function meanPairwiseCosineDistance(states: Float32Array, width: number, c: number, N: number): number {
  let total = 0;
  for (let i = 0; i < c; i++) {
    let sum = 0;
    let pairs = 0;
    for (let a = 0; a < N; a++) {
      for (let b = a + 1; b < N; b++) {
        sum += cosineDistance(states, (a * c + i) * width, (b * c + i) * width, width);
        pairs++;
      }
    }
    total += sum / pairs;
  }
  return total;
}

function cosineDistance(x: Float32Array, p: number, q: number, width: number): number {
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let j = 0; j < width; j++) {
    dot += x[p + j] * x[q + j];
    xx += x[p + j] * x[p + j];
    yy += x[q + j] * x[q + j];
  }
  // Two all-zero states (dead layer) are identical, not undefined.
  if (xx === 0 || yy === 0) return xx === yy ? 0 : 1;
  return Math.max(0, 1 - dot / Math.sqrt(xx * yy));
}
