// WGSL of the locally-connected kernels (layout: local-geometry.ts), one invocation per output
// element, each a gather (no atomics): the forward per unit over its window, the weight gradient
// per weight over the rows, the input gradient per source value over the units that see it.
import { entry1d, WGSL_COMMON } from './wgsl-common.js';

const PARAMS = 'n: u32, rows: u32, H: i32, W: i32, Ci: i32, Co: i32, K: i32, a: u32, b: u32, o: u32, alpha: f32, beta: f32,';

function kernel(body: string): string {
  return `${WGSL_COMMON}
struct P { ${PARAMS} }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
fn wIndex(py: i32, co: i32, ci: i32, ky: i32, kx: i32, px: i32) -> u32 {
  return u32(((((py * p.Co + co) * p.Ci + ci) * p.K + ky) * p.K + kx) * p.W + px);
}
fn store(i: u32, acc: f32) {
  if (p.beta == 0.0) { O[p.o + i] = p.alpha * acc; } else { O[p.o + i] = p.alpha * acc + p.beta * O[p.o + i]; }
}
${entry1d(body)}`;
}

/** A = x (rows × Ci·H·W), B = w, O = y (rows × Co·H·W). */
export const LOCAL_FORWARD = kernel(`  let e = i32(i);
  let px = e % p.W;
  let py = (e / p.W) % p.H;
  let co = (e / (p.W * p.H)) % p.Co;
  let row = e / (p.W * p.H * p.Co);
  let r = (p.K - 1) / 2;
  let xo = row * p.Ci * p.H * p.W;
  var acc = 0.0;
  for (var ci = 0; ci < p.Ci; ci++) {
    for (var ky = 0; ky < p.K; ky++) {
      let sy = py + ky - r;
      if (sy < 0 || sy >= p.H) { continue; }
      for (var kx = 0; kx < p.K; kx++) {
        let sx = px + kx - r;
        if (sx < 0 || sx >= p.W) { continue; }
        acc += B[p.b + wIndex(py, co, ci, ky, kx, px)] * A[p.a + u32(xo + (ci * p.H + sy) * p.W + sx)];
      }
    }
  }
  store(i, acc);`);

/** A = x, B = dy, O = dw. */
export const LOCAL_WEIGHT_GRAD = kernel(`  let e = i32(i);
  let px = e % p.W;
  let kx = (e / p.W) % p.K;
  let ky = (e / (p.W * p.K)) % p.K;
  let ci = (e / (p.W * p.K * p.K)) % p.Ci;
  let co = (e / (p.W * p.K * p.K * p.Ci)) % p.Co;
  let py = e / (p.W * p.K * p.K * p.Ci * p.Co);
  let r = (p.K - 1) / 2;
  let sy = py + ky - r;
  let sx = px + kx - r;
  var acc = 0.0;
  if (sy >= 0 && sy < p.H && sx >= 0 && sx < p.W) {
    let fin = p.Ci * p.H * p.W;
    let fout = p.Co * p.H * p.W;
    for (var row = 0; row < i32(p.rows); row++) {
      acc += B[p.b + u32(row * fout + (co * p.H + py) * p.W + px)] * A[p.a + u32(row * fin + (ci * p.H + sy) * p.W + sx)];
    }
  }
  store(i, acc);`);

/** A = dy, B = w, O = dx (rows × Ci·H·W). */
export const LOCAL_INPUT_GRAD = kernel(`  let e = i32(i);
  let sx = e % p.W;
  let sy = (e / p.W) % p.H;
  let ci = (e / (p.W * p.H)) % p.Ci;
  let row = e / (p.W * p.H * p.Ci);
  let r = (p.K - 1) / 2;
  let fout = p.Co * p.H * p.W;
  var acc = 0.0;
  for (var co = 0; co < p.Co; co++) {
    for (var ky = 0; ky < p.K; ky++) {
      let py = sy - ky + r;
      if (py < 0 || py >= p.H) { continue; }
      for (var kx = 0; kx < p.K; kx++) {
        let px = sx - kx + r;
        if (px < 0 || px >= p.W) { continue; }
        acc += B[p.b + wIndex(py, co, ci, ky, kx, px)] * A[p.a + u32(row * fout + (co * p.H + py) * p.W + px)];
      }
    }
  }
  store(i, acc);`);
