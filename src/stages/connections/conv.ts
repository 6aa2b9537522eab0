// A weight-shared convolution: K×K kernels with stride and zero padding over a channels-last
// (H·W·C) source map, one (K·K·C_in) × C_out weight for every position (layout and the three
// products: engine/conv-geometry.ts). forward: im2col → gemm; weight gradient: the patches
// transposed times dy; input gradient: dy·Wᵀ → col2im. The patch matrix is the connection's
// scratch, one per row count (rebuilt from x for the weight gradient, which may see other rows).
import type { Engine, Mat, ScaleOptions } from '../../engine/engine.js';
import { checkPatchGeometry, convOutputSize, convWeightShape, describePatch, patchInputSize, patchPositions, patchSize, type ConvGeometry } from '../../engine/conv-geometry.js';
import type { Rng } from '../../engine/rng.js';
import { Param } from '../../train/optimizer.js';
import type { RunConfig } from '../../train/run-config.js';
import type { ConnectionKind, Scratch } from './connection-kind.js';

export class ConvConnection implements ConnectionKind {
  readonly name = 'conv';
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(
    private readonly engine: Engine,
    readonly geometry: ConvGeometry,
    /** The layer's scratch matrices, under names unique to this connection. */
    private readonly scratch: Scratch,
  ) {
    checkPatchGeometry(geometry);
    this.inputSize = patchInputSize(geometry);
    this.outputSize = convOutputSize(geometry);
  }

  /** "32×32×3, 3×3 stride 1 pad 1 (→ 32×32×64)". */
  describe(): string {
    return describePatch(this.geometry);
  }

  createWeight(name: string, engine: Engine, opt: RunConfig, rng: Rng): Param {
    const { rows, cols } = convWeightShape(this.geometry);
    // ffnew.m's 1/sqrt(fan-in): a unit sees K·K·C_in inputs.
    const w = rng.fillNormal(new Float32Array(rows * cols), 1 / Math.sqrt(rows));
    return new Param(name, engine.fromArray(w, rows, cols), engine, opt);
  }

  /** The patches of x's rows: (n·Ho·Wo) × (K·K·C_in). */
  private patches(x: Mat): Mat {
    const cols = this.scratch('patches', x.rows * patchPositions(this.geometry), patchSize(this.geometry));
    this.engine.im2col(x, cols, this.geometry);
    return cols;
  }

  /** n × (Ho·Wo·C_out) rows read as (n·Ho·Wo) × C_out, one row per position. */
  private perPosition(y: Mat): Mat {
    return this.engine.reshape(y, y.rows * patchPositions(this.geometry), this.geometry.outChannels);
  }

  forward(x: Mat, w: Mat, y: Mat, beta: 0 | 1): void {
    this.engine.gemm(this.patches(x), w, this.perPosition(y), { beta });
  }

  weightGradient(x: Mat, dy: Mat, dw: Mat, opts?: ScaleOptions): void {
    this.engine.gemm(this.patches(x), this.perPosition(dy), dw, { transA: true, ...opts });
  }

  inputGradient(dy: Mat, w: Mat, dx: Mat): void {
    const dcols = this.scratch('patch-gradients', dy.rows * patchPositions(this.geometry), patchSize(this.geometry));
    this.engine.gemm(this.perPosition(dy), w, dcols, { transB: true });
    this.engine.col2im(dcols, dx, this.geometry);
  }
}
