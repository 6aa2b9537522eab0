// WGSL of the convolution kernels (layout: conv-geometry.ts, channels last), one invocation per
// output element. The adjoints (col2im, the pooling backwards) gather instead of scatter: each
// pixel adds the patches or windows that hold it in the order the CPU loops visit them, so the
// float32 sums are the same (no atomics).
import { entry1d, WGSL_COMMON } from './wgsl-common.js';

/** copyChannels: invocation i is (position q, channel k); dst[q·Cd + dstStart + k] (+)= src[q·Cs + srcStart + k]. */
export const COPY_CHANNELS = `${WGSL_COMMON}
struct P { n: u32, s: u32, d: u32, cs: u32, cd: u32, ss: u32, ds: u32, count: u32, beta: u32, }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
${entry1d(`  let q = i / p.count;
  let k = i % p.count;
  let t = p.d + q * p.cd + p.ds + k;
  let v = src[p.s + q * p.cs + p.ss + k];
  if (p.beta == 0u) { dst[t] = v; } else { dst[t] = dst[t] + v; }`)}`;

const PARAMS = 'n: u32, H: i32, W: i32, C: i32, K: i32, S: i32, P: i32, Ho: i32, Wo: i32, a: u32, b: u32, o: u32, alpha: f32, beta: f32,';

function kernel(inputs: number, body: string): string {
  const buffers = inputs === 1
    ? '@group(0) @binding(1) var<storage, read> A: array<f32>;\n@group(0) @binding(2) var<storage, read_write> O: array<f32>;'
    : '@group(0) @binding(1) var<storage, read> A: array<f32>;\n@group(0) @binding(2) var<storage, read> B: array<f32>;\n@group(0) @binding(3) var<storage, read_write> O: array<f32>;';
  return `${WGSL_COMMON}
struct P { ${PARAMS} }
@group(0) @binding(0) var<uniform> p: P;
${buffers}
// Windows (oy or ox) whose taps cover pixel coordinate v: first and last, clamped to the output.
fn firstWindow(v: i32) -> i32 { let a = v + p.P - p.K + 1; return select((a + p.S - 1) / p.S, 0, a <= 0); }
fn lastWindow(v: i32, count: i32) -> i32 { return min(count - 1, (v + p.P) / p.S); }
fn poolTap(oy: i32, ox: i32, ky: i32, kx: i32, c: i32) -> i32 { return ((oy * p.S + ky) * p.W + ox * p.S + kx) * p.C + c; }
// The first tap of the window holding its maximum (a NaN, if any, is the maximum).
fn argMax(base: i32, oy: i32, ox: i32, c: i32) -> i32 {
  var best = base + poolTap(oy, ox, 0, 0, c);
  var m = A[p.a + u32(best)];
  for (var ky = 0; ky < p.K; ky++) {
    for (var kx = 0; kx < p.K; kx++) {
      let t = base + poolTap(oy, ox, ky, kx, c);
      let v = A[p.a + u32(t)];
      if (v > m || (isNan(v) && !isNan(m))) { m = v; best = t; }
    }
  }
  return best;
}
${entry1d(body)}`;
}

/** A = x (n × H·W·C), O = cols ((n·Ho·Wo) × K·K·C). */
export const IM2COL = kernel(1, `  let e = i32(i);
  let c = e % p.C;
  let kx = (e / p.C) % p.K;
  let ky = (e / (p.C * p.K)) % p.K;
  let pos = e / (p.C * p.K * p.K);
  let ox = pos % p.Wo;
  let oy = (pos / p.Wo) % p.Ho;
  let img = pos / (p.Wo * p.Ho);
  let iy = oy * p.S - p.P + ky;
  let ix = ox * p.S - p.P + kx;
  var v = 0.0;
  if (iy >= 0 && iy < p.H && ix >= 0 && ix < p.W) { v = A[p.a + u32(((img * p.H + iy) * p.W + ix) * p.C + c)]; }
  O[p.o + i] = v;`);

/** A = cols, O = x: x ← beta·x, then alpha·(each patch value of this pixel) added in patch order. */
export const COL2IM = kernel(1, `  let e = i32(i);
  let c = e % p.C;
  let ix = (e / p.C) % p.W;
  let iy = (e / (p.C * p.W)) % p.H;
  let img = e / (p.C * p.W * p.H);
  var s = 0.0;
  if (p.beta != 0.0) { s = select(p.beta * O[p.o + i], O[p.o + i], p.beta == 1.0); }
  let pc = p.K * p.K * p.C;
  for (var oy = firstWindow(iy); oy <= lastWindow(iy, p.Ho); oy++) {
    let ky = iy + p.P - oy * p.S;
    for (var ox = firstWindow(ix); ox <= lastWindow(ix, p.Wo); ox++) {
      let kx = ix + p.P - ox * p.S;
      let v = A[p.a + u32(((img * p.Ho + oy) * p.Wo + ox) * pc + (ky * p.K + kx) * p.C + c)];
      s += select(p.alpha * v, v, p.alpha == 1.0);
    }
  }
  O[p.o + i] = s;`);

/** Pooling: K is the window, P 0; A = x, O = y (n × Ho·Wo·C). */
export const MAX_POOL_FORWARD = kernel(1, `  let e = i32(i);
  let c = e % p.C;
  let ox = (e / p.C) % p.Wo;
  let oy = (e / (p.C * p.Wo)) % p.Ho;
  let img = e / (p.C * p.Wo * p.Ho);
  O[p.o + i] = A[p.a + u32(argMax(img * p.H * p.W * p.C, oy, ox, c))];`);

export const AVG_POOL_FORWARD = kernel(1, `  let e = i32(i);
  let c = e % p.C;
  let ox = (e / p.C) % p.Wo;
  let oy = (e / (p.C * p.Wo)) % p.Ho;
  let base = (e / (p.C * p.Wo * p.Ho)) * p.H * p.W * p.C;
  var s = 0.0;
  for (var ky = 0; ky < p.K; ky++) { for (var kx = 0; kx < p.K; kx++) { s += A[p.a + u32(base + poolTap(oy, ox, ky, kx, c))]; } }
  O[p.o + i] = s * p.alpha;`);

/** A = x, B = dy, O = dx: each window's dy added where its first maximum is. */
export const MAX_POOL_BACKWARD = kernel(2, `  let e = i32(i);
  let c = e % p.C;
  let ix = (e / p.C) % p.W;
  let iy = (e / (p.C * p.W)) % p.H;
  let img = e / (p.C * p.W * p.H);
  let base = img * p.H * p.W * p.C;
  var s = 0.0;
  for (var oy = firstWindow(iy); oy <= lastWindow(iy, p.Ho); oy++) {
    for (var ox = firstWindow(ix); ox <= lastWindow(ix, p.Wo); ox++) {
      if (argMax(base, oy, ox, c) == e) { s += B[p.b + u32(((img * p.Ho + oy) * p.Wo + ox) * p.C + c)]; }
    }
  }
  O[p.o + i] = s;`);

/** A = dy, O = dx: alpha = float32(1/window²). */
export const AVG_POOL_BACKWARD = kernel(1, `  let e = i32(i);
  let c = e % p.C;
  let ix = (e / p.C) % p.W;
  let iy = (e / (p.C * p.W)) % p.H;
  let img = e / (p.C * p.W * p.H);
  var s = 0.0;
  for (var oy = firstWindow(iy); oy <= lastWindow(iy, p.Ho); oy++) {
    for (var ox = firstWindow(ix); ox <= lastWindow(ix, p.Wo); ox++) {
      s += A[p.a + u32(((img * p.Ho + oy) * p.Wo + ox) * p.C + c)] * p.alpha;
    }
  }
  O[p.o + i] = s;`);
