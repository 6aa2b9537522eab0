// What a trained FF net does with positive and negative data, layer by layer: the goodness of
// each image with its correct label and with a random wrong label (unsupervised nets: each
// image alone and a hybrid of it with another image), and each unit's mean activity on
// positive data (dead and over-active units). Used by `ff report`.
import type { ImageSet } from '../data/dataset.js';
import { Rng } from '../engine/rng.js';
import type { RecurrentDynamics } from '../ff/recurrent-dynamics.js';
import type { FFNet, Workspace } from '../ff/ff-net.js';
import { makeHybrids } from '../ff/hybrid-negatives.js';
import { NEUTRAL } from '../ff/labelled-input.js';
import { sampleRandomNegatives } from '../ff/labels.js';

export interface LayerStats {
  width: number;
  /** Goodness per image with its correct label (positive) and a random wrong label (negative). */
  pos: Float64Array;
  neg: Float64Array;
  threshold: number;
  /** Per unit: mean ReLU output and the fraction of images it is active on (positive data). */
  meanActivity: Float64Array;
  fractionActive: Float64Array;
}

/**
 * Goodness per image of every hidden layer with the correct label and with a random wrong
 * label, plus per-unit activity on the positive pass (net.forward, read from ws.g and ws.y).
 */
export async function ffLayerStats(net: FFNet, set: ImageSet, seed = 1): Promise<LayerStats[]> {
  const e = net.engine;
  const L = net.numLayers;
  const n = set.count;
  const N = net.numClasses;
  const stats: LayerStats[] = Array.from({ length: L }, (_, l) => ({
    width: net.sizes[l + 1],
    pos: new Float64Array(n),
    neg: new Float64Array(n),
    threshold: net.threshold(l),
    meanActivity: new Float64Array(net.sizes[l + 1]),
    fractionActive: new Float64Array(net.sizes[l + 1]),
  }));
  const rng = new Rng(seed);
  // Unsupervised nets: negative data is hybrids of the set's images (one mask each).
  const hybrids = net.heads.kind === 'probes' ? makeHybrids(set.images, n, net.imageShape, net.cfg.blurPasses, rng).images : null;
  const CHUNK = 100;
  for (let start = 0; start < n; start += CHUNK) {
    const c = Math.min(CHUNK, n - start);
    const labels = set.labels.subarray(start, start + c);
    const wrong = new Int32Array(c);
    sampleRandomNegatives(labels, N, rng, wrong);
    const ws = net.workspace(c);
    for (const positive of [true, false]) {
      for (let i = 0; i < c; i++) {
        if (hybrids) net.input.write(ws.host, i, positive ? set.images : hybrids, start + i, NEUTRAL);
        else net.input.write(ws.host, i, set.images, start + i, positive ? labels[i] : wrong[i]);
      }
      net.upload(ws, 0, c);
      net.forward(ws, 0, c);
      // Recurrent nets: clamp the label and settle; goodness is the mean over the iterations
      // the goodness classifier uses (testFrom..testTo), activity that of the last of them.
      const goodness = net.dynamics.kind === 'recurrent' ? await settledGoodness(net.dynamics, net, ws, c, positive ? labels : wrong) : null;
      for (let l = 0; l < L; l++) {
        const g = goodness ? goodness[l] : await e.read(ws.g[l]);
        const s = stats[l];
        for (let i = 0; i < c; i++) (positive ? s.pos : s.neg)[start + i] = net.goodness(g[i], l);
        if (positive) {
          const y = await e.read(ws.y[l]);
          const w = s.width;
          for (let i = 0; i < c; i++) {
            for (let j = 0; j < w; j++) {
              const v = y[i * w + j];
              s.meanActivity[j] += v;
              if (v > 0) s.fractionActive[j]++;
            }
          }
        }
      }
    }
  }
  for (const s of stats) {
    for (let j = 0; j < s.width; j++) {
      s.meanActivity[j] /= n;
      s.fractionActive[j] /= n;
    }
  }
  return stats;
}

async function settledGoodness(dynamics: RecurrentDynamics, net: FFNet, ws: Workspace, c: number, labels: ArrayLike<number>): Promise<Float32Array[]> {
  const { testFrom, testTo } = net.cfg;
  const sums = net.layers.map(() => new Float32Array(c));
  await dynamics.settle(ws, c, labels, testTo, async (t) => {
    if (t < testFrom) return;
    for (let l = 0; l < net.numLayers; l++) {
      const g = await net.engine.read(net.engine.rowView(ws.g[l], 0, c));
      for (let i = 0; i < c; i++) sums[l][i] += g[i] / (testTo - testFrom + 1);
    }
  });
  return sums;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const a = Array.from(values).sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.floor(q * (a.length - 1)))] : 0;
}
