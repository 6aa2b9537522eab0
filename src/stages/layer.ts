// A learnable stage (SPEC §7): a hidden layer as both algorithms see it — its incoming
// connections (each a weight matrix from a source, dense, masked or locally connected), its
// bias, its forward as a feed-forward stage (on the analog chip when there is one) and
// backprop's backward through it. How the gradient reaching it is made is the learner's:
// FF's layer rule (ff/ff-layer.ts, a subclass) from the layer's own goodness, backprop's from
// the error above (bp/bp-net.ts). Both then gather it with `accumulate` or `backward` and
// apply it through the layer's Params.
import type { Engine, Mat } from '../engine/engine.js';
import { describeLocal, initLocalWeights, localInputSize, localOutputSize, localWeightShape, type LocalGeometry } from '../engine/local-geometry.js';
import type { Rng } from '../engine/rng.js';
import { maskFanIn } from '../train/grid-maps.js';
import { Param } from '../train/optimizer.js';
import type { RunConfig } from '../train/run-config.js';
import type { NetStages } from './net-stages.js';

/** Where a connection's input comes from. */
export type SourceKind =
  | 'input' // the (normalized) image
  | 'below' // the (normalized) state of the layer below, or a box's output
  | 'above' // the normalized state of the layer above, at the previous time step
  | 'self' // this layer's own normalized state, at the previous time step
  | 'label'; // the clamped one-of-N label layer (recurrent net), or separate label units

/** A connection into the layer: dense (fanIn × width weights) or locally connected (LC). */
export type Connection =
  | { source: SourceKind; kind: 'dense'; weight: Param }
  | { source: SourceKind; kind: 'local'; geometry: LocalGeometry; weight: Param };

/**
 * What the layer is told about one incoming connection: `local` makes it locally connected;
 * `mask` (0/1, fanIn × width) keeps a dense connection sparse (grid nets).
 */
export interface IncomingSpec {
  source: SourceKind;
  fanIn: number;
  local?: LocalGeometry;
  mask?: Float32Array;
}

export class Layer {
  readonly connections: Connection[] = [];
  readonly bias: Param;
  private readonly scratchMats = new Map<string, Mat>();

  constructor(
    readonly engine: Engine,
    /** The optimizer's settings and the weight cost. */
    readonly opt: RunConfig,
    /** 0-based position among the hidden layers (names: layer{index+1}.…). */
    readonly index: number,
    readonly width: number,
    incoming: IncomingSpec[],
    rng: Rng,
  ) {
    for (const { source, fanIn, local, mask } of incoming) {
      // Bottom-up weights keep the name they always had.
      const name = source === 'below' || source === 'input' ? `layer${index + 1}.weight` : `layer${index + 1}.${source}.weight`;
      if (local) {
        if (localInputSize(local) !== fanIn || localOutputSize(local) !== width) {
          throw new Error(`layer ${index + 1}: a locally-connected ${source} connection ${describeLocal(local)} does not join ${fanIn} inputs to ${width} units`);
        }
        const shape = localWeightShape(local);
        const w = initLocalWeights(local, () => rng.normal());
        this.connections.push({ source, kind: 'local', geometry: local, weight: new Param(name, engine.fromArray(w, shape.rows, shape.cols), engine, opt) });
        continue;
      }
      // ffnew.m: W ~ N(0,1)/sqrt(fan-in) (a masked connection: the inputs a unit really sees).
      if (mask && mask.length !== fanIn * width) throw new Error(`layer ${index + 1}: a ${source} mask of ${mask.length} values for ${fanIn}×${width} weights`);
      const w = rng.fillNormal(new Float32Array(fanIn * width), 1 / Math.sqrt(mask ? maskFanIn(mask, width) : fanIn));
      const weight = new Param(name, engine.fromArray(w, fanIn, width), engine, opt);
      if (mask) weight.restrictTo(engine.fromArray(mask, fanIn, width));
      this.connections.push({ source, kind: 'dense', weight });
    }
    this.bias = new Param(`layer${index + 1}.bias`, engine.zeros(1, width), engine, opt);
  }

  /** The connection from a source, if the layer has one. */
  connection(source: SourceKind): Connection | undefined {
    return this.connections.find((c) => c.source === source);
  }

  /** The bottom-up connection (from the input, the layer below or a box). */
  get bottomUp(): Connection {
    return this.connections[0];
  }

  /**
   * y = x·W (beta 0) or y += x·W (beta 1) through connection c, whatever its kind; `w` replaces
   * the connection's weights as applied (an analog chip's distorted copy), not as learned.
   */
  project(c: Connection, x: Mat, y: Mat, beta: 0 | 1, w: Mat = c.weight.value): void {
    if (c.kind === 'local') this.engine.localForward(x, w, y, c.geometry, { beta });
    else if (beta === 0) this.engine.gemm(x, w, y);
    else this.engine.gemm(x, w, y, { beta });
  }

  /**
   * The layer as a feed-forward stage, pass `pass` of the net: y = relu(x·W [+ label·W_label]
   * [+ chip noise] + b), the bottom-up weights applied as the chip distorts them (an ideal
   * chip: as learned).
   */
  feedForward(x: Mat, y: Mat, chip: NetStages, pass: number, label?: Mat): void {
    const c = this.bottomUp;
    this.project(c, x, y, 0, chip.weights(this.index, c.weight.value, pass));
    if (label) this.project(this.connection('label')!, label, y, 1);
    chip.noise(this.index, y, pass);
    this.engine.addBias(y, this.bias.value, true);
  }

  /** The summed gradients `backward` leaves for the bottom-up weights and the bias. */
  get gradients(): { weight: Mat; bias: Mat } {
    const w = this.bottomUp.weight.value;
    return { weight: this.scratch('bp.dweight', w.rows, w.cols), bias: this.scratch('bp.dbias', 1, this.width) };
  }

  /**
   * Backprop through the stage, from `dy`, the descent gradient at its output y (rows × width),
   * and its input x: dy becomes the gradient at the total input (ReLU-gated, in place); the
   * summed weight and bias gradients go to `gradients`; and, unless `dx` is null, the gradient
   * at the input — through the weights as learned (backprop does not know how a chip distorts
   * them). Feed-forward stages only (the bottom-up connection).
   */
  backward(x: Mat, y: Mat, dy: Mat, dx: Mat | null): void {
    const e = this.engine;
    const c = this.bottomUp;
    const { weight, bias } = this.gradients;
    e.reluBackward(dy, y, dy);
    if (c.kind === 'local') e.localWeightGrad(x, dy, weight, c.geometry);
    else e.gemm(x, dy, weight, { transA: true });
    e.colSum(dy, bias, 1, 0);
    if (!dx) return;
    if (c.kind === 'local') e.localInputGrad(dy, c.weight.value, dx, c.geometry);
    else e.gemm(dy, c.weight.value, dx, { transB: true });
  }

  /** One optimizer step from the gradients of the last `backward` (summed over `count` rows). */
  step(lr: number, count: number): void {
    const { weight, bias } = this.gradients;
    this.bottomUp.weight.step(weight, lr, 1 / count, this.opt.weightCost);
    this.bias.step(bias, lr, 1 / count, 0);
  }

  /**
   * Adds this iteration's gradients: for every connection, its input rows (aligned with dz)
   * transposed times dz, and the column sums for the bias. `first` starts a minibatch's step.
   */
  accumulate(dz: Mat, inputs: Map<SourceKind, Mat>, gradScale: number, first: boolean): void {
    for (const c of this.connections) {
      const x = inputs.get(c.source);
      if (!x) throw new Error(`layer ${this.index + 1}: no input rows for its ${c.source} connection`);
      const w = c.weight.value;
      const grad = () => this.scratch(`d${c.source}`, w.rows, w.cols);
      if (c.kind === 'local') {
        // The LC analogue of xᵀ·dz: Σ_rows x_window ⊗ dz, unit by unit.
        const g = c.geometry;
        c.weight.accumulateWith((out, alpha, beta) => this.engine.localWeightGrad(x, dz, out, g, { alpha, beta }), gradScale, first, grad);
      } else {
        c.weight.accumulateProduct(x, dz, { transA: true }, gradScale, first, grad);
      }
    }
    this.bias.accumulateColSum(dz, gradScale, first, () => this.scratch('db', 1, this.width));
  }

  /** One optimizer step from the accumulated gradients (lr includes the schedule's gain). */
  update(lr: number): void {
    for (const c of this.connections) c.weight.applyAccumulated(lr, this.opt.weightCost);
    this.bias.applyAccumulated(lr, 0);
  }

  params(): Param[] {
    return [...this.connections.map((c) => c.weight), this.bias];
  }

  protected scratch(name: string, rows: number, cols: number): Mat {
    const key = `${name}:${rows}x${cols}`;
    let m = this.scratchMats.get(key);
    if (!m) this.scratchMats.set(key, (m = this.engine.zeros(rows, cols)));
    return m;
  }
}
