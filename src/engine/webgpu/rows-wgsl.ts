// WGSL of the per-row reductions (one workgroup of RW invocations per row, a tree sum in
// workgroup memory), the column sum (one invocation per column) and GroupNorm (one invocation
// per row and group). Sums run in f32 where the CPU engines use double (see webgpu-backend.ts).
import { entry1d, WGSL_COMMON } from './wgsl-common.js';

/** Invocations per row of the row kernels. */
export const RW = 64;

const ro = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read> ${name}: array<f32>;`;
const rw = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<f32>;`;

/** A row kernel: `row` and thread `t`, helpers rowSum(v) and rowMax(v) over the row's invocations. */
function rowKernel(params: string, buffers: string, body: string): string {
  return `${WGSL_COMMON}
struct P { ${params} }
@group(0) @binding(0) var<uniform> p: P;
${buffers}
var<workgroup> red: array<f32, ${RW}>;
fn rowSum(t: u32, v: f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var k = ${RW / 2}u; k > 0u; k = k >> 1u) {
    if (t < k) { red[t] = red[t] + red[t + k]; }
    workgroupBarrier();
  }
  let s = red[0];
  workgroupBarrier();
  return s;
}
fn rowMax(t: u32, v: f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var k = ${RW / 2}u; k > 0u; k = k >> 1u) {
    if (t < k && red[t + k] > red[t]) { red[t] = red[t + k]; }
    workgroupBarrier();
  }
  let s = red[0];
  workgroupBarrier();
  return s;
}
@compute @workgroup_size(${RW})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
${body}
}`;
}

export const ROW_POWER_SUM = rowKernel(
  'rows: u32, cols: u32, x: u32, o: u32, power: u32,',
  `${ro(1, 'x')}\n${rw(2, 'out')}`,
  `  var s = 0.0;
  for (var j = t; j < p.cols; j += ${RW}u) {
    let v = x[p.x + row * p.cols + j];
    s += select(v, v * v, p.power == 2u);
  }
  let total = rowSum(t, s);
  if (t == 0u) { out[p.o + row] = total; }`,
);

export const NORMALIZE_ROWS = rowKernel(
  'rows: u32, cols: u32, x: u32, o: u32, ss: u32, rms: u32, eps: f32, withSumSq: u32,',
  `${ro(1, 'x')}\n${rw(2, 'out')}\n${rw(3, 'sumSq')}`,
  `  var s = 0.0;
  let base = row * p.cols;
  for (var j = t; j < p.cols; j += ${RW}u) { let v = x[p.x + base + j]; s += v * v; }
  let total = rowSum(t, s);
  if (t == 0u && p.withSumSq != 0u) { sumSq[p.ss + row] = total; }
  let len = select(sqrt(total), sqrt(total / f32(p.cols)), p.rms != 0u);
  let inv = 1.0 / (p.eps + len);
  for (var j = t; j < p.cols; j += ${RW}u) { out[p.o + base + j] = x[p.x + base + j] * inv; }`,
);

export const SOFTMAX_ROWS = rowKernel(
  'rows: u32, cols: u32, x: u32, o: u32,',
  `${ro(1, 'x')}\n${rw(2, 'out')}`,
  `  let base = row * p.cols;
  var m = -3.4028234663852886e38;
  for (var j = t; j < p.cols; j += ${RW}u) { let v = x[p.x + base + j]; if (v > m) { m = v; } }
  let mx = rowMax(t, m);
  var s = 0.0;
  for (var j = t; j < p.cols; j += ${RW}u) { s += exp(x[p.x + base + j] - mx); }
  let inv = 1.0 / rowSum(t, s);
  for (var j = t; j < p.cols; j += ${RW}u) { out[p.o + base + j] = exp(x[p.x + base + j] - mx) * inv; }`,
);

export const COL_SUM = `${WGSL_COMMON}
struct P { n: u32, rows: u32, x: u32, o: u32, alpha: f32, beta: f32, }
@group(0) @binding(0) var<uniform> p: P;
${ro(1, 'x')}
${rw(2, 'out')}
${entry1d(`  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) { s += x[p.x + r * p.n + i]; }
  if (p.beta == 0.0) { out[p.o + i] = p.alpha * s; } else { out[p.o + i] = p.beta * out[p.o + i] + p.alpha * s; }`)}`;

/** GroupNorm: invocation i is row i / groups, group i % groups; C channels, cg per group, P positions. */
const GN_PARAMS = 'n: u32, groups: u32, positions: u32, channels: u32, a: u32, b: u32, c: u32, d: u32, eps: f32,';
const GN_INDEX = `  let grp = i % p.groups;
  let row = i / p.groups;
  let cg = p.channels / p.groups;
  let c0 = row * p.positions * p.channels + grp * cg;
  let count = f32(p.positions * cg);`;

export const GROUP_NORM_FORWARD = `${WGSL_COMMON}
struct P { ${GN_PARAMS} }
@group(0) @binding(0) var<uniform> p: P;
${ro(1, 'x')}
${rw(2, 'y')}
${rw(3, 'stats')}
${entry1d(`${GN_INDEX}
  var s = 0.0;
  for (var q = 0u; q < p.positions; q++) { for (var c = 0u; c < cg; c++) { s += x[p.a + c0 + q * p.channels + c]; } }
  let mean = s / count;
  var ss = 0.0;
  for (var q = 0u; q < p.positions; q++) { for (var c = 0u; c < cg; c++) { let d = x[p.a + c0 + q * p.channels + c] - mean; ss += d * d; } }
  let rstd = 1.0 / sqrt(ss / count + p.eps);
  for (var q = 0u; q < p.positions; q++) { for (var c = 0u; c < cg; c++) {
    let j = c0 + q * p.channels + c;
    y[p.b + j] = (x[p.a + j] - mean) * rstd;
  } }
  stats[p.c + row * 2u * p.groups + 2u * grp] = mean;
  stats[p.c + row * 2u * p.groups + 2u * grp + 1u] = rstd;`)}`;

export const GROUP_NORM_BACKWARD = `${WGSL_COMMON}
struct P { ${GN_PARAMS} }
@group(0) @binding(0) var<uniform> p: P;
${ro(1, 'y')}
${ro(2, 'dy')}
${ro(3, 'stats')}
${rw(4, 'dx')}
${entry1d(`${GN_INDEX}
  var sd = 0.0;
  var sdy = 0.0;
  for (var q = 0u; q < p.positions; q++) { for (var c = 0u; c < cg; c++) {
    let j = c0 + q * p.channels + c;
    sd += dy[p.b + j];
    sdy += dy[p.b + j] * y[p.a + j];
  } }
  let md = sd / count;
  let mdy = sdy / count;
  let rstd = stats[p.c + row * 2u * p.groups + 2u * grp + 1u];
  for (var q = 0u; q < p.positions; q++) { for (var c = 0u; c < cg; c++) {
    let j = c0 + q * p.channels + c;
    dx[p.d + j] = rstd * (dy[p.b + j] - md - y[p.a + j] * mdy);
  } }`)}`;
