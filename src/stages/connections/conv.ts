// A weight-shared convolution: K×K kernels with stride and zero padding over a channels-last
// (H·W·C) source map, one (K·K·C_in) × C_out weight for every position (layout and the three
// products: engine/conv-geometry.ts). forward: im2col → gemm; weight gradient: the patches
// transposed times dy; input gradient: dy·Wᵀ → col2im. The patch matrix is the connection's
// scratch, one per row count (rebuilt from x for the weight gradient, which may see other rows).
// With G channel groups each group's channels are copied out of the maps (copyChannels), run
// through the same three products with its own rows of the weight, and copied back.
import type { Engine, Mat, ScaleOptions } from '../../engine/engine.js';
import { checkPatchGeometry, convGroups, convOutputSize, convWeightShape, describePatch, groupGeometry, patchInputSize, patchPositions, patchSize, type ConvGeometry } from '../../engine/conv-geometry.js';
import type { Rng } from '../../engine/rng.js';
import { Param } from '../../train/optimizer.js';
import type { RunConfig } from '../../train/run-config.js';
import type { ConnectionKind, Scratch } from './connection-kind.js';

export class ConvConnection implements ConnectionKind {
  readonly name = 'conv';
  readonly inputSize: number;
  readonly outputSize: number;
  /** Channel groups (1: an ordinary convolution), and one group's own geometry. */
  private readonly groups: number;
  private readonly group: ConvGeometry;

  constructor(
    private readonly engine: Engine,
    readonly geometry: ConvGeometry,
    /** The layer's scratch matrices, under names unique to this connection. */
    private readonly scratch: Scratch,
  ) {
    checkPatchGeometry(geometry);
    this.inputSize = patchInputSize(geometry);
    this.outputSize = convOutputSize(geometry);
    this.groups = convGroups(geometry);
    this.group = groupGeometry(geometry);
  }

  /** "32×32×3, 3×3 stride 1 pad 1 (→ 32×32×64)". */
  describe(): string {
    return describePatch(this.geometry);
  }

  createWeight(name: string, engine: Engine, opt: RunConfig, rng: Rng): Param {
    const { rows, cols } = convWeightShape(this.geometry);
    // ffnew.m's 1/sqrt(fan-in): a unit sees K·K·C_in/G inputs.
    const w = rng.fillNormal(new Float32Array(rows * cols), 1 / Math.sqrt(patchSize(this.group)));
    return new Param(name, engine.fromArray(w, rows, cols), engine, opt);
  }

  /** The patches of x's rows: (n·Ho·Wo) × (K·K·C), for the geometry g (the whole map's or a group's). */
  private patches(x: Mat, g: ConvGeometry = this.geometry): Mat {
    const cols = this.scratch('patches', x.rows * patchPositions(g), patchSize(g));
    this.engine.im2col(x, cols, g);
    return cols;
  }

  /** n × (Ho·Wo·C) rows read as (n·Ho·Wo) × C, one row per position. */
  private perPosition(y: Mat, channels = this.geometry.outChannels): Mat {
    return this.engine.reshape(y, y.rows * patchPositions(this.geometry), channels);
  }

  forward(x: Mat, w: Mat, y: Mat, beta: 0 | 1): void {
    if (this.groups === 1) return this.engine.gemm(this.patches(x), w, this.perPosition(y), { beta });
    for (let k = 0; k < this.groups; k++) {
      const yk = this.scratch('group-out', y.rows, this.outputSize / this.groups);
      this.engine.gemm(this.patches(this.inputGroup(x, k), this.group), this.groupWeight(w, k), this.perPosition(yk, this.group.outChannels));
      this.engine.copyChannels(yk, y, this.toOutput(k, beta));
    }
  }

  weightGradient(x: Mat, dy: Mat, dw: Mat, opts?: ScaleOptions): void {
    if (this.groups === 1) return this.engine.gemm(this.patches(x), this.perPosition(dy), dw, { transA: true, ...opts });
    for (let k = 0; k < this.groups; k++) {
      const dyk = this.outputGroup(dy, k);
      this.engine.gemm(this.patches(this.inputGroup(x, k), this.group), this.perPosition(dyk, this.group.outChannels), this.groupWeight(dw, k), { transA: true, ...opts });
    }
  }

  inputGradient(dy: Mat, w: Mat, dx: Mat): void {
    if (this.groups === 1) {
      const dcols = this.scratch('patch-gradients', dy.rows * patchPositions(this.geometry), patchSize(this.geometry));
      this.engine.gemm(this.perPosition(dy), w, dcols, { transB: true });
      return this.engine.col2im(dcols, dx, this.geometry);
    }
    const g = this.group;
    for (let k = 0; k < this.groups; k++) {
      const dcols = this.scratch('patch-gradients', dy.rows * patchPositions(g), patchSize(g));
      this.engine.gemm(this.perPosition(this.outputGroup(dy, k), g.outChannels), this.groupWeight(w, k), dcols, { transB: true });
      const dxk = this.scratch('group-in', dx.rows, this.inputSize / this.groups);
      this.engine.col2im(dcols, dxk, g);
      this.engine.copyChannels(dxk, dx, { srcChannels: g.channels, dstChannels: this.geometry.channels, srcStart: 0, dstStart: k * g.channels, count: g.channels, beta: 0 });
    }
  }

  /** Group k's weight (or weight gradient): its K·K·C_in/G rows. */
  private groupWeight(w: Mat, k: number): Mat {
    const rows = patchSize(this.group);
    return this.engine.rowView(w, k * rows, rows);
  }

  /** Group k's input channels of x, as a map of their own (a scratch copy). */
  private inputGroup(x: Mat, k: number): Mat {
    const g = this.group;
    const xk = this.scratch('group-in', x.rows, this.inputSize / this.groups);
    this.engine.copyChannels(x, xk, { srcChannels: this.geometry.channels, dstChannels: g.channels, srcStart: k * g.channels, dstStart: 0, count: g.channels, beta: 0 });
    return xk;
  }

  /** Group k's output channels of dy, as a map of their own (a scratch copy). */
  private outputGroup(dy: Mat, k: number): Mat {
    const g = this.group;
    const dyk = this.scratch('group-out', dy.rows, this.outputSize / this.groups);
    this.engine.copyChannels(dy, dyk, { srcChannels: this.geometry.outChannels, dstChannels: g.outChannels, srcStart: k * g.outChannels, dstStart: 0, count: g.outChannels, beta: 0 });
    return dyk;
  }

  /** Where group k's output channels go in the layer's map. */
  private toOutput(k: number, beta: 0 | 1) {
    const g = this.group;
    return { srcChannels: g.outChannels, dstChannels: this.geometry.outChannels, srcStart: 0, dstStart: k * g.outChannels, count: g.outChannels, beta };
  }
}
