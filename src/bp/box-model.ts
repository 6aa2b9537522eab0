// What backprop believes about a black box's backward pass (SPEC §7). FF needs none; backprop
// must send a gradient through the box somehow:
//   oracle   — the true derivative (relu'(out) ⊙ dy)·Mᵀ: what real hardware would not give;
//   identity — the box taken for the identity: dx = dy;
//   stale    — the true matrix as measured once, at the start (it has drifted since);
//   learned  — a differentiable model relu(x·A) fitted online to the box's inputs and outputs
//              (squared error, SGD, one step per minibatch), backpropagated instead of the box:
//              a digital twin, as physics-aware training does.
import type { Engine, Mat } from '../engine/engine.js';
import type { BlackBox } from '../stages/black-box.js';

export type BoxModelKind = 'oracle' | 'identity' | 'stale' | 'learned';

export interface BoxModel {
  readonly kind: BoxModelKind;
  /** dx from dy (the descent gradient at the box's output), for rows whose box input was x and output y. */
  backward(dy: Mat, x: Mat, y: Mat, dx: Mat): void;
  /** After a training forward pass: what the model may learn from the box's inputs and outputs. */
  observe(x: Mat, y: Mat, lr: number): void;
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
      return { kind, backward: (dy, _x, _y, dx) => engine.copy(dy, dx), observe: () => {}, tensors: new Map() };
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

  observe(): void {}
}

/** A twin relu(x·A) of the box, fitted to what the box did: A ← A − lr·xᵀ((ŷ − y) ⊙ [ŷ > 0])/rows. */
class LearnedModel implements BoxModel {
  readonly kind = 'learned';
  readonly tensors: Map<string, Mat>;
  private readonly a: Mat;
  private readonly zeroBias: Mat;
  private predicted: Mat | null = null;
  private residual: Mat | null = null;
  private gated: Mat | null = null;
  private readonly grad: Mat;

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
    this.tensors = new Map([['box.model.weight', this.a]]);
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

  observe(x: Mat, y: Mat, lr: number): void {
    const e = this.engine;
    const p = this.predict(x);
    const r = e.rowView((this.residual = grow(e, this.residual, x.rows, this.width)), 0, x.rows);
    e.axpby(1, p, -1, y, r);
    e.reluBackward(r, p, r);
    e.gemm(x, r, this.grad, { transA: true, alpha: 1 / x.rows });
    e.axpby(1, this.a, -lr, this.grad, this.a);
  }
}

/** A scratch matrix of at least `rows` rows. */
function grow(e: Engine, m: Mat | null, rows: number, cols: number): Mat {
  if (m && m.rows >= rows) return m;
  if (m) e.dispose(m);
  return e.zeros(rows, cols);
}
