// A learnable stage (SPEC §7): a hidden layer as both algorithms see it — its incoming
// connections (each a weight matrix from a source through a connection kind: dense, masked,
// locally connected or convolutional — stages/connections/), its
// bias, its forward as a feed-forward stage (on the analog chip when there is one) and
// backprop's backward through it. How the gradient reaching it is made is the learner's:
// FF's layer rule (ff/ff-layer.ts, a subclass) from the layer's own goodness, backprop's from
// the error above (bp/bp-net.ts). Both then gather it with `accumulate` or `backward` and
// apply it through the layer's Params.
import type { ConvGeometry } from '../engine/conv-geometry.js';
import type { Engine, Mat } from '../engine/engine.js';
import type { LocalGeometry } from '../engine/local-geometry.js';
import type { Rng } from '../engine/rng.js';
import { Param } from '../train/optimizer.js';
import type { RunConfig } from '../train/run-config.js';
import { ConvConnection } from './connections/conv.js';
import { DenseConnection } from './connections/dense.js';
import { LocalConnection } from './connections/local.js';
import type { NetStages } from './net-stages.js';

/** Where a connection's input comes from. */
export type SourceKind =
  | 'input' // the (normalized) image
  | 'below' // the (normalized) state of the layer below, or a box's output
  | 'above' // the normalized state of the layer above, at the previous time step
  | 'self' // this layer's own normalized state, at the previous time step
  | 'label'; // the clamped one-of-N label layer (recurrent net), or separate label units

/** The connection kinds a layer can have (stages/connections/); `name` tells them apart. */
export type ConnectionKindOf = DenseConnection | LocalConnection | ConvConnection;

/** A connection into the layer: its source, its kind and the weights it learns. */
export interface Connection {
  source: SourceKind;
  kind: ConnectionKindOf;
  weight: Param;
}

/**
 * What the layer is told about one incoming connection: `local` makes it locally connected,
 * `conv` a weight-shared convolution (channels-last maps); otherwise it is dense, and `mask`
 * (0/1, fanIn × width) keeps it sparse (grid nets).
 */
export interface IncomingSpec {
  source: SourceKind;
  fanIn: number;
  local?: LocalGeometry;
  conv?: ConvGeometry;
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
    for (const spec of incoming) {
      const { source, fanIn } = spec;
      // Bottom-up weights keep the name they always had.
      const name = source === 'below' || source === 'input' ? `layer${index + 1}.weight` : `layer${index + 1}.${source}.weight`;
      const kind = this.kindFor(spec, width);
      if (kind.inputSize !== fanIn || kind.outputSize !== width) {
        throw new Error(`layer ${index + 1}: a ${kind.name} ${source} connection of ${kind.inputSize} → ${kind.outputSize} values does not join ${fanIn} inputs to ${width} units`);
      }
      this.connections.push({ source, kind, weight: kind.createWeight(name, engine, opt, rng) });
    }
    this.bias = new Param(`layer${index + 1}.bias`, engine.zeros(1, this.biasWidth), engine, opt);
  }

  /** A conv layer's bias is one value per output channel, shared by every position. */
  get biasWidth(): number {
    const k = this.connections[0]?.kind;
    return k instanceof ConvConnection ? k.geometry.outChannels : this.width;
  }

  /** rows × width read as (rows·positions) × channels for a conv layer (what its bias adds to); m itself otherwise. */
  perChannel(m: Mat): Mat {
    const C = this.biasWidth;
    return C === this.width ? m : this.engine.reshape(m, (m.rows * this.width) / C, C);
  }

  /** The kind an incoming connection's spec names (one connection, one part). */
  private kindFor(spec: IncomingSpec, width: number): ConnectionKindOf {
    const { source, fanIn } = spec;
    if ([spec.local, spec.conv, spec.mask].filter(Boolean).length > 1) throw new Error(`layer ${this.index + 1}: a ${source} connection names more than one of local, conv and mask`);
    if (spec.local) return new LocalConnection(this.engine, spec.local);
    if (spec.conv) return new ConvConnection(this.engine, spec.conv, (name, rows, cols) => this.scratch(`${source}.${name}`, rows, cols));
    if (spec.mask && spec.mask.length !== fanIn * width) throw new Error(`layer ${this.index + 1}: a ${source} mask of ${spec.mask.length} values for ${fanIn}×${width} weights`);
    return new DenseConnection(this.engine, fanIn, width, spec.mask);
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
    c.kind.forward(x, w, y, beta);
  }

  /**
   * The layer as a feed-forward stage, pass `pass` of the net: y = drop(relu(x·W [+ label·W_label]
   * [+ chip noise] + b)), the bottom-up weights applied as the chip distorts them (an ideal
   * chip: as learned); drop is --dropout's mask/(1−p) in a training step (y's rows are the
   * step's from `firstRow` on), nothing otherwise. Whatever reads y — the layer's objective, the
   * normalization, the layer above — reads it dropped.
   */
  feedForward(x: Mat, y: Mat, chip: NetStages, pass: number, label?: Mat, firstRow = 0): void {
    const c = this.bottomUp;
    this.project(c, x, y, 0, chip.weights(this.index, c.weight.value, pass));
    if (label) this.project(this.connection('label')!, label, y, 1);
    chip.noise(this.index, y, pass);
    this.engine.addBias(this.perChannel(y), this.bias.value, true);
    chip.dropout(this.index, y, firstRow);
  }

  /**
   * The gradient at the dropped output y (rows from `firstRow`) → the one at relu's output: the
   * same mask and 1/(1−p) as the forward's (nothing without dropout), in place.
   */
  dropoutBackward(dy: Mat, chip: NetStages, firstRow = 0): void {
    chip.dropout(this.index, dy, firstRow);
  }

  /** The summed gradients `backward` leaves for the bottom-up weights and the bias. */
  get gradients(): { weight: Mat; bias: Mat } {
    const w = this.bottomUp.weight.value;
    return { weight: this.scratch('bp.dweight', w.rows, w.cols), bias: this.scratch('bp.dbias', 1, this.biasWidth) };
  }

  /**
   * Backprop through the stage, from `dy`, the descent gradient at its output y (rows × width),
   * and its input x: dy becomes the gradient at the total input (ReLU-gated, in place); the
   * summed weight and bias gradients go to `gradients`; and, unless `dx` is null, the gradient
   * at the input — through the weights as learned (backprop does not know how a chip distorts
   * them). Feed-forward stages only (the bottom-up connection). With dropout, y is the dropped
   * output: its zeros gate the ReLU's gradient, and the mask's 1/(1−p) scales what passes
   * (`chip`, the net's stages, knows the mask; without it, no dropout).
   */
  backward(x: Mat, y: Mat, dy: Mat, dx: Mat | null, chip?: NetStages): void {
    const e = this.engine;
    const c = this.bottomUp;
    const { weight, bias } = this.gradients;
    e.reluBackward(dy, y, dy);
    if (chip) this.dropoutBackward(dy, chip);
    c.kind.weightGradient(x, dy, weight);
    e.colSum(this.perChannel(dy), bias, 1, 0);
    if (dx) c.kind.inputGradient(dy, c.weight.value, dx);
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
      c.weight.accumulateWith((out, alpha, beta) => c.kind.weightGradient(x, dz, out, { alpha, beta }), gradScale, first, grad);
    }
    this.bias.accumulateColSum(this.perChannel(dz), gradScale, first, () => this.scratch('db', 1, this.biasWidth));
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
