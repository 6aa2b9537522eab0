// A dense connection: fanIn × width weights, y = x·W. A 0/1 mask (grid nets) keeps it sparse:
// the weights off the mask start at 0 and stay there (Param.restrictTo).
import type { Engine, Mat, ScaleOptions } from '../../engine/engine.js';
import type { Rng } from '../../engine/rng.js';
import { maskFanIn } from '../../train/grid-maps.js';
import { Param } from '../../train/optimizer.js';
import type { RunConfig } from '../../train/run-config.js';
import type { ConnectionKind } from './connection-kind.js';

export class DenseConnection implements ConnectionKind {
  readonly name = 'dense';

  constructor(
    private readonly engine: Engine,
    readonly inputSize: number,
    readonly outputSize: number,
    /** 0/1, inputSize × outputSize, or none. */
    readonly mask?: Float32Array,
  ) {}

  createWeight(name: string, engine: Engine, opt: RunConfig, rng: Rng): Param {
    const { inputSize: fanIn, outputSize: width, mask } = this;
    // A masked connection's fan-in: the inputs a unit really sees.
    const w = rng.fillNormal(new Float32Array(fanIn * width), 1 / Math.sqrt(mask ? maskFanIn(mask, width) : fanIn));
    const weight = new Param(name, engine.fromArray(w, fanIn, width), engine, opt);
    if (mask) weight.restrictTo(engine.fromArray(mask, fanIn, width));
    return weight;
  }

  forward(x: Mat, w: Mat, y: Mat, beta: 0 | 1): void {
    if (beta === 0) this.engine.gemm(x, w, y);
    else this.engine.gemm(x, w, y, { beta });
  }

  weightGradient(x: Mat, dy: Mat, dw: Mat, opts?: ScaleOptions): void {
    this.engine.gemm(x, dy, dw, { transA: true, ...opts });
  }

  inputGradient(dy: Mat, w: Mat, dx: Mat): void {
    this.engine.gemm(dy, w, dx, { transB: true });
  }
}
