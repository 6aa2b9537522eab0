// The pure-TypeScript locally-connected kernels (the reference twin of native/lc_kernels.c;
// layout in local-geometry.ts). Direct loops in double, the innermost along a map row; each
// output element is stored once as alpha·sum + beta·old (beta 0 overwrites, NaN included).
import type { LocalGeometry } from './local-geometry.js';

/** y = alpha·LC(x, w) + beta·y for `rows` rows. */
export function jsLocalForward(g: LocalGeometry, rows: number, alpha: number, x: Float32Array, w: Float32Array, beta: number, y: Float32Array): void {
  const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = g;
  const r = (K - 1) / 2;
  const fin = Ci * H * W;
  const fout = Co * H * W;
  const acc = new Float64Array(W);
  for (let i = 0; i < rows; i++) {
    for (let co = 0; co < Co; co++) {
      for (let py = 0; py < H; py++) {
        acc.fill(0);
        for (let ci = 0; ci < Ci; ci++) {
          for (let dy = 0; dy < K; dy++) {
            const sy = py + dy - r;
            if (sy < 0 || sy >= H) continue;
            const xo = i * fin + (ci * H + sy) * W - r;
            for (let dx = 0; dx < K; dx++) {
              const wo = ((((py * Co + co) * Ci + ci) * K + dy) * K + dx) * W;
              const lo = Math.max(0, r - dx);
              const hi = Math.min(W, W + r - dx);
              for (let px = lo; px < hi; px++) acc[px] += w[wo + px] * x[xo + px + dx];
            }
          }
        }
        store(y, i * fout + (co * H + py) * W, acc, alpha, beta);
      }
    }
  }
}

/** dw = alpha·Σ_rows x_window ⊗ dy + beta·dw (taps outside the map get exactly 0). */
export function jsLocalWeightGrad(g: LocalGeometry, rows: number, alpha: number, x: Float32Array, dy: Float32Array, beta: number, dw: Float32Array): void {
  const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = g;
  const r = (K - 1) / 2;
  const fin = Ci * H * W;
  const fout = Co * H * W;
  const acc = new Float64Array(W);
  for (let py = 0; py < H; py++) {
    for (let co = 0; co < Co; co++) {
      for (let ci = 0; ci < Ci; ci++) {
        for (let ky = 0; ky < K; ky++) {
          const sy = py + ky - r;
          for (let kx = 0; kx < K; kx++) {
            acc.fill(0);
            if (sy >= 0 && sy < H) {
              const lo = Math.max(0, r - kx);
              const hi = Math.min(W, W + r - kx);
              for (let i = 0; i < rows; i++) {
                const xo = i * fin + (ci * H + sy) * W + kx - r;
                const dO = i * fout + (co * H + py) * W;
                for (let px = lo; px < hi; px++) acc[px] += dy[dO + px] * x[xo + px];
              }
            }
            store(dw, ((((py * Co + co) * Ci + ci) * K + ky) * K + kx) * W, acc, alpha, beta);
          }
        }
      }
    }
  }
}

/** dx = alpha·LCᵀ(dy, w) + beta·dx: the gradient w.r.t. the source map. */
export function jsLocalInputGrad(g: LocalGeometry, rows: number, alpha: number, dy: Float32Array, w: Float32Array, beta: number, dx: Float32Array): void {
  const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = g;
  const r = (K - 1) / 2;
  const fin = Ci * H * W;
  const fout = Co * H * W;
  const acc = new Float64Array(fin);
  for (let i = 0; i < rows; i++) {
    acc.fill(0);
    for (let co = 0; co < Co; co++) {
      for (let py = 0; py < H; py++) {
        const dO = i * fout + (co * H + py) * W;
        for (let ci = 0; ci < Ci; ci++) {
          for (let ky = 0; ky < K; ky++) {
            const sy = py + ky - r;
            if (sy < 0 || sy >= H) continue;
            const ao = (ci * H + sy) * W - r;
            for (let kx = 0; kx < K; kx++) {
              const wo = ((((py * Co + co) * Ci + ci) * K + ky) * K + kx) * W;
              const lo = Math.max(0, r - kx);
              const hi = Math.min(W, W + r - kx);
              for (let px = lo; px < hi; px++) acc[ao + px + kx] += w[wo + px] * dy[dO + px];
            }
          }
        }
      }
    }
    store(dx, i * fin, acc, alpha, beta);
  }
}

function store(out: Float32Array, o: number, acc: Float64Array, alpha: number, beta: number): void {
  if (beta === 0) for (let j = 0; j < acc.length; j++) out[o + j] = alpha * acc[j];
  else for (let j = 0; j < acc.length; j++) out[o + j] = alpha * acc[j] + beta * out[o + j];
}
