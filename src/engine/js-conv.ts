// The pure-TypeScript convolution kernels (the reference twins of native/conv_kernels.c and
// native/wasm/conv.c; layout in conv-geometry.ts). Every sum runs in float32 in the C order
// (each `+=` into a Float32Array is one float32 addition; Math.fround where a product is
// rounded first), GroupNorm's statistics in double as in C, so all three engines agree to
// the bit.
import { patchOutHeight, patchOutWidth, poolOutHeight, poolOutWidth, type GroupNormGeometry, type PatchGeometry, type PoolGeometry } from './conv-geometry.js';

const f = Math.fround;

/** cols[(i·Ho + oy)·Wo + ox, (ky·K + kx)·C + c] = x[i, (iy·W + ix)·C + c], 0 in the padding. */
export function jsIm2col(g: PatchGeometry, n: number, x: Float32Array, cols: Float32Array): void {
  const { height: H, width: W, channels: C, kernel: K, stride: S, padding: P } = g;
  const Ho = patchOutHeight(g);
  const Wo = patchOutWidth(g);
  const fin = H * W * C;
  const pc = K * K * C;
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        for (let ky = 0; ky < K; ky++) {
          const iy = oy * S - P + ky;
          for (let kx = 0; kx < K; kx++) {
            const ix = ox * S - P + kx;
            const d = o + (ky * K + kx) * C;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) cols.fill(0, d, d + C);
            else cols.set(x.subarray(i * fin + (iy * W + ix) * C, i * fin + (iy * W + ix + 1) * C), d);
          }
        }
        o += pc;
      }
    }
  }
}

/**
 * The adjoint of im2col: x ← beta·x (0 when beta is 0, NaN included), then every patch value
 * alpha·cols[…] added to the pixel it came from, patches in row order (padding taps dropped).
 */
export function jsCol2im(g: PatchGeometry, n: number, alpha: number, cols: Float32Array, beta: number, x: Float32Array): void {
  const { height: H, width: W, channels: C, kernel: K, stride: S, padding: P } = g;
  const Ho = patchOutHeight(g);
  const Wo = patchOutWidth(g);
  const fin = H * W * C;
  const a = f(alpha);
  const b = f(beta);
  const len = n * fin;
  if (b === 0) x.fill(0, 0, len);
  else if (b !== 1) for (let j = 0; j < len; j++) x[j] = b * x[j];
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        for (let ky = 0; ky < K; ky++) {
          const iy = oy * S - P + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < K; kx++) {
            const ix = ox * S - P + kx;
            if (ix < 0 || ix >= W) continue;
            const d = i * fin + (iy * W + ix) * C;
            const s = o + (ky * K + kx) * C;
            if (a === 1) for (let c = 0; c < C; c++) x[d + c] += cols[s + c];
            else for (let c = 0; c < C; c++) x[d + c] += f(a * cols[s + c]);
          }
        }
        o += K * K * C;
      }
    }
  }
}

/** The flat index within a row of window (oy, ox)'s tap (ky, kx), channel c. */
function poolTap(g: PoolGeometry, oy: number, ox: number, ky: number, kx: number, c: number): number {
  return ((oy * g.stride + ky) * g.width + ox * g.stride + kx) * g.channels + c;
}

/** The first tap of the window holding its maximum (a NaN, if any, is the maximum). */
function argMax(g: PoolGeometry, x: Float32Array, base: number, oy: number, ox: number, c: number): number {
  let best = base + poolTap(g, oy, ox, 0, 0, c);
  let m = x[best];
  for (let ky = 0; ky < g.window; ky++) {
    for (let kx = 0; kx < g.window; kx++) {
      const t = base + poolTap(g, oy, ox, ky, kx, c);
      const v = x[t];
      if (v > m || (v !== v && m === m)) {
        m = v;
        best = t;
      }
    }
  }
  return best;
}

/** y = the maximum of each window, per channel. */
export function jsMaxPoolForward(g: PoolGeometry, n: number, x: Float32Array, y: Float32Array): void {
  const Ho = poolOutHeight(g);
  const Wo = poolOutWidth(g);
  const C = g.channels;
  const fin = g.height * g.width * C;
  let o = 0;
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let c = 0; c < C; c++) y[o++] = x[argMax(g, x, i * fin, oy, ox, c)];
}

/**
 * dx = each window's dy routed to its maximum (the first, on ties), found again in x: nothing
 * is kept from the forward pass but x itself. Overlapping windows add up; dx is overwritten.
 */
export function jsMaxPoolBackward(g: PoolGeometry, n: number, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const Ho = poolOutHeight(g);
  const Wo = poolOutWidth(g);
  const C = g.channels;
  const fin = g.height * g.width * C;
  dx.fill(0, 0, n * fin);
  let o = 0;
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let c = 0; c < C; c++) dx[argMax(g, x, i * fin, oy, ox, c)] += dy[o++];
}

/** y = the mean of each window: the float32 sum in tap order times float32(1/window²). */
export function jsAvgPoolForward(g: PoolGeometry, n: number, x: Float32Array, y: Float32Array): void {
  const Ho = poolOutHeight(g);
  const Wo = poolOutWidth(g);
  const C = g.channels;
  const fin = g.height * g.width * C;
  const inv = f(1 / (g.window * g.window));
  let o = 0;
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let ky = 0; ky < g.window; ky++)
            for (let kx = 0; kx < g.window; kx++) s = f(s + x[i * fin + poolTap(g, oy, ox, ky, kx, c)]);
          y[o++] = f(s * inv);
        }
}

/** dx = dy·float32(1/window²) spread over each window; overlapping windows add up; dx is overwritten. */
export function jsAvgPoolBackward(g: PoolGeometry, n: number, dy: Float32Array, dx: Float32Array): void {
  const Ho = poolOutHeight(g);
  const Wo = poolOutWidth(g);
  const C = g.channels;
  const fin = g.height * g.width * C;
  const inv = f(1 / (g.window * g.window));
  dx.fill(0, 0, n * fin);
  let o = 0;
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let c = 0; c < C; c++) {
          const d = f(dy[o++] * inv);
          for (let ky = 0; ky < g.window; ky++)
            for (let kx = 0; kx < g.window; kx++) dx[i * fin + poolTap(g, oy, ox, ky, kx, c)] += d;
        }
}

/**
 * GroupNorm without affine: per row and group, y = (x − mean)·rstd, rstd = 1/√(var + eps)
 * (biased variance, two passes in double, positions outer and the group's channels inner).
 * stats[i, 2·grp] = mean and stats[i, 2·grp + 1] = rstd, as float32: what the backward needs.
 */
export function jsGroupNormForward(g: GroupNormGeometry, n: number, eps: number, x: Float32Array, y: Float32Array, stats: Float32Array): void {
  const { positions: P, channels: C, groups: G } = g;
  const cg = C / G;
  const count = P * cg;
  for (let i = 0; i < n; i++) {
    const base = i * P * C;
    for (let grp = 0; grp < G; grp++) {
      const c0 = base + grp * cg;
      let s = 0;
      for (let p = 0; p < P; p++) for (let c = 0; c < cg; c++) s += x[c0 + p * C + c];
      const mean = s / count;
      let ss = 0;
      for (let p = 0; p < P; p++)
        for (let c = 0; c < cg; c++) {
          const d = x[c0 + p * C + c] - mean;
          ss += d * d;
        }
      const rstd = 1 / Math.sqrt(ss / count + eps);
      for (let p = 0; p < P; p++) for (let c = 0; c < cg; c++) y[c0 + p * C + c] = (x[c0 + p * C + c] - mean) * rstd;
      stats[i * 2 * G + 2 * grp] = mean;
      stats[i * 2 * G + 2 * grp + 1] = rstd;
    }
  }
}

/** dx = rstd·(dy − mean(dy) − y·mean(dy·y)) per row and group (y: the forward output), in double. */
export function jsGroupNormBackward(g: GroupNormGeometry, n: number, y: Float32Array, dy: Float32Array, stats: Float32Array, dx: Float32Array): void {
  const { positions: P, channels: C, groups: G } = g;
  const cg = C / G;
  const count = P * cg;
  for (let i = 0; i < n; i++) {
    const base = i * P * C;
    for (let grp = 0; grp < G; grp++) {
      const c0 = base + grp * cg;
      let sd = 0;
      let sdy = 0;
      for (let p = 0; p < P; p++)
        for (let c = 0; c < cg; c++) {
          const j = c0 + p * C + c;
          sd += dy[j];
          sdy += dy[j] * y[j];
        }
      const md = sd / count;
      const mdy = sdy / count;
      const rstd = stats[i * 2 * G + 2 * grp + 1];
      for (let p = 0; p < P; p++)
        for (let c = 0; c < cg; c++) {
          const j = c0 + p * C + c;
          dx[j] = rstd * (dy[j] - md - y[j] * mdy);
        }
    }
  }
}

/** Each row, read as a p × q matrix, written transposed (q × p): C·H·W ↔ H·W·C with (p, q) = (C, H·W) or (H·W, C). */
export function jsTransposeRows(n: number, p: number, q: number, x: Float32Array, out: Float32Array): void {
  const len = p * q;
  for (let i = 0; i < n; i++) {
    const o = i * len;
    for (let a = 0; a < p; a++) for (let b = 0; b < q; b++) out[o + b * p + a] = x[o + a * q + b];
  }
}
