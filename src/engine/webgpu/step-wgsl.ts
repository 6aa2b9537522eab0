// WGSL of FF's per-minibatch maths (engine/step-maths.ts has the reference of each). The
// kernels that add to a tally walk their rows in one invocation, in row order, as the CPU
// engines do — a minibatch is tens to hundreds of rows of ten classes, far below a product's
// cost — but in f32 where those use double (see webgpu-backend.ts for the tolerances).
// Setting label units is one invocation per row.
import { entry1d, WGSL_COMMON } from './wgsl-common.js';

const ro = (b: number, name: string, t = 'f32') => `@group(0) @binding(${b}) var<storage, read> ${name}: array<${t}>;`;
const rw = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<f32>;`;

/** One invocation: `body` runs once. */
function serial(params: string, buffers: string, body: string, helpers = ''): string {
  return `${WGSL_COMMON}
struct P { ${params} }
@group(0) @binding(0) var<uniform> p: P;
${buffers}
${helpers}
@compute @workgroup_size(1)
fn main() {
${body}
}`;
}

const SMOOTH = `
fn softplus(x: f32) -> f32 { return select(log(1.0 + exp(x)), x + log(1.0 + exp(-x)), x > 0.0); }
fn sigmoid(x: f32) -> f32 { return select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0); }`;

export const TALLY_ADD = serial(
  'count: u32, src: u32, dst: u32, t: u32, divisor: f32,',
  rw(1, 'tally'),
  '  for (var k = 0u; k < p.count; k++) { tally[p.t + p.dst + k] += tally[p.t + p.src + k] / p.divisor; }',
);

export const CROSS_ENTROPY_GRAD = serial(
  'rows: u32, cols: u32, probs: u32, labels: u32, grad: u32, t: u32, at: u32,',
  `${ro(1, 'probs')}\n${ro(2, 'labels')}\n${rw(3, 'grad')}\n${rw(4, 'tally')}`,
  `  for (var i = 0u; i < p.rows; i++) {
    let base = i * p.cols;
    let y = u32(labels[p.labels + i]);
    var best = 0u;
    for (var j = 0u; j < p.cols; j++) {
      let v = probs[p.probs + base + j];
      grad[p.grad + base + j] = select(v, v - 1.0, j == y);
      if (v > probs[p.probs + base + best]) { best = j; }
    }
    tally[p.t + p.at] += -log(1e-30 + probs[p.probs + base + y]);
    if (best != y) { tally[p.t + p.at + 1u] += 1.0; }
  }`,
);

export const DRAW_LABELS = serial(
  'rows: u32, cols: u32, probs: u32, truth: u32, o: u32, hard: u32, temperature: f32,',
  `${ro(1, 'probs')}\n${ro(2, 'truth')}\n${ro(3, 'draws', 'u32')}\n${rw(4, 'out')}`,
  `  for (var i = 0u; i < p.rows; i++) {
    let base = p.probs + i * p.cols;
    let u = f32(draws[i]) / 4294967296.0;
    let y = u32(truth[p.truth + i]);
    // The weights: the probabilities (hard: the true label's 0), or p^(1/t) relative to the largest.
    var mx = 0.0;
    for (var j = 0u; j < p.cols; j++) { mx = max(mx, probs[base + j]); }
    let sharpen = p.hard == 0u && p.temperature != 1.0 && mx > 0.0;
    var total = 0.0;
    for (var j = 0u; j < p.cols; j++) { total += weight(base, j, y, mx, sharpen); }
    var label = p.cols - 1u;
    if (!(total > 0.0)) {
      // Nothing to draw from: hard, a uniform wrong label; teacher-forced, a uniform label.
      if (p.hard != 0u) { let k = u32(floor(u * f32(p.cols - 1u))); label = select(k, k + 1u, k >= y); }
      else { label = min(u32(floor(u * f32(p.cols))), p.cols - 1u); }
    } else {
      var r = u * total;
      var found = false;
      for (var j = 0u; j < p.cols; j++) {
        let w = weight(base, j, y, mx, sharpen);
        r -= w;
        if (!found && r < 0.0) { label = j; found = true; }
      }
      if (!found) { for (var j = 0u; j < p.cols; j++) { if (weight(base, j, y, mx, sharpen) > 0.0) { label = j; } } }
    }
    out[p.o + i] = f32(label);
  }`,
  `fn weight(base: u32, j: u32, y: u32, mx: f32, sharpen: bool) -> f32 {
  let v = probs[base + j];
  if (p.hard != 0u && j == y) { return 0.0; }
  if (sharpen) { return select(0.0, exp((log(v) - log(mx)) / p.temperature), v > 0.0); }
  return v;
}`,
);

export const SET_LABEL_UNITS = `${WGSL_COMMON}
struct P { n: u32, cols: u32, x: u32, labels: u32, offset: u32, stride: u32, count: u32, strength: f32, }
@group(0) @binding(0) var<uniform> p: P;
${ro(1, 'labels')}
${rw(2, 'x')}
${entry1d(`  let o = p.x + i * p.cols + p.offset;
  let y = u32(labels[p.labels + i]);
  for (var k = 0u; k < p.count; k++) { x[o + k * p.stride] = select(0.0, p.strength, k == y); }`)}`;

export const ROW_COEFFICIENTS = serial(
  'positives: u32, negatives: u32, g: u32, coef: u32, t: u32, at: u32, symba: u32, sign: f32, temperature: f32, threshold: f32, alpha: f32, divisor: f32, gscale: f32, dgdy: f32,',
  `${ro(1, 'g')}\n${rw(2, 'coef')}\n${rw(3, 'tally')}`,
  `  let P = p.positives;
  let N = p.negatives;
  let T = p.temperature;
  for (var i = 0u; i < max(P, N); i++) {
    let pos = i < P;
    let neg = i < N;
    let gPos = select(0.0, g[p.g + i] / p.divisor, pos);
    let gNeg = select(0.0, g[p.g + P + i] / p.divisor, neg);
    let xPos = p.sign * (gPos - p.threshold) / T;
    let xNeg = p.sign * (gNeg - p.threshold) / T;
    if (P == N && xNeg > xPos) { tally[p.t + p.at + 1u] += 1.0; }
    if (p.symba != 0u) {
      let d = p.sign * (gPos - gNeg) / T;
      tally[p.t + p.at] += softplus(-p.alpha * d);
      let w = p.alpha * sigmoid(-p.alpha * d) * (p.sign / T) * p.gscale * p.dgdy;
      coef[p.coef + i] = -w;
      coef[p.coef + P + i] = w;
    } else {
      let scale = (p.sign / T) * p.gscale * p.dgdy;
      tally[p.t + p.at] += select(0.0, softplus(-xPos), pos) + select(0.0, softplus(xNeg), neg);
      if (pos) { coef[p.coef + i] = -(1.0 - sigmoid(xPos)) * scale; }
      if (neg) { coef[p.coef + P + i] = sigmoid(xNeg) * scale; }
    }
  }`,
  SMOOTH,
);

export const GROUP_COEFFICIENTS = serial(
  'rows: u32, cols: u32, g: u32, labels: u32, coef: u32, t: u32, at: u32, temperature: f32, dgdy: f32,',
  `${ro(1, 'g')}\n${ro(2, 'labels')}\n${rw(3, 'coef')}\n${rw(4, 'tally')}`,
  `  let T = p.temperature;
  for (var i = 0u; i < p.rows; i++) {
    let base = i * p.cols;
    var mx = -3.4028234663852886e38;
    var best = 0u;
    for (var k = 0u; k < p.cols; k++) { let v = g[p.g + base + k] / T; if (v > mx) { mx = v; best = k; } }
    var sum = 0.0;
    for (var k = 0u; k < p.cols; k++) { sum += exp(g[p.g + base + k] / T - mx); }
    let y = u32(labels[p.labels + i]);
    tally[p.t + p.at] += log(sum) - (g[p.g + base + y] / T - mx);
    if (best != y) { tally[p.t + p.at + 1u] += 1.0; }
    for (var k = 0u; k < p.cols; k++) {
      coef[p.coef + base + k] = ((exp(g[p.g + base + k] / T - mx) / sum - select(0.0, 1.0, k == y)) / T) * p.dgdy;
    }
  }`,
);

export const PEER_PUSH = serial(
  'n: u32, s: u32, m: u32, o: u32, rows: f32, decay: f32, lambda: f32,',
  `${ro(1, 'colSum')}\n${rw(2, 'means')}\n${rw(3, 'push')}`,
  `  var avg = 0.0;
  for (var j = 0u; j < p.n; j++) {
    let v = p.decay * means[p.m + j] + (1.0 - p.decay) * (colSum[p.s + j] / p.rows);
    means[p.m + j] = v;
    avg += v;
  }
  avg /= f32(p.n);
  for (var j = 0u; j < p.n; j++) { push[p.o + j] = -p.lambda * (avg - means[p.m + j]); }`,
);

// Dropout (engine/dropout-mask.ts): the same u32 hash of (key, offset + i), so the same mask;
// one f32 product per kept element, as the CPU engines' float32 rounding of it.
export const DROPOUT = `${WGSL_COMMON}
struct P { n: u32, x: u32, offset: u32, key: u32, threshold: u32, scale: f32, }
@group(0) @binding(0) var<uniform> p: P;
${rw(1, 'x')}
fn fmix32(h0: u32) -> u32 {
  var h = h0;
  h = h ^ (h >> 16u); h = h * 0x85ebca6bu; h = h ^ (h >> 13u); h = h * 0xc2b2ae35u; h = h ^ (h >> 16u);
  return h;
}
${entry1d(`  let h = fmix32(fmix32((p.offset + i) ^ p.key) + p.key);
  x[p.x + i] = select(0.0, x[p.x + i] * p.scale, h >= p.threshold);`)}`;
