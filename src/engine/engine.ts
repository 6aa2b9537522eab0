// The one numeric interface every backend implements. The FF and BP algorithms are written
// against it and nothing else, so a new backend (WASM, WebGPU) is one file plus the
// conformance suite.
//
// Matrices are opaque handles: a backend may keep them in its own memory (a GPU buffer, a WASM
// heap). Operations are issued synchronously and may run later; the ONLY way to see numbers is
// the asynchronous `read`, which is where a GPU backend would wait for its queue. CPU backends
// simply run each operation immediately.
import { checkLocalGeometry, localInputSize, localOutputSize, localWeightShape, type LocalGeometry } from './local-geometry.js';
export type { LocalGeometry } from './local-geometry.js';
import type { ChannelCopy, GroupNormGeometry, PatchGeometry, PoolGeometry } from './conv-geometry.js';
export type { ChannelCopy, ConvGeometry, GroupNormGeometry, PatchGeometry, PoolGeometry } from './conv-geometry.js';
import type { DrawLabelsOptions, LabelUnits, PeerOptions, RowObjectiveOptions } from './step-maths.js';
export type { DrawLabelsOptions, LabelUnits, PeerOptions, RowObjectiveOptions } from './step-maths.js';
import type { DropoutOptions } from './dropout-mask.js';
export type { DropoutOptions } from './dropout-mask.js';

/** A row-major float32 matrix owned by an engine. Vectors are 1×n or n×1 matrices. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** c = alpha·op(a)·op(b) + beta·c; defaults alpha 1, beta 0. */
  alpha?: number;
  beta?: number;
}

export type RowNorm = 'rms' | 'l2';


/** out = alpha·f(…) + beta·out; defaults alpha 1, beta 0 (beta 0 overwrites, NaN included). */
export interface ScaleOptions {
  alpha?: number;
  beta?: number;
}

export interface SmoothStepOptions {
  /** Multiplies the raw gradient first (1/batchSize to average a summed gradient). */
  gradScale: number;
  /** state ← smoothing·state + (1 − smoothing)·g  (Hinton's "delay" 0.9). */
  smoothing: number;
  lr: number;
  /** w ← w − lr·(state + weightCost·w). */
  weightCost: number;
}

export interface MomentumStepOptions {
  gradScale: number;
  /** velocity ← momentum·velocity + g  (PyTorch SGD convention). */
  momentum: number;
  lr: number;
  weightCost: number;
}

export interface AdamStepOptions {
  gradScale: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step count, for bias correction. */
  step: number;
  /** Decoupled weight decay (AdamW style): w ← w − lr·weightCost·w. */
  weightCost: number;
}

/**
 * Seeded noise for perturb: simulated analog hardware (mul: relative error of each stored value)
 * and drifting black boxes (add: additive noise). seed and stream are uint32; the same
 * (seed, stream) gives the same numbers on every backend and thread count, so a noisy run can be
 * replayed, and a new stream per step or per layer gives fresh, unrelated noise.
 */
export interface PerturbOptions {
  /** Scale of the multiplicative noise n1 (0: none). */
  mul: number;
  /** Scale of the additive noise n2 (0: none). */
  add: number;
  seed: number;
  stream: number;
}

export interface Engine {
  /** 'js', 'native', … */
  readonly name: string;

  // ---- memory ----------------------------------------------------------------------------
  zeros(rows: number, cols: number): Mat;
  fromArray(data: Float32Array | number[], rows: number, cols: number): Mat;
  /** Overwrite the whole matrix (data.length must equal rows·cols). */
  write(m: Mat, data: Float32Array): void;
  /** Resolve with a copy of the contents once all queued work touching m is done. */
  read(m: Mat): Promise<Float32Array>;
  copy(src: Mat, dst: Mat): void;
  fill(m: Mat, value: number): void;
  dispose(m: Mat): void;
  /** A view of rows [start, start+count) sharing m's memory (writes through). */
  rowView(m: Mat, start: number, count: number): Mat;
  /** The same values read as rows × cols (rows·cols unchanged), sharing m's memory: n × (H·W·C) maps as (n·H·W) × C. */
  reshape(m: Mat, rows: number, cols: number): Mat;

  // ---- products ----------------------------------------------------------------------------
  /** c = alpha·op(a)·op(b) + beta·c. */
  gemm(a: Mat, b: Mat, c: Mat, opts?: GemmOptions): void;

  // ---- locally-connected connections (layout: local-geometry.ts) ---------------------------
  /** y = alpha·LC(x, w) + beta·y: x rows × C_in·H·W, w (H·C_out·C_in·K²) × W, y rows × C_out·H·W. */
  localForward(x: Mat, w: Mat, y: Mat, g: LocalGeometry, opts?: ScaleOptions): void;
  /** dw = alpha·Σ_rows x_window ⊗ dy + beta·dw (the LC analogue of xᵀ·dy). */
  localWeightGrad(x: Mat, dy: Mat, dw: Mat, g: LocalGeometry, opts?: ScaleOptions): void;
  /** dx = alpha·LCᵀ(dy, w) + beta·dx (the LC analogue of dy·wᵀ: backprop to the source). */
  localInputGrad(dy: Mat, w: Mat, dx: Mat, g: LocalGeometry, opts?: ScaleOptions): void;

  // ---- convolution (layout: conv-geometry.ts; maps are channels-last, rows × H·W·C) --------
  /** cols = the patches of x: x n × H·W·C, cols (n·Ho·Wo) × K·K·C, zeros in the padding. */
  im2col(x: Mat, cols: Mat, g: PatchGeometry): void;
  /** x = beta·x + alpha·(each patch value added back to its pixel): im2col's adjoint, for the input gradient. */
  col2im(cols: Mat, x: Mat, g: PatchGeometry, opts?: ScaleOptions): void;
  /** y = each window's maximum, per channel: x n × H·W·C, y n × Ho·Wo·C. */
  maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void;
  /** dx = dy routed to each window's first maximum, found again in x (overwrites dx). */
  maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void;
  avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void;
  /** dx = dy / window² spread over each window (overwrites dx). */
  avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void;
  /**
   * GroupNorm without affine, per row and channel group: y = (x − mean)·rstd; stats
   * (rows × 2·groups) gets (mean, rstd) per group for the backward. y may be x.
   */
  groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void;
  /** dx = rstd·(dy − mean(dy) − y·mean(dy·y)) per group, from the forward's y and stats. dx may be dy. */
  groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void;
  /** Channel-planar rows (C·H·W: images, LC layers) → channels-last (H·W·C). */
  toChannelsLast(x: Mat, out: Mat, channels: number): void;
  /** Channels-last rows (H·W·C) → channel-planar (C·H·W). */
  toChannelsFirst(x: Mat, out: Mat, channels: number): void;
  /**
   * `count` channels of every position of the channels-last map src into channels of dst (the
   * same rows and positions): overwritten (beta 0) or added to (beta 1). dst must not share
   * memory with src. A grouped convolution's channel runs go out and in through it.
   */
  copyChannels(src: Mat, dst: Mat, o: ChannelCopy): void;

  // ---- elementwise and reductions (fused where the FF step needs it) -----------------------
  /** x ← x + bias (bias is 1×cols), then ReLU if relu. In place. */
  addBias(x: Mat, bias: Mat, relu: boolean): void;
  /** out[i] = Σ_j x[i,j]^power, power 1 or 2 (out is rows×1). */
  rowPowerSum(x: Mat, out: Mat, power: 1 | 2): void;
  /**
   * out = x / (eps + rms(row)) or x / (eps + ‖row‖). out may be x. With sumSq (rows×1), also
   * write each row's Σ x² there: the FF goodness falls out of the normalization for free.
   */
  normalizeRows(x: Mat, out: Mat, mode: RowNorm, eps: number, sumSq?: Mat): void;
  /**
   * The FF per-unit gradient: out[i,j] = coef[i]·y[i,j] (power 2) or coef[i]·[y[i,j] > 0]
   * (power 1). coef is rows×1. With beta, out ← beta·out + that.
   */
  scaleRows(y: Mat, coef: Mat, out: Mat, power: 1 | 2, beta?: number): void;
  /** x[i,j] += alpha·v[j] (v is 1×cols). In place. */
  addRowVector(x: Mat, v: Mat, alpha: number): void;
  /** out ← beta·out + alpha·Σ_i x[i,:] (out is 1×cols). */
  colSum(x: Mat, out: Mat, alpha: number, beta: number): void;
  /** Numerically stable row softmax; out may be x. */
  softmaxRows(x: Mat, out: Mat): void;
  /** out = dy where y > 0, else 0 (ReLU backward through its output). out may be dy. */
  reluBackward(dy: Mat, y: Mat, out: Mat): void;
  /** out = a·x + b·y elementwise; out may alias x or y. */
  axpby(a: number, x: Mat, b: number, y: Mat, out: Mat): void;
  /** out = x ⊙ y elementwise (exact to one float32 rounding); out may alias x or y. */
  multiply(x: Mat, y: Mat, out: Mat): void;
  /**
   * out[i,j] = x[i,j]·(1 + mul·n1) + add·n2, computed in double and rounded once to float32; a
   * zero mul or add leaves its term out. n1, n2 are approximately standard-normal numbers hashed
   * from (seed, stream, i·cols + j) — the index within x as passed, so a row view counts from its
   * own row 0 — with integer arithmetic only, so every backend gives the same bits (scheme:
   * perturbNoise in js-backend.ts). out may be x.
   */
  perturb(x: Mat, out: Mat, o: PerturbOptions): void;

  // ---- optimizers (in place on w and state; grad is the descent gradient dLoss/dw) ---------
  smoothStep(w: Mat, state: Mat, grad: Mat, o: SmoothStepOptions): void;
  /**
   * smoothStep's second half, for when the smoothed gradient is already in `state` (a gemm with
   * alpha = (1 − smoothing)·gradScale, beta = smoothing wrote it there):
   * w ← w − lr·(state + weightCost·w), one pass, in float32 arithmetic (every operation
   * rounded to float32, so all backends agree to the bit). w and state must not overlap.
   */
  smoothApply(w: Mat, state: Mat, lr: number, weightCost: number): void;
  momentumStep(w: Mat, velocity: Mat, grad: Mat, o: MomentumStepOptions): void;
  adamStep(w: Mat, m: Mat, v: Mat, grad: Mat, o: AdamStepOptions): void;

  // FF's per-minibatch maths (step-maths.ts has each one's reference and contract): nothing a
  // training step computes needs a read before the epoch ends. Labels are matrices of one
  // column holding whole numbers. Loss and error sums go to a Tally at the given slot.

  /** A Tally of `size` sums, all 0. CPU engines add in double, in row order. */
  tally(size: number): Tally;
  /** Its sums (the one read a training epoch needs). */
  readTally(t: Tally): Promise<Float64Array>;
  /** t[to + k] += t[from + k] / divisor for k < count (a step's own sums into the epoch's). */
  addTally(t: Tally, from: number, to: number, count: number, divisor: number): void;
  /** t[at .. at + count) = 0. */
  clearTally(t: Tally, at: number, count: number): void;
  /** grad = probs − onehot(labels); t[at] += Σ −log p(label), t[at+1] += misclassified rows. */
  crossEntropyGrad(probs: Mat, labels: Mat, grad: Mat, t: Tally, at: number): void;
  /** A label per row of probs into out (rows × 1), row i from draws[i] (a 32-bit number drawn by the host). */
  drawLabels(probs: Mat, truth: Mat, draws: Uint32Array, out: Mat, o: DrawLabelsOptions): void;
  /** Row i of x gets label labels[i] in its label units. */
  setLabelUnits(x: Mat, labels: Mat, u: LabelUnits): void;
  /** A row objective's coefficients (rows × 1) from the rows' raw goodness; loss at t[at], pair errors at t[at+1]. */
  rowCoefficients(g: Mat, coef: Mat, o: RowObjectiveOptions, t: Tally, at: number): void;
  /** The channel-group objective's coefficients (rows × N) from its group goodness and the labels. */
  groupCoefficients(G: Mat, labels: Mat, coef: Mat, temperature: number, dGdy: number, t: Tally, at: number): void;
  /** Peer normalization: the running means (1 × width) updated from colSum, the push (1 × width) from them. */
  peerPush(colSum: Mat, means: Mat, push: Mat, o: PeerOptions): void;
  /**
   * Dropout in place: x ← x·mask/(1 − rate), the mask hashed from (seed, stream, offset + element
   * index) with integer arithmetic, so every engine keeps the same elements and scales them to
   * the same bits; the same options again (on a gradient) apply the same mask (dropout-mask.ts).
   */
  dropout(x: Mat, o: DropoutOptions): void;
}

/** Sums kept on an engine across a training epoch (losses, error counts). */
export interface Tally {
  readonly size: number;
}

/**
 * Check the operands of a locally-connected kernel: `a` and `b` are its inputs and `out` its
 * output, in the order of the Engine method `what`. Throws one-line errors, like checkShape.
 */
export function checkLocalShapes(what: 'localForward' | 'localWeightGrad' | 'localInputGrad', a: Mat, b: Mat, out: Mat, g: LocalGeometry): void {
  checkLocalGeometry(g);
  const rows = a.rows; // x or dy: one row per case
  const fin = localInputSize(g);
  const fout = localOutputSize(g);
  const ws = localWeightShape(g);
  const shapes: [string, Mat, number, number][] =
    what === 'localForward'
      ? [['x', a, rows, fin], ['w', b, ws.rows, ws.cols], ['y', out, rows, fout]]
      : what === 'localWeightGrad'
        ? [['x', a, rows, fin], ['dy', b, rows, fout], ['dw', out, ws.rows, ws.cols]]
        : [['dy', a, rows, fout], ['w', b, ws.rows, ws.cols], ['dx', out, rows, fin]];
  for (const [name, m, r, c] of shapes) checkShape(`${what} ${name}`, m, r, c);
}

/** gemm's operands checked and its sizes: op(a) is m×k, op(b) k×n, c m×n (one-line errors). */
export function gemmShape(a: Mat, b: Mat, c: Mat, opts: GemmOptions): Required<GemmOptions> & { m: number; n: number; k: number } {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) throw new Error(`gemm: inner dimensions differ (${k} vs ${kb})`);
  checkShape('gemm output', c, m, n);
  return { transA, transB, alpha, beta, m, n, k };
}

/** Throw a one-line error when two shapes disagree; every backend checks the same way. */
export function checkShape(what: string, m: Mat, rows: number, cols: number): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new Error(`${what}: expected ${rows}×${cols}, got ${m.rows}×${m.cols}`);
  }
}

/** Throw a one-line error unless seed and stream are uint32 and mul and add finite. */
export function checkPerturbOptions(o: PerturbOptions): void {
  for (const key of ['seed', 'stream'] as const) {
    const v = o[key];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new Error(`perturb: ${key} must be an integer in [0, 4294967295], got ${String(v)}`);
    }
  }
  for (const key of ['mul', 'add'] as const) {
    if (!Number.isFinite(o[key])) throw new Error(`perturb: ${key} must be a finite number, got ${String(o[key])}`);
  }
}
