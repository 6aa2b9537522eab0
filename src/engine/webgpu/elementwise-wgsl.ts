// WGSL of the elementwise kernels and the optimizers: one invocation per element.
// Binding 0 is the uniform P; then the inputs (read-only), then the outputs (read_write), in
// the order the backend passes them.
import { entry1d, WGSL_COMMON } from './wgsl-common.js';

function kernel(params: string, buffers: string, body: string): string {
  return `${WGSL_COMMON}
struct P { ${params} }
@group(0) @binding(0) var<uniform> p: P;
${buffers}
${entry1d(body)}`;
}

const ro = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read> ${name}: array<f32>;`;
const rw = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<f32>;`;

export const FILL = kernel('n: u32, o: u32, value: f32,', rw(1, 'out'), '  out[p.o + i] = p.value;');

export const COPY = kernel('n: u32, s: u32, o: u32,', `${ro(1, 'src')}\n${rw(2, 'out')}`, '  out[p.o + i] = src[p.s + i];');

export const ADD_BIAS = kernel(
  'n: u32, b: u32, o: u32, cols: u32, relu: u32,',
  `${ro(1, 'bias')}\n${rw(2, 'x')}`,
  `  let v = x[p.o + i] + bias[p.b + i % p.cols];
  x[p.o + i] = select(v, 0.0, p.relu != 0u && v < 0.0);`,
);

export const SCALE_ROWS = kernel(
  'n: u32, y: u32, c: u32, o: u32, cols: u32, power: u32, beta: f32,',
  `${ro(1, 'y')}\n${ro(2, 'coef')}\n${rw(3, 'out')}`,
  `  let ci = coef[p.c + i / p.cols];
  let yv = y[p.y + i];
  let g = select(select(0.0, ci, yv > 0.0), ci * yv, p.power == 2u);
  if (p.beta == 0.0) { out[p.o + i] = g; } else { out[p.o + i] = p.beta * out[p.o + i] + g; }`,
);

export const ADD_ROW_VECTOR = kernel(
  'n: u32, v: u32, o: u32, cols: u32, alpha: f32,',
  `${ro(1, 'v')}\n${rw(2, 'x')}`,
  '  x[p.o + i] = x[p.o + i] + p.alpha * v[p.v + i % p.cols];',
);

export const RELU_BACKWARD = kernel(
  'n: u32, d: u32, y: u32, o: u32,',
  `${ro(1, 'dy')}\n${ro(2, 'y')}\n${rw(3, 'out')}`,
  '  out[p.o + i] = select(0.0, dy[p.d + i], y[p.y + i] > 0.0);',
);

export const AXPBY = kernel(
  'n: u32, x: u32, y: u32, o: u32, a: f32, b: f32,',
  `${ro(1, 'x')}\n${ro(2, 'y')}\n${rw(3, 'out')}`,
  '  out[p.o + i] = p.a * x[p.x + i] + p.b * y[p.y + i];',
);

export const MULTIPLY = kernel(
  'n: u32, x: u32, y: u32, o: u32,',
  `${ro(1, 'x')}\n${ro(2, 'y')}\n${rw(3, 'out')}`,
  '  out[p.o + i] = x[p.x + i] * y[p.y + i];',
);

// perturb's hash (js-backend.ts perturbNoise) in u32 arithmetic, which wraps as Math.imul
// does: the draws are the same integers; only the final scaling runs in f32, not double.
export const PERTURB = kernel(
  'n: u32, x: u32, o: u32, key: u32, mul: f32, add: f32,',
  `${ro(1, 'x')}\n${rw(2, 'out')}
fn fmix32(h0: u32) -> u32 {
  var h = h0;
  h = h ^ (h >> 16u); h = h * 0x85ebca6bu; h = h ^ (h >> 13u); h = h * 0xc2b2ae35u; h = h ^ (h >> 16u);
  return h;
}
fn noiseNormal(bk: u32, c: u32, k0: u32) -> f32 {
  var s = 0u;
  for (var k = k0; k < k0 + 4u; k++) { s += fmix32(fmix32((c + k) ^ bk) + bk) >> 8u; }
  return f32(i32(s) - 33554432) * (1.7320508075688772 / 16777216.0);
}`,
  `  let bk = fmix32(p.key + (i >> 29u) * 0x9e3779b9u);
  let c = (i & 0x1fffffffu) << 3u;
  var v = x[p.x + i];
  if (p.mul != 0.0) { v = v * (1.0 + p.mul * noiseNormal(bk, c, 0u)); }
  if (p.add != 0.0) { v = v + p.add * noiseNormal(bk, c, 4u); }
  out[p.o + i] = v;`,
);

export const SMOOTH_STEP = kernel(
  'n: u32, g: u32, w: u32, s: u32, keep: f32, take: f32, lr: f32, wc: f32,',
  `${ro(1, 'grad')}\n${rw(2, 'w')}\n${rw(3, 'st')}`,
  `  let s = p.keep * st[p.s + i] + p.take * grad[p.g + i];
  st[p.s + i] = s;
  let wv = w[p.w + i];
  w[p.w + i] = wv - p.lr * (s + p.wc * wv);`,
);

export const SMOOTH_APPLY = kernel(
  'n: u32, s: u32, w: u32, lr: f32, wc: f32,',
  `${ro(1, 'st')}\n${rw(2, 'w')}`,
  `  let x = w[p.w + i];
  w[p.w + i] = x - p.lr * (st[p.s + i] + p.wc * x);`,
);

export const MOMENTUM_STEP = kernel(
  'n: u32, g: u32, w: u32, v: u32, momentum: f32, gradScale: f32, lr: f32, wc: f32,',
  `${ro(1, 'grad')}\n${rw(2, 'w')}\n${rw(3, 'vel')}`,
  `  let wv = w[p.w + i];
  let v = p.momentum * vel[p.v + i] + p.gradScale * grad[p.g + i] + p.wc * wv;
  vel[p.v + i] = v;
  w[p.w + i] = wv - p.lr * v;`,
);

// take1, take2 = 1 − beta1, 1 − beta2 computed in double: in f32, 1 − 0.999 is 1.3e-5 off.
export const ADAM_STEP = kernel(
  'n: u32, g: u32, w: u32, m: u32, v: u32, gradScale: f32, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32, wc: f32, take1: f32, take2: f32,',
  `${ro(1, 'grad')}\n${rw(2, 'w')}\n${rw(3, 'mm')}\n${rw(4, 'vv')}`,
  `  let g = p.gradScale * grad[p.g + i];
  let m = p.beta1 * mm[p.m + i] + p.take1 * g;
  let v = p.beta2 * vv[p.v + i] + p.take2 * g * g;
  mm[p.m + i] = m;
  vv[p.v + i] = v;
  let wv = w[p.w + i];
  w[p.w + i] = wv - p.lr * ((m * p.c1) / (sqrt(v * p.c2) + p.eps) + p.wc * wv);`,
);

/** Rows (C·H·W ↔ H·W·C): out row, read as q × pp, is the transpose of the x row read as pp × q. */
export const TRANSPOSE_ROWS = kernel(
  'n: u32, x: u32, o: u32, pp: u32, q: u32,',
  `${ro(1, 'x')}\n${rw(2, 'out')}`,
  `  let len = p.pp * p.q;
  let r = i % len;
  let b = r / p.pp;
  let a = r % p.pp;
  out[p.o + i] = x[p.x + i - r + a * p.q + b];`,
);
