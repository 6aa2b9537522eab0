// A trainable tensor with its optimizer state, shared by FF, its softmax head and backprop.
import type { Engine, Mat } from '../engine/engine.js';
import type { OptimizerConfig } from '../ff/config.js';

export class Param {
  readonly state: Mat[];
  /** Adam's step count (bias correction). */
  steps = 0;

  constructor(
    readonly name: string,
    readonly value: Mat,
    private readonly engine: Engine,
    private readonly opt: OptimizerConfig,
  ) {
    const n = opt.optimizer === 'adam' ? 2 : 1;
    this.state = Array.from({ length: n }, () => engine.zeros(value.rows, value.cols));
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
  }
}

/** Learning-rate gain for 1-based epoch e of E. */
export function scheduleGain(kind: OptimizerConfig['schedule'], epoch: number, epochs: number): number {
  switch (kind) {
    case 'constant':
      return 1;
    case 'linear':
      // Decays to zero over the run (the recurrent-net recipe of the talk).
      return (epochs - epoch + 1) / epochs;
    case 'hinton':
      // ffnew.m: constant for the first half, then linear decay to ~0.
      return epoch <= epochs / 2 ? 1 : (1 + 2 * (epochs - epoch)) / epochs;
  }
}
