// What the goodness classifier sees for one image, layer by layer: each label in turn with the
// image, the goodness every hidden layer gives it (feed-forward: one pass per label; recurrent:
// the label clamped on top, the goodness averaged over the test iterations, as classify.ts
// does), and — for the explorer's picture of a recurrent net settling — each iteration's.
// The sum over the goodness layers of `layers` is what `classify(…, 'goodness')` ranks.
import type { FFNet } from './ff-net.js';

export interface LabelGoodness {
  /** layers[l][label]: hidden layer l's goodness (as the config defines it) for that label. */
  layers: number[][];
  /** Recurrent nets: iterations[t][l][label] for t = 1..testTo (empty for feed-forward nets). */
  iterations: number[][][];
  /** Whether high goodness means "positive" (max-ssq) or low (min-ssq). */
  higherIsBetter: boolean;
  /**
   * Recurrent nets, when asked for: activities[t][l] is hidden layer l's ReLU activities at
   * iteration t+1, one row per label (numClasses × width).
   */
  activities?: Float32Array[][];
}

/** Goodness per hidden layer per label for one image (imageSize values). */
export async function labelGoodness(net: FFNet, image: Float32Array, opts: { activities?: boolean } = {}): Promise<LabelGoodness> {
  const e = net.engine;
  const N = net.numClasses;
  const L = net.numLayers;
  const ws = net.workspace(N);
  for (let label = 0; label < N; label++) net.input.write(ws.host, label, image, 0, label);
  net.upload(ws, 0, N);
  const read = async (): Promise<number[][]> => {
    const sums = await Promise.all(Array.from({ length: L }, (_, l) => e.read(e.rowView(ws.g[l], 0, N))));
    return sums.map((s, l) => Array.from(s, (v) => net.goodness(v, l)));
  };
  const higherIsBetter = net.cfg.goodness === 'max-ssq';
  const dynamics = net.dynamics;
  net.forward(ws, 0, N);
  if (dynamics.kind !== 'recurrent') return { layers: await read(), iterations: [], higherIsBetter };
  const { testFrom, testTo } = net.cfg;
  const iterations: number[][][] = [];
  const activities: Float32Array[][] = [];
  const mean = Array.from({ length: L }, () => new Array<number>(N).fill(0));
  await dynamics.settle(ws, N, Array.from({ length: N }, (_, j) => j), testTo, async (t) => {
    const g = await read();
    iterations.push(g);
    if (opts.activities) activities.push(await Promise.all(Array.from({ length: L }, (_, l) => e.read(e.rowView(ws.y[l], 0, N)))));
    if (t >= testFrom) for (let l = 0; l < L; l++) for (let j = 0; j < N; j++) mean[l][j] += g[l][j] / (testTo - testFrom + 1);
  });
  return { layers: mean, iterations, higherIsBetter, ...(opts.activities ? { activities } : {}) };
}
