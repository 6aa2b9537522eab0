// Float64 references for the convolution kernels, written from the definitions (pixel
// coordinates, no im2col), for test/engine/conv-conformance.test.ts and conv-gradient.test.ts.
// Maps are channels-last: value (y, x, c) of row i at i·H·W·C + (y·W + x)·C + c.
import {
  patchOutHeight,
  patchOutWidth,
  poolOutHeight,
  poolOutWidth,
  type ConvGeometry,
  type GroupNormGeometry,
  type PatchGeometry,
  type PoolGeometry,
} from '../../src/engine/conv-geometry.js';

type Arr = ArrayLike<number>;

/** The source pixel (iy, ix) of output (oy, ox)'s tap (ky, kx), or null in the padding. */
function tapSource(g: PatchGeometry, oy: number, ox: number, ky: number, kx: number): [number, number] | null {
  const iy = oy * g.stride + ky - g.padding;
  const ix = ox * g.stride + kx - g.padding;
  return iy >= 0 && iy < g.height && ix >= 0 && ix < g.width ? [iy, ix] : null;
}

/** im2col by definition (exact: a copy). */
export function refIm2col(g: PatchGeometry, n: number, x: Arr): Float32Array {
  const Ho = patchOutHeight(g), Wo = patchOutWidth(g), C = g.channels, K = g.kernel;
  const out = new Float32Array(n * Ho * Wo * K * K * C);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let ky = 0; ky < K; ky++)
          for (let kx = 0; kx < K; kx++)
            for (let c = 0; c < C; c++) {
              const s = tapSource(g, oy, ox, ky, kx);
              const row = (i * Ho + oy) * Wo + ox;
              out[row * K * K * C + (ky * K + kx) * C + c] = s ? x[i * g.height * g.width * C + (s[0] * g.width + s[1]) * C + c] : 0;
            }
  return out;
}

/** col2im: val = beta·x0 + alpha·Σ patch values of the pixel; scale = Σ |terms|. */
export function refCol2im(g: PatchGeometry, n: number, cols: Arr, alpha: number, beta: number, x0: Arr): { val: Float64Array; scale: Float64Array } {
  const Ho = patchOutHeight(g), Wo = patchOutWidth(g), C = g.channels, K = g.kernel;
  const fin = g.height * g.width * C;
  const val = new Float64Array(n * fin);
  const scale = new Float64Array(n * fin);
  for (let j = 0; j < n * fin; j++) {
    val[j] = beta === 0 ? 0 : beta * x0[j];
    scale[j] = Math.abs(val[j]);
  }
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let ky = 0; ky < K; ky++)
          for (let kx = 0; kx < K; kx++) {
            const s = tapSource(g, oy, ox, ky, kx);
            if (!s) continue;
            for (let c = 0; c < C; c++) {
              const v = alpha * cols[(((i * Ho + oy) * Wo + ox) * K * K + ky * K + kx) * C + c];
              const j = i * fin + (s[0] * g.width + s[1]) * C + c;
              val[j] += v;
              scale[j] += Math.abs(v);
            }
          }
  return { val, scale };
}

/** The input indices (within the batch) of window (i, oy, ox, c), in tap order. */
function windowTaps(g: PoolGeometry, i: number, oy: number, ox: number, c: number): number[] {
  const taps: number[] = [];
  for (let ky = 0; ky < g.window; ky++)
    for (let kx = 0; kx < g.window; kx++) taps.push(i * g.height * g.width * g.channels + ((oy * g.stride + ky) * g.width + ox * g.stride + kx) * g.channels + c);
  return taps;
}

/** Visit every window: its output index and its taps. */
export function forEachWindow(g: PoolGeometry, n: number, visit: (o: number, taps: number[]) => void): void {
  const Ho = poolOutHeight(g), Wo = poolOutWidth(g);
  let o = 0;
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let c = 0; c < g.channels; c++) visit(o++, windowTaps(g, i, oy, ox, c));
}

/** Index of the first maximum among taps (NaN counts as the maximum). */
export function firstMax(x: Arr, taps: number[]): number {
  const nan = taps.find((t) => Number.isNaN(x[t]));
  if (nan !== undefined) return nan;
  let best = taps[0];
  for (const t of taps) if (x[t] > x[best]) best = t;
  return best;
}

/** GroupNorm forward in float64: y and the per-group (mean, rstd). */
export function refGroupNorm(g: GroupNormGeometry, n: number, x: Arr, eps: number): { y: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const { positions: P, channels: C, groups: G } = g;
  const cg = C / G;
  const y = new Float64Array(n * P * C);
  const mean = new Float64Array(n * G);
  const rstd = new Float64Array(n * G);
  for (let i = 0; i < n; i++)
    for (let grp = 0; grp < G; grp++) {
      const idx: number[] = [];
      for (let p = 0; p < P; p++) for (let c = 0; c < cg; c++) idx.push(i * P * C + p * C + grp * cg + c);
      const m = idx.reduce((s, j) => s + x[j], 0) / idx.length;
      const v = idx.reduce((s, j) => s + (x[j] - m) ** 2, 0) / idx.length;
      const r = 1 / Math.sqrt(v + eps);
      for (const j of idx) y[j] = (x[j] - m) * r;
      mean[i * G + grp] = m;
      rstd[i * G + grp] = r;
    }
  return { y, mean, rstd };
}

export interface RefLayer {
  conv: ConvGeometry;
  pool: { kind: 'max' | 'avg'; window: number; stride: number } | null;
  groups: number | null;
}

/** relu(conv(x, w) + b) by definition, one bias per output channel: n × (Ho·Wo·C_out), channels last. */
export function refConvRelu(g: ConvGeometry, n: number, x: Arr, w: Arr, b: Arr): Float64Array {
  const Ho = patchOutHeight(g), Wo = patchOutWidth(g), Co = g.outChannels, K = g.kernel;
  const a = new Float64Array(n * Ho * Wo * Co);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let co = 0; co < Co; co++) {
          let s = b[co];
          for (let ky = 0; ky < K; ky++)
            for (let kx = 0; kx < K; kx++) {
              const src = tapSource(g, oy, ox, ky, kx);
              if (!src) continue;
              for (let ci = 0; ci < g.channels; ci++) s += w[((ky * K + kx) * g.channels + ci) * Co + co] * x[i * g.height * g.width * g.channels + (src[0] * g.width + src[1]) * g.channels + ci];
            }
          a[((i * Ho + oy) * Wo + ox) * Co + co] = Math.max(0, s);
        }
  return a;
}

/**
 * The float64 loss of a whole conv layer, by definition: z = conv(x, w) + b, a = ReLU(z),
 * p = pool(a), q = GroupNorm(p) (each optional), loss = Σ r·q². w is (K·K·C_in) × C_out.
 */
export function refLayerLoss(L: RefLayer, n: number, x: Arr, w: Arr, b: Arr, r: Arr, eps: number): number {
  const g = L.conv;
  const Ho = patchOutHeight(g), Wo = patchOutWidth(g), Co = g.outChannels;
  let a: Float64Array = refConvRelu(g, n, x, w, b);
  let positions = Ho * Wo;
  if (L.pool) {
    const pg: PoolGeometry = { height: Ho, width: Wo, channels: Co, window: L.pool.window, stride: L.pool.stride };
    const p = new Float64Array(n * poolOutHeight(pg) * poolOutWidth(pg) * Co);
    const src = a;
    forEachWindow(pg, n, (o, taps) => {
      p[o] = L.pool!.kind === 'max' ? src[firstMax(src, taps)] : taps.reduce((s, t) => s + src[t], 0) / taps.length;
    });
    a = p;
    positions = poolOutHeight(pg) * poolOutWidth(pg);
  }
  if (L.groups) a = refGroupNorm({ positions, channels: Co, groups: L.groups }, n, a, eps).y;
  let loss = 0;
  for (let j = 0; j < a.length; j++) loss += r[j] * a[j] * a[j];
  return loss;
}
