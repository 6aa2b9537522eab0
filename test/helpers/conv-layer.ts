// A whole conv layer composed from the engine's kernels, as the conv net will run it (the layer
// itself comes later): forward = im2col → gemm → bias + ReLU → pool → GroupNorm, loss = Σ r·q²,
// and its gradients w.r.t. the weights, the bias and the input through gemm, colSum,
// reluBackward, the pool and GroupNorm backwards and col2im. For conv-gradient.test.ts.
import { patchOutHeight, patchOutWidth, patchSize, poolOutHeight, poolOutWidth, type PoolGeometry } from '../../src/engine/conv-geometry.js';
import type { Engine, Mat } from '../../src/engine/engine.js';
import type { RefLayer } from './conv-reference.js';

export interface LayerGrads {
  loss: number;
  dw: Float32Array;
  db: Float32Array;
  dx: Float32Array;
}

export async function engineLayerGrads(e: Engine, L: RefLayer, n: number, x: Float32Array, w: Float32Array, b: Float32Array, r: Float32Array, eps: number): Promise<LayerGrads> {
  const g = L.conv;
  const Co = g.outChannels;
  const positions = patchOutHeight(g) * patchOutWidth(g);
  const fin = g.height * g.width * g.channels;
  const X = e.fromArray(x, n, fin);
  const W = e.fromArray(w, patchSize(g), Co);
  const B = e.fromArray(b, 1, Co);
  // forward
  const cols = e.zeros(n * positions, patchSize(g));
  e.im2col(X, cols, g);
  const z = e.zeros(n * positions, Co);
  e.gemm(cols, W, z);
  e.addBias(z, B, true); // z is now a = ReLU(z + b)
  const a = e.reshape(z, n, positions * Co);
  let out = a;
  let pg: PoolGeometry | null = null;
  if (L.pool) {
    pg = { height: patchOutHeight(g), width: patchOutWidth(g), channels: Co, window: L.pool.window, stride: L.pool.stride };
    out = e.zeros(n, poolOutHeight(pg) * poolOutWidth(pg) * Co);
    if (L.pool.kind === 'max') e.maxPoolForward(a, out, pg);
    else e.avgPoolForward(a, out, pg);
  }
  const gn = L.groups ? { positions: out.cols / Co, channels: Co, groups: L.groups } : null;
  let stats: Mat | null = null;
  if (gn) {
    stats = e.zeros(n, 2 * gn.groups);
    // In place after a pool; without one, `out` is the ReLU output that reluBackward needs.
    const y = L.pool ? out : e.zeros(n, out.cols);
    e.groupNormForward(out, y, stats, gn, eps);
    out = y;
  }
  const q = await e.read(out);
  let loss = 0;
  const dq = new Float32Array(q.length);
  for (let j = 0; j < q.length; j++) {
    loss += r[j] * q[j] * q[j];
    dq[j] = 2 * r[j] * q[j];
  }
  // backward
  let d = e.fromArray(dq, n, q.length / n);
  if (gn && stats) e.groupNormBackward(out, d, stats, d, gn); // in place on d
  if (pg && L.pool) {
    const da = e.zeros(n, positions * Co);
    if (L.pool.kind === 'max') e.maxPoolBackward(a, d, da, pg);
    else e.avgPoolBackward(d, da, pg);
    d = da;
  }
  const dz = e.reshape(d, n * positions, Co);
  e.reluBackward(dz, z, dz);
  const dW = e.zeros(patchSize(g), Co);
  e.gemm(cols, dz, dW, { transA: true });
  const dB = e.zeros(1, Co);
  e.colSum(dz, dB, 1, 0);
  const dcols = e.zeros(n * positions, patchSize(g));
  e.gemm(dz, W, dcols, { transB: true });
  const dX = e.zeros(n, fin);
  e.col2im(dcols, dX, g);
  return { loss, dw: await e.read(dW), db: await e.read(dB), dx: await e.read(dX) };
}
