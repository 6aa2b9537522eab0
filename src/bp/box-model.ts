// What backprop believes about a black box's backward pass (SPEC §7). FF needs none; backprop
// must send a gradient through the box somehow:
//   oracle   — the true derivative (relu'(out) ⊙ dy)·Mᵀ: what real hardware would not give;
//   identity — the box taken for the identity: dx = dy;
//   stale    — the true matrix as measured once, at the start (it has drifted since);
//   learned  — a differentiable model relu(x·A) fitted online to the box's inputs and outputs
//              (recursive least squares with forgetting), backpropagated instead of the box:
//              a digital twin, as physics-aware training does.
import type { Engine, Mat } from '../engine/engine.js';
import type { BlackBox } from '../stages/black-box.js';

export type BoxModelKind = 'oracle' | 'identity' | 'stale' | 'learned';

export interface BoxModel {
  readonly kind: BoxModelKind;
  /** dx from dy (the descent gradient at the box's output), for rows whose box input was x and output y. */
  backward(dy: Mat, x: Mat, y: Mat, dx: Mat): void;
  /**
   * After a training forward pass: what the model may learn from the box's inputs and outputs.
   * Resolves with the model's relative error ‖ŷ − y‖/‖y‖ on them (learned models; else null).
   */
  observe(x: Mat, y: Mat, lr: number): Promise<number | null>;
  /** The model's own tensors for checkpoints (name → matrix). */
  readonly tensors: Map<string, Mat>;
}

/** The backward model `kind` of `box`, made at the start of training. */
export function boxModelFor(kind: BoxModelKind, box: BlackBox, engine: Engine, seed: () => number): BoxModel {
  switch (kind) {
    case 'oracle':
      return new MatrixModel('oracle', engine, box.width, () => box.revealMatrix(), new Map());
    case 'stale': {
      // Calibrated once: a copy of the matrix as it was before any drift.
      const copy = engine.zeros(box.width, box.width);
      engine.copy(box.revealMatrix(), copy);
      return new MatrixModel('stale', engine, box.width, () => copy, new Map([['box.model.stale', copy]]));
    }
    case 'identity':
      return { kind, backward: (dy, _x, _y, dx) => engine.copy(dy, dx), observe: async () => null, tensors: new Map() };
    case 'learned':
      return new LearnedModel(engine, box.width, seed);
  }
}

/** dx = (dy ⊙ [y > 0])·Mᵀ for a matrix M the model believes in. */
class MatrixModel implements BoxModel {
  private gated: Mat | null = null;
  constructor(
    readonly kind: BoxModelKind,
    private readonly engine: Engine,
    private readonly width: number,
    private readonly matrix: () => Mat,
    readonly tensors: Map<string, Mat>,
  ) {}

  backward(dy: Mat, _x: Mat, y: Mat, dx: Mat): void {
    const e = this.engine;
    const g = e.rowView((this.gated = grow(e, this.gated, dy.rows, this.width)), 0, dy.rows);
    e.reluBackward(dy, y, g);
    e.gemm(g, this.matrix(), dx, { transB: true });
  }

  async observe(): Promise<null> {
    return null;
  }
}

/**
 * A twin relu(x·A) of the box, fitted to what the box did by recursive least squares with
 * forgetting: A = (C + λI)⁻¹·D, where C and D are running means of xᵀx and xᵀt over the
 * minibatches seen (about the last 100). The linear targets t are what the box's outputs say
 * of its total inputs: y where the box answered y > 0; where it answered 0, only that the total
 * input was ≤ 0, so the twin's own value clipped to ≤ 0. (Plain gradient steps crawl: hidden
 * activities are strongly correlated, and the fit is ill-conditioned.) Until C has seen
 * REFRESH minibatches, normalized gradient steps instead.
 */
class LearnedModel implements BoxModel {
  readonly kind = 'learned';
  readonly tensors: Map<string, Mat>;
  private readonly a: Mat;
  private readonly zeroBias: Mat;
  private predicted: Mat | null = null;
  private pre: Mat | null = null;
  private target: Mat | null = null;
  private residual: Mat | null = null;
  private gated: Mat | null = null;
  private sums: Mat | null = null;
  private readonly grad: Mat;
  private readonly cov: Mat;
  private readonly cross: Mat;
  private readonly precond: Mat;
  /** Steps observed so far (a 1×1 tensor, so that a resumed run refreshes when it would have). */
  private readonly meta: Mat;

  constructor(
    private readonly engine: Engine,
    private readonly width: number,
    normal: () => number,
  ) {
    // Starts as a random guess of the box's kind, not as the box.
    const init = new Float32Array(width * width);
    for (let i = 0; i < init.length; i++) init[i] = normal() / Math.sqrt(width);
    this.a = engine.fromArray(init, width, width);
    this.zeroBias = engine.zeros(1, width);
    this.grad = engine.zeros(width, width);
    this.cov = engine.zeros(width, width);
    this.cross = engine.zeros(width, width);
    this.precond = engine.zeros(width, width);
    this.meta = engine.zeros(1, 1);
    this.tensors = new Map([
      ['box.model.weight', this.a],
      ['box.model.cov', this.cov],
      ['box.model.cross', this.cross],
      ['box.model.precond', this.precond],
      ['box.model.steps', this.meta],
    ]);
  }

  /** ŷ = relu(x·A) into the scratch, for the rows of x. */
  private predict(x: Mat): Mat {
    const e = this.engine;
    const p = e.rowView((this.predicted = grow(e, this.predicted, x.rows, this.width)), 0, x.rows);
    e.gemm(x, this.a, p);
    e.addBias(p, this.zeroBias, true);
    return p;
  }

  backward(dy: Mat, x: Mat, _y: Mat, dx: Mat): void {
    const e = this.engine;
    const p = this.predict(x);
    const g = e.rowView((this.gated = grow(e, this.gated, dy.rows, this.width)), 0, dy.rows);
    e.reluBackward(dy, p, g);
    e.gemm(g, this.a, dx, { transB: true });
  }

  async observe(x: Mat, y: Mat, lr: number): Promise<number> {
    const e = this.engine;
    const rows = x.rows;
    const w = this.width;
    const n = (await e.read(this.meta))[0];
    e.fill(this.meta, n + 1);
    const view = (m: Mat | null, slot: 'pre' | 'target' | 'residual') => {
      const grown = grow(e, m, rows, w);
      this[slot] = grown;
      return e.rowView(grown, 0, rows);
    };
    // Total inputs z = x·A, outputs ŷ = relu(z), residual ŷ − y (the fit, reported).
    const z = view(this.pre, 'pre');
    e.gemm(x, this.a, z);
    const yHat = this.predict(x);
    const r = view(this.residual, 'residual');
    e.axpby(1, yHat, -1, y, r);
    // Targets t = y + min(z, 0)·[y = 0].
    const t = view(this.target, 'target');
    e.axpby(1, z, -1, yHat, t); // min(z, 0)
    e.reluBackward(t, y, z); // …where y > 0 (z is free now)
    e.axpby(1, t, -1, z, t); // min(z, 0) where y = 0
    e.axpby(1, t, 1, y, t);
    // C ← β·C + (1 − β)·xᵀx/rows, D likewise with xᵀt (the first step: no memory).
    const keep = n === 0 ? 0 : COV_DECAY;
    e.gemm(x, x, this.cov, { transA: true, alpha: (1 - keep) / rows, beta: keep });
    e.gemm(x, t, this.cross, { transA: true, alpha: (1 - keep) / rows, beta: keep });
    this.sums = grow(e, this.sums, 3 * rows, 1);
    e.rowPowerSum(x, e.rowView(this.sums, 0, rows), 2);
    e.rowPowerSum(r, e.rowView(this.sums, rows, rows), 2);
    e.rowPowerSum(y, e.rowView(this.sums, 2 * rows, rows), 2);
    const s = await e.read(e.rowView(this.sums, 0, 3 * rows));
    let xx = 0, rr = 0, yy = 0;
    for (let i = 0; i < rows; i++) {
      xx += s[i];
      rr += s[rows + i];
      yy += s[2 * rows + i];
    }
    if (n + 1 < REFRESH) {
      // Normalized gradient step on ½‖ŷ − y‖² (ungated: a unit the twin has off but the box on is pushed on).
      e.gemm(x, r, this.grad, { transA: true, alpha: 1 / rows });
      if (xx > 0) e.axpby(1, this.a, -lr / (xx / rows), this.grad, this.a);
    } else {
      // Every REFRESH steps: P = (C + λI)⁻¹ and A ← (1 − lr)·A + lr·P·D (lr 1: the least-squares
      // solution itself). P and D from the same moments: a P older than D fits worse than none.
      if ((n + 1) % REFRESH === 0) {
        e.write(this.precond, regularizedInverse(await e.read(this.cov), w));
        e.gemm(this.precond, this.cross, this.grad);
        e.axpby(1 - lr, this.a, lr, this.grad, this.a);
      }
    }
    return yy > 0 ? Math.sqrt(rr / yy) : 0; // the fit before this step: ‖ŷ − y‖/‖y‖
  }
}

/** Memory of the running moments (about 100 minibatches). */
const COV_DECAY = 0.99;
/** Minibatches between least-squares solves (each inverts C on the host: O(width³)). */
const REFRESH = 100;

/**
 * (C + λI)⁻¹ with λ = 1e-2 · mean diagonal (+ a floor), by Cholesky in float64. λ bounds the
 * step along directions the inputs have hardly visited yet (at most 100× the mean).
 */
export function regularizedInverse(c: Float32Array, n: number): Float32Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += c[i * n + i];
  const lambda = 1e-2 * (trace / n) + 1e-8;
  // L Lᵀ = C + λI (lower triangle, row-major).
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0.5 * (c[i * n + j] + c[j * n + i]) + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-30)) : sum / L[j * n + j];
    }
  }
  // M = L⁻¹ (lower), then C⁻¹ = Mᵀ M.
  const M = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    M[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= L[i * n + k] * M[k * n + j];
      M[i * n + j] = sum / L[i * n + i];
    }
  }
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += M[k * n + i] * M[k * n + j];
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return out;
}

/** A scratch matrix of at least `rows` rows. */
function grow(e: Engine, m: Mat | null, rows: number, cols: number): Mat {
  if (m && m.rows >= rows) return m;
  if (m) e.dispose(m);
  return e.zeros(rows, cols);
}
