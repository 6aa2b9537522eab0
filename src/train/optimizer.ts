// A trainable tensor with its optimizer state, shared by FF, its softmax head and backprop.
import type { Engine, GemmOptions, Mat } from '../engine/engine.js';
import type { OptimizerConfig } from './run-config.js';

export class Param {
  readonly state: Mat[];
  /** Adam's step count (bias correction). */
  steps = 0;
  /**
   * Masked (sparse) connections: 1 where a weight exists, 0 elsewhere. Weights off the mask
   * are zeroed after every update, so they stay 0 whatever the optimizer's state holds.
   */
  private mask: Mat | null = null;

  constructor(
    readonly name: string,
    readonly value: Mat,
    private readonly engine: Engine,
    private readonly opt: OptimizerConfig,
  ) {
    const n = opt.optimizer === 'adam' ? 2 : 1;
    this.state = Array.from({ length: n }, () => engine.zeros(value.rows, value.cols));
  }

  /** Keep only the weights where `mask` is 1 (from now on, after every update). */
  restrictTo(mask: Mat): void {
    if (mask.rows !== this.value.rows || mask.cols !== this.value.cols) {
      throw new Error(`${this.name}: a ${mask.rows}×${mask.cols} mask for a ${this.value.rows}×${this.value.cols} tensor`);
    }
    this.mask = mask;
    this.engine.multiply(this.value, mask, this.value);
  }

  private applyMask(): void {
    if (this.mask) this.engine.multiply(this.value, this.mask, this.value);
  }

  /** The 'smooth' update from the smoothed gradient already in state[0] (then the mask). */
  private applySmoothed(lr: number, weightCost: number): void {
    this.engine.smoothApply(this.value, this.state[0], lr, weightCost);
    this.applyMask();
  }

  /**
   * One descent step from a SUMMED gradient (gradScale turns it into a mean).
   * lr already includes the schedule's gain; weightCost is the L2 pull toward zero.
   */
  step(grad: Mat, lr: number, gradScale: number, weightCost: number): void {
    const e = this.engine;
    const o = this.opt;
    switch (o.optimizer) {
      case 'smooth':
        e.smoothStep(this.value, this.state[0], grad, { gradScale, smoothing: o.smoothing, lr, weightCost });
        break;
      case 'momentum':
        e.momentumStep(this.value, this.state[0], grad, { gradScale, momentum: o.momentum, lr, weightCost });
        break;
      case 'adam':
        this.steps++;
        e.adamStep(this.value, this.state[0], this.state[1], grad, {
          gradScale,
          lr,
          beta1: o.adamBeta1,
          beta2: o.adamBeta2,
          eps: o.adamEps,
          step: this.steps,
          weightCost,
        });
        break;
    }
    this.applyMask();
  }

  /**
   * step() for the SUMMED gradient op(a)·op(b). With the 'smooth' optimizer the product goes
   * straight into the smoothed-gradient state (state ← s·state + (1 − s)·gradScale·op(a)·op(b)
   * is one gemm with alpha = (1 − s)·gradScale, beta = s), then one pass over w and the state
   * (Engine.smoothApply): no gradient buffer, no separate smoothing pass. The other
   * optimizers put the product into `grad()` (a scratch matrix shaped like the value) and step.
   */
  stepProduct(a: Mat, b: Mat, ops: Pick<GemmOptions, 'transA' | 'transB'>, lr: number, gradScale: number, weightCost: number, grad: () => Mat): void {
    const o = this.opt;
    if (o.optimizer === 'smooth') {
      this.engine.gemm(a, b, this.state[0], { ...ops, alpha: (1 - o.smoothing) * gradScale, beta: o.smoothing });
      this.applySmoothed(lr, weightCost);
    } else {
      const g = grad();
      this.engine.gemm(a, b, g, ops);
      this.step(g, lr, gradScale, weightCost);
    }
  }

  /** Gradient scale of the pending accumulation (non-smooth optimizers apply it in step()). */
  private pendingScale = 0;
  private pendingGrad: Mat | null = null;

  /**
   * Adds the SUMMED gradient op(a)·op(b) to this step's gradient; `first` starts a step. For
   * one call followed by applyAccumulated() this is exactly stepProduct(); the recurrent FF
   * net calls it once per iteration (gradients from every iteration, one update).
   */
  accumulateProduct(a: Mat, b: Mat, ops: Pick<GemmOptions, 'transA' | 'transB'>, gradScale: number, first: boolean, grad: () => Mat): void {
    const o = this.opt;
    if (o.optimizer === 'smooth') {
      this.engine.gemm(a, b, this.state[0], { ...ops, alpha: (1 - o.smoothing) * gradScale, beta: first ? o.smoothing : 1 });
    } else {
      const g = (this.pendingGrad = grad());
      this.engine.gemm(a, b, g, { ...ops, beta: first ? 0 : 1 });
      this.pendingScale = gradScale;
    }
  }

  /**
   * accumulateProduct() for any summed gradient that a kernel can write as
   * out ← alpha·gradient + beta·out (a locally-connected connection's localWeightGrad).
   */
  accumulateWith(write: (out: Mat, alpha: number, beta: number) => void, gradScale: number, first: boolean, grad: () => Mat): void {
    const o = this.opt;
    if (o.optimizer === 'smooth') {
      write(this.state[0], (1 - o.smoothing) * gradScale, first ? o.smoothing : 1);
    } else {
      const g = (this.pendingGrad = grad());
      write(g, 1, first ? 0 : 1);
      this.pendingScale = gradScale;
    }
  }

  /** accumulateProduct() for the summed gradient Σ_i x[i,:] (a bias). */
  accumulateColSum(x: Mat, gradScale: number, first: boolean, grad: () => Mat): void {
    const o = this.opt;
    if (o.optimizer === 'smooth') {
      this.engine.colSum(x, this.state[0], (1 - o.smoothing) * gradScale, first ? o.smoothing : 1);
    } else {
      const g = (this.pendingGrad = grad());
      this.engine.colSum(x, g, 1, first ? 0 : 1);
      this.pendingScale = gradScale;
    }
  }

  /** The update from what accumulateProduct/accumulateColSum gathered. */
  applyAccumulated(lr: number, weightCost: number): void {
    if (this.opt.optimizer === 'smooth') {
      this.applySmoothed(lr, weightCost);
      return;
    }
    if (!this.pendingGrad) throw new Error(`${this.name}: no gradient accumulated`);
    this.step(this.pendingGrad, lr, this.pendingScale, weightCost);
    this.pendingGrad = null;
  }

  /** step() for the summed gradient Σ_i x[i,:] (a bias), fused like stepProduct. */
  stepColSum(x: Mat, lr: number, gradScale: number, weightCost: number, grad: () => Mat): void {
    const o = this.opt;
    if (o.optimizer === 'smooth') {
      this.engine.colSum(x, this.state[0], (1 - o.smoothing) * gradScale, o.smoothing);
      this.applySmoothed(lr, weightCost);
    } else {
      const g = grad();
      this.engine.colSum(x, g, 1, 0);
      this.step(g, lr, gradScale, weightCost);
    }
  }
}

/**
 * Learning-rate gain at fraction `t` ∈ [0, 1) of the run (a function of the step, like
 * nanoGPT's get_lr(it), so one-epoch runs anneal too). Callers pass the middle of the step:
 * averaged over an epoch this equals ffnew.m's per-epoch gain. `floor` is read by cosine only.
 */
export function scheduleGain(kind: OptimizerConfig['schedule'], t: number, floor = 0.1): number {
  switch (kind) {
    case 'cosine':
      // Half a cosine from 1 down to `floor` (--lr-floor; the DeeperForward recipe: 0.08 → 0.008).
      return floor + ((1 - floor) * (1 + Math.cos(Math.PI * t))) / 2;
    case 'constant':
      return 1;
    case 'linear':
      // Decays to zero over the run (the recurrent-net recipe of the talk).
      return 1 - t;
    case 'hinton':
      // ffnew.m: constant for the first half, then linear decay to 0 (per epoch: (1+2(E−e))/E).
      return Math.min(1, 2 * (1 - t));
  }
}
