// Pure-TypeScript backend: the reference every other backend is checked against, and the
// fallback that runs anywhere (browsers included). Loops are written for the JIT: flat
// Float32Arrays, row-major, the innermost loop over contiguous memory.
import {
  checkLocalShapes,
  checkPerturbOptions,
  checkShape,
  gemmShape,
  type AdamStepOptions,
  type ChannelCopy,
  type Engine,
  type GemmOptions,
  type GroupNormGeometry,
  type LocalGeometry,
  type Mat,
  type MomentumStepOptions,
  type PatchGeometry,
  type PerturbOptions,
  type PoolGeometry,
  type RowNorm,
  type ScaleOptions,
  type SmoothStepOptions,
  type DrawLabelsOptions,
  type LabelUnits,
  type PeerOptions,
  type RowObjectiveOptions,
  type Tally,
  type DropoutOptions,
} from './engine.js';
import * as step from './js-step-kernels.js';
import { allocCpuMat, cpu, CpuMat } from './cpu-mat.js';
import { sgemm } from './js-gemm.js';
import { jsLocalForward, jsLocalInputGrad, jsLocalWeightGrad } from './js-local.js';
import * as ops from './js-conv-ops.js';
import { fmix32, GOLDEN, streamKey } from './counter-hash.js';

// The webgpu engine takes perturb's key from here.
export { fmix32, GOLDEN };

export class JsEngine implements Engine {
  readonly name: string = 'js';

  zeros(rows: number, cols: number): Mat {
    return allocCpuMat(rows, cols);
  }

  fromArray(data: Float32Array | number[], rows: number, cols: number): Mat {
    if (data.length !== rows * cols) {
      throw new Error(`fromArray: ${data.length} values cannot fill ${rows}×${cols}`);
    }
    const m = allocCpuMat(rows, cols);
    m.data.set(data);
    return m;
  }

  write(m: Mat, data: Float32Array): void {
    const c = cpu(m);
    if (data.length !== c.data.length) {
      throw new Error(`write: ${data.length} values cannot fill ${m.rows}×${m.cols}`);
    }
    c.data.set(data);
  }

  read(m: Mat): Promise<Float32Array> {
    return Promise.resolve(cpu(m).data.slice());
  }

  copy(src: Mat, dst: Mat): void {
    checkShape('copy', dst, src.rows, src.cols);
    cpu(dst).data.set(cpu(src).data);
  }

  fill(m: Mat, value: number): void {
    cpu(m).data.fill(value);
  }

  dispose(_m: Mat): void {
    // Garbage collected.
  }

  rowView(m: Mat, start: number, count: number): Mat {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > m.rows) {
      throw new Error(`rowView: rows [${start}, ${start + count}) outside 0..${m.rows}`);
    }
    const c = cpu(m);
    return new CpuMat(count, m.cols, c.data.subarray(start * m.cols, (start + count) * m.cols));
  }

  reshape(m: Mat, rows: number, cols: number): Mat {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || rows * cols !== m.rows * m.cols) {
      throw new Error(`reshape: ${m.rows}×${m.cols} cannot be read as ${rows}×${cols}`);
    }
    return new CpuMat(rows, cols, cpu(m).data);
  }

  gemm(a: Mat, b: Mat, c: Mat, opts: GemmOptions = {}): void {
    const { transA, transB, alpha, beta, m, n, k } = gemmShape(a, b, c, opts);
    // Packed, register-blocked kernel (src/engine/js-gemm.ts).
    sgemm(transA, transB, m, n, k, alpha, cpu(a).data, cpu(b).data, beta, cpu(c).data);
  }

  localForward(x: Mat, w: Mat, y: Mat, g: LocalGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkLocalShapes('localForward', x, w, y, g);
    jsLocalForward(g, x.rows, alpha, cpu(x).data, cpu(w).data, beta, cpu(y).data);
  }

  localWeightGrad(x: Mat, dy: Mat, dw: Mat, g: LocalGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkLocalShapes('localWeightGrad', x, dy, dw, g);
    jsLocalWeightGrad(g, x.rows, alpha, cpu(x).data, cpu(dy).data, beta, cpu(dw).data);
  }

  localInputGrad(dy: Mat, w: Mat, dx: Mat, g: LocalGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkLocalShapes('localInputGrad', dy, w, dx, g);
    jsLocalInputGrad(g, dy.rows, alpha, cpu(dy).data, cpu(w).data, beta, cpu(dx).data);
  }

  // The convolution kernels: checks and loops in js-conv-ops.ts (the native and wasm engines
  // override the loops, not the checks).
  im2col(x: Mat, cols: Mat, g: PatchGeometry): void {
    ops.im2col(x, cols, g);
  }
  col2im(cols: Mat, x: Mat, g: PatchGeometry, opts: ScaleOptions = {}): void {
    ops.col2im(cols, x, g, opts);
  }
  maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    ops.maxPoolForward(x, y, g);
  }
  maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void {
    ops.maxPoolBackward(x, dy, dx, g);
  }
  avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    ops.avgPoolForward(x, y, g);
  }
  avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void {
    ops.avgPoolBackward(dy, dx, g);
  }
  groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void {
    ops.groupNormForward(x, y, stats, g, eps);
  }
  groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void {
    ops.groupNormBackward(y, dy, stats, dx, g);
  }
  toChannelsLast(x: Mat, out: Mat, channels: number): void {
    ops.toChannelsLast(x, out, channels);
  }
  toChannelsFirst(x: Mat, out: Mat, channels: number): void {
    ops.toChannelsFirst(x, out, channels);
  }

  copyChannels(src: Mat, dst: Mat, o: ChannelCopy): void {
    ops.copyChannels(src, dst, o);
  }

  addBias(x: Mat, bias: Mat, relu: boolean): void {
    checkShape('addBias bias', bias, 1, x.cols);
    const X = cpu(x).data;
    const b = cpu(bias).data;
    const n = x.cols;
    for (let i = 0; i < x.rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) {
        const v = X[o + j] + b[j];
        X[o + j] = relu && v < 0 ? 0 : v;
      }
    }
  }

  rowPowerSum(x: Mat, out: Mat, power: 1 | 2): void {
    checkShape('rowPowerSum output', out, x.rows, 1);
    const X = cpu(x).data;
    const O = cpu(out).data;
    const n = x.cols;
    for (let i = 0; i < x.rows; i++) {
      let s = 0;
      const o = i * n;
      if (power === 2) for (let j = 0; j < n; j++) s += X[o + j] * X[o + j];
      else for (let j = 0; j < n; j++) s += X[o + j];
      O[i] = s;
    }
  }

  normalizeRows(x: Mat, out: Mat, mode: RowNorm, eps: number, sumSq?: Mat): void {
    checkShape('normalizeRows output', out, x.rows, x.cols);
    if (sumSq) checkShape('normalizeRows sumSq', sumSq, x.rows, 1);
    const X = cpu(x).data;
    const O = cpu(out).data;
    const SS = sumSq ? cpu(sumSq).data : null;
    const n = x.cols;
    for (let i = 0; i < x.rows; i++) {
      const o = i * n;
      const s = sumSqLanes(X, o, n);
      if (SS) SS[i] = s;
      const len = mode === 'rms' ? Math.sqrt(s / n) : Math.sqrt(s);
      const inv = 1 / (eps + len);
      for (let j = 0; j < n; j++) O[o + j] = X[o + j] * inv;
    }
  }

  scaleRows(y: Mat, coef: Mat, out: Mat, power: 1 | 2, beta = 0): void {
    checkShape('scaleRows coef', coef, y.rows, 1);
    checkShape('scaleRows output', out, y.rows, y.cols);
    const Y = cpu(y).data;
    const c = cpu(coef).data;
    const O = cpu(out).data;
    const n = y.cols;
    for (let i = 0; i < y.rows; i++) {
      const o = i * n;
      const ci = c[i];
      for (let j = 0; j < n; j++) {
        const g = power === 2 ? ci * Y[o + j] : Y[o + j] > 0 ? ci : 0;
        O[o + j] = beta === 0 ? g : beta * O[o + j] + g;
      }
    }
  }

  addRowVector(x: Mat, v: Mat, alpha: number): void {
    checkShape('addRowVector vector', v, 1, x.cols);
    const X = cpu(x).data;
    const V = cpu(v).data;
    const n = x.cols;
    for (let i = 0; i < x.rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) X[o + j] += alpha * V[j];
    }
  }

  colSum(x: Mat, out: Mat, alpha: number, beta: number): void {
    checkShape('colSum output', out, 1, x.cols);
    const X = cpu(x).data;
    const O = cpu(out).data;
    const n = x.cols;
    const acc = new Float64Array(n);
    for (let i = 0; i < x.rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) acc[j] += X[o + j];
    }
    for (let j = 0; j < n; j++) O[j] = (beta === 0 ? 0 : beta * O[j]) + alpha * acc[j];
  }

  softmaxRows(x: Mat, out: Mat): void {
    checkShape('softmaxRows output', out, x.rows, x.cols);
    const X = cpu(x).data;
    const O = cpu(out).data;
    const n = x.cols;
    for (let i = 0; i < x.rows; i++) {
      const o = i * n;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) if (X[o + j] > mx) mx = X[o + j];
      let s = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(X[o + j] - mx);
        O[o + j] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let j = 0; j < n; j++) O[o + j] *= inv;
    }
  }

  reluBackward(dy: Mat, y: Mat, out: Mat): void {
    checkShape('reluBackward y', y, dy.rows, dy.cols);
    checkShape('reluBackward output', out, dy.rows, dy.cols);
    const D = cpu(dy).data;
    const Y = cpu(y).data;
    const O = cpu(out).data;
    for (let i = 0; i < D.length; i++) O[i] = Y[i] > 0 ? D[i] : 0;
  }

  axpby(a: number, x: Mat, b: number, y: Mat, out: Mat): void {
    checkShape('axpby y', y, x.rows, x.cols);
    checkShape('axpby output', out, x.rows, x.cols);
    const X = cpu(x).data;
    const Y = cpu(y).data;
    const O = cpu(out).data;
    for (let i = 0; i < X.length; i++) O[i] = a * X[i] + b * Y[i];
  }

  multiply(x: Mat, y: Mat, out: Mat): void {
    checkShape('multiply y', y, x.rows, x.cols);
    checkShape('multiply output', out, x.rows, x.cols);
    const X = cpu(x).data;
    const Y = cpu(y).data;
    const O = cpu(out).data;
    for (let i = 0; i < X.length; i++) O[i] = X[i] * Y[i]; // stored as float32: one rounding, as in C
  }

  perturb(x: Mat, out: Mat, o: PerturbOptions): void {
    checkShape('perturb output', out, x.rows, x.cols);
    checkPerturbOptions(o);
    perturbNoise(cpu(x).data, cpu(out).data, o);
  }

  smoothStep(w: Mat, state: Mat, grad: Mat, o: SmoothStepOptions): void {
    const [W, G, S] = this.optimizerArrays('smoothStep', w, grad, state);
    const keep = o.smoothing;
    const take = (1 - o.smoothing) * o.gradScale;
    for (let i = 0; i < W.length; i++) {
      S[i] = keep * S[i] + take * G[i];
      W[i] -= o.lr * (S[i] + o.weightCost * W[i]);
    }
  }

  smoothApply(w: Mat, state: Mat, lr: number, weightCost: number): void {
    checkShape('smoothApply state', state, w.rows, w.cols);
    const W = cpu(w).data;
    const S = cpu(state).data;
    if (W.buffer === S.buffer && W.byteOffset < S.byteOffset + S.byteLength && S.byteOffset < W.byteOffset + W.byteLength) {
      throw new Error('smoothApply: w and state must not overlap');
    }
    // float32 arithmetic, as the C kernel does it: each fround is one float32 operation (an
    // operation on two float32 values done in double and rounded once is the float32 result).
    const f = Math.fround;
    const a = f(lr);
    const c = f(weightCost);
    for (let i = 0; i < W.length; i++) {
      const x = W[i];
      W[i] = x - f(a * f(S[i] + f(c * x)));
    }
  }

  momentumStep(w: Mat, velocity: Mat, grad: Mat, o: MomentumStepOptions): void {
    const [W, G, V] = this.optimizerArrays('momentumStep', w, grad, velocity);
    for (let i = 0; i < W.length; i++) {
      V[i] = o.momentum * V[i] + o.gradScale * G[i] + o.weightCost * W[i];
      W[i] -= o.lr * V[i];
    }
  }

  adamStep(w: Mat, m: Mat, v: Mat, grad: Mat, o: AdamStepOptions): void {
    const [W, G, M, V] = this.optimizerArrays('adamStep', w, grad, m, v);
    const c1 = 1 / (1 - Math.pow(o.beta1, o.step));
    const c2 = 1 / (1 - Math.pow(o.beta2, o.step));
    for (let i = 0; i < W.length; i++) {
      const g = o.gradScale * G[i];
      M[i] = o.beta1 * M[i] + (1 - o.beta1) * g;
      V[i] = o.beta2 * V[i] + (1 - o.beta2) * g * g;
      W[i] -= o.lr * ((M[i] * c1) / (Math.sqrt(V[i] * c2) + o.eps) + o.weightCost * W[i]);
    }
  }

  protected optimizerArrays(what: string, w: Mat, grad: Mat, ...state: Mat[]): Float32Array[] {
    checkShape(`${what} grad`, grad, w.rows, w.cols);
    for (const s of state) checkShape(`${what} state`, s, w.rows, w.cols);
    return [cpu(w).data, cpu(grad).data, ...state.map((s) => cpu(s).data)];
  }

  // FF's per-minibatch maths (js-step-kernels.ts): the reference, on this engine's memory.
  tally(size: number): Tally {
    return new step.CpuTally(size);
  }

  readTally(t: Tally): Promise<Float64Array> {
    return Promise.resolve(step.cpuTally(t).sums.slice());
  }

  addTally(t: Tally, from: number, to: number, count: number, divisor: number): void {
    step.addTally(t, from, to, count, divisor);
  }

  clearTally(t: Tally, at: number, count: number): void {
    step.clearTally(t, at, count);
  }

  crossEntropyGrad(probs: Mat, labels: Mat, grad: Mat, t: Tally, at: number): void {
    step.crossEntropyGrad(probs, labels, grad, t, at);
  }

  drawLabels(probs: Mat, truth: Mat, draws: Uint32Array, out: Mat, o: DrawLabelsOptions): void {
    step.drawLabels(probs, truth, draws, out, o);
  }

  setLabelUnits(x: Mat, labels: Mat, u: LabelUnits): void {
    step.setLabelUnits(x, labels, u);
  }

  rowCoefficients(g: Mat, coef: Mat, o: RowObjectiveOptions, t: Tally, at: number): void {
    step.rowCoefficients(g, coef, o, t, at);
  }

  groupCoefficients(G: Mat, labels: Mat, coef: Mat, temperature: number, dGdy: number, t: Tally, at: number): void {
    step.groupCoefficients(G, labels, coef, temperature, dGdy, t, at);
  }

  peerPush(colSum: Mat, means: Mat, push: Mat, o: PeerOptions): void {
    step.peerPush(colSum, means, push, o);
  }

  dropout(x: Mat, o: DropoutOptions): void {
    step.dropout(x, o);
  }
}

/**
 * Σ x[o..o+n)² in the order of the C kernel (sum_sq_lanes in native/ff_native.c): 8 interleaved
 * partial sums combined pairwise, then the tail, so both backends agree to the bit.
 */
function sumSqLanes(X: Float32Array, o: number, n: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const p = o + j;
    a0 += X[p] * X[p];
    a1 += X[p + 1] * X[p + 1];
    a2 += X[p + 2] * X[p + 2];
    a3 += X[p + 3] * X[p + 3];
    a4 += X[p + 4] * X[p + 4];
    a5 += X[p + 5] * X[p + 5];
    a6 += X[p + 6] * X[p + 6];
    a7 += X[p + 7] * X[p + 7];
  }
  let s = (a0 + a1 + (a2 + a3)) + (a4 + a5 + (a6 + a7));
  for (; j < n; j++) s += X[o + j] * X[o + j];
  return s;
}

// ---- perturb: counter-based noise, the same bits as native/noise.c ----------------------------
//
// key  = fmix32(fmix32(seed ^ GOLDEN) ^ stream)     one key per (seed, stream)
// bk   = fmix32(key + b·GOLDEN), b = ⌊e / 2^29⌋     a fresh key per 2^29 elements,
// c    = (e mod 2^29)·8 + k                         so the counter c fits 32 bits
// u_k  = fmix32(fmix32(c ^ bk) + bk) >>> 8          draw k ∈ 0..7, 24 bits
// n1   = (u0+u1+u2+u3 − 2^25)·√3/2^24, n2 the same from u4..u7 (Irwin–Hall, variance 1)
// The key enters twice so two streams are not XOR-shifted copies of each other. Integer
// arithmetic only (no exp/log), so C and JS agree to the bit; fmix32 is murmur3's finalizer.

/** Elements per counter block: e·8 + k must stay below 2^32. */
const NOISE_BLOCK = 2 ** 29;
/** √3/2^24: a sum of four 24-bit uniforms, centred, has variance 2^48/3. */
const NOISE_SCALE = Math.sqrt(3) / 2 ** 24;

/** Σ of four 24-bit draws k0..k0+3 for counter base c (= local e·8), centred and scaled. */
function noiseNormal(bk: number, c: number, k0: number): number {
  let s = 0;
  for (let k = k0; k < k0 + 4; k++) s += fmix32((fmix32((c + k) ^ bk) + bk) >>> 0) >>> 8;
  return (s - 2 ** 25) * NOISE_SCALE;
}

function perturbNoise(X: Float32Array, O: Float32Array, o: PerturbOptions): void {
  const { mul, add } = o;
  const key = streamKey(o.seed, o.stream);
  for (let start = 0; start < X.length; start += NOISE_BLOCK) {
    const bk = fmix32((key + Math.imul(start / NOISE_BLOCK, GOLDEN)) >>> 0);
    const end = Math.min(X.length, start + NOISE_BLOCK);
    for (let e = start; e < end; e++) {
      const c = ((e - start) << 3) >>> 0;
      // x·1 is x exactly, so a zero mul (or add) never needs its draws.
      const f = mul === 0 ? 1 : 1 + mul * noiseNormal(bk, c, 0);
      const v = X[e] * f;
      O[e] = add === 0 ? v : v + add * noiseNormal(bk, c, 4);
    }
  }
}

export { CpuMat };
