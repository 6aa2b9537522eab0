// One FF layer's training step on an Engine, for bench/ff-step.ts's part (b): the real layer
// (src/ff/ff-layer.ts) with its input and forward buffers, deterministic data, and a timer.
import { performance } from 'node:perf_hooks';

import type { Engine, Mat } from '../src/engine/engine.js';
import { Rng } from '../src/engine/rng.js';
import { FF_DEFAULTS } from '../src/ff/config.js';
import { FFLayer, type LayerStats } from '../src/ff/ff-layer.js';
import { NORM_EPS } from '../src/ff/ff-net.js';

// The "hinton" preset's per-layer hyper-parameters (src/ff/config.ts defaults; the PyTorch
// side receives the same values).
export const HP = {
  lr: FF_DEFAULTS.lr,
  weightCost: FF_DEFAULTS.weightCost,
  smoothing: FF_DEFAULTS.smoothing,
  peerLambda: FF_DEFAULTS.peerLambda,
  peerDecay: FF_DEFAULTS.peerDecay,
  peerInit: FF_DEFAULTS.peerInit,
  normEps: NORM_EPS,
};

/**
 * One layer of the real code (src/ff/ff-layer.ts: parameters, optimizer state, the layer rule)
 * with its input and forward buffers. Rows [0,B) positive, [B,2B) negative.
 */
export interface LayerState {
  B: number;
  K: number;
  N: number;
  layer: FFLayer;
  x: Mat; // 2B×K, the layer's (already row-normalized) input
  y: Mat; // 2B×N relu(xW+b)
  n: Mat; // 2B×N row-normalized output (the next layer's input)
  g: Mat; // 2B×1 goodness (sum of squares)
  stats: LayerStats;
}

/** Deterministic random inputs: an RMS-normalized 2B×K input and W ~ N(0,1)/√K, b = 0 (ffnew.m). */
export function layerData(B: number, K: number, N: number, seed: number): { x: Float32Array; W: Float32Array; b: Float32Array } {
  const rng = new Rng(seed);
  const x = rng.fillNormal(new Float32Array(2 * B * K), 1);
  for (let i = 0; i < 2 * B; i++) {
    let s = 0;
    for (let j = 0; j < K; j++) s += x[i * K + j] ** 2;
    const inv = 1 / (HP.normEps + Math.sqrt(s / K));
    for (let j = 0; j < K; j++) x[i * K + j] *= inv;
  }
  const W = rng.fillNormal(new Float32Array(K * N), 1 / Math.sqrt(K));
  return { x, W, b: new Float32Array(N) };
}

export function makeLayer(e: Engine, B: number, K: number, N: number, data: ReturnType<typeof layerData>): LayerState {
  const R = 2 * B;
  // The hinton preset's layer (ffnew.m's values); its random initial weights are replaced.
  const layer = new FFLayer(e, { ...FF_DEFAULTS }, 0, N, [{ source: 'input', fanIn: K }], new Rng(1));
  e.write(layer.connections[0].weight.value, data.W);
  e.write(layer.bias.value, data.b);
  return { B, K, N, layer, x: e.fromArray(data.x, R, K), y: e.zeros(R, N), n: e.zeros(R, N), g: e.zeros(R, 1), stats: { tally: e.tally(2), at: 0 } };
}

export function disposeLayer(e: Engine, s: LayerState): void {
  for (const m of [s.x, s.y, s.n, s.g]) e.dispose(m);
}

/**
 * One FF layer training step: net.forward's per-layer work (one stacked forward product over
 * the 2B pos+neg rows, the goodness fused into the row normalization), then the real layer
 * rule of ffTrainStep (FFLayer: the objective's coefficients and peer push on the engine —
 * nothing read back — the weight-gradient product straight into the smoothed state, the
 * update).
 */
export async function ffLayerStep(e: Engine, s: LayerState): Promise<void> {
  const { B, layer } = s;
  e.gemm(s.x, layer.connections[0].weight.value, s.y);
  e.addBias(s.y, layer.bias.value, true);
  e.normalizeRows(s.y, s.n, 'rms', HP.normEps, s.g);
  const dz = layer.inputGradient(s.y, s.g, { positives: B, negatives: B }, layer.positiveColSum(s.y, B), s.stats);
  layer.accumulate(dz, new Map([['input', s.x]]), 1 / B, true);
  layer.update(HP.lr);
}

export async function timeSteps(e: Engine, s: LayerState, reps: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await ffLayerStep(e, s);
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await ffLayerStep(e, s);
    ms.push(performance.now() - t0);
  }
  return ms;
}
