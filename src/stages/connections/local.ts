// A locally-connected (LC) connection: every unit of an H×W map sees its own K×K window of the
// source map, no weight sharing (layout: engine/local-geometry.ts; kernels: Engine.local*).
import type { Engine, Mat, ScaleOptions } from '../../engine/engine.js';
import { describeLocal, initLocalWeights, localInputSize, localOutputSize, localWeightShape, type LocalGeometry } from '../../engine/local-geometry.js';
import type { Rng } from '../../engine/rng.js';
import { Param } from '../../train/optimizer.js';
import type { RunConfig } from '../../train/run-config.js';
import type { ConnectionKind } from './connection-kind.js';

export class LocalConnection implements ConnectionKind {
  readonly name = 'local';
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(
    private readonly engine: Engine,
    readonly geometry: LocalGeometry,
  ) {
    this.inputSize = localInputSize(geometry);
    this.outputSize = localOutputSize(geometry);
  }

  /** "32×32×3 → 32×32×3, window 11". */
  describe(): string {
    return describeLocal(this.geometry);
  }

  createWeight(name: string, engine: Engine, opt: RunConfig, rng: Rng): Param {
    const shape = localWeightShape(this.geometry);
    const w = initLocalWeights(this.geometry, () => rng.normal());
    return new Param(name, engine.fromArray(w, shape.rows, shape.cols), engine, opt);
  }

  forward(x: Mat, w: Mat, y: Mat, beta: 0 | 1): void {
    this.engine.localForward(x, w, y, this.geometry, { beta });
  }

  /** Σ_rows x_window ⊗ dy, unit by unit. */
  weightGradient(x: Mat, dy: Mat, dw: Mat, opts?: ScaleOptions): void {
    this.engine.localWeightGrad(x, dy, dw, this.geometry, opts);
  }

  inputGradient(dy: Mat, w: Mat, dx: Mat): void {
    this.engine.localInputGrad(dy, w, dx, this.geometry);
  }
}
