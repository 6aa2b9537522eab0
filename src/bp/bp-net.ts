// The backprop baseline's network: the net description FF runs (stages/net-stages.ts: the same
// learnable layers, stages/layer.ts, the box and the analog chip, in the same order) with a
// softmax readout on top, scratch buffers, and the forward and backward passes through the
// stages written out on the engine's primitives:
//   forward   a₀ = x (or x/rms(x)),  a_{k+1} = relu(a_k·W_k + b_k),  logits = a_L·W_L + b_L,
//             p = softmax(logits);   loss = Σ_i −log p_i[y_i]  (summed over the minibatch)
//   backward  δ_L = p − onehot(y);   ∂W_k = a_kᵀ·δ_k;  ∂b_k = Σ_i δ_k[i,:];
//             δ_{k−1} = (δ_k·W_kᵀ) ⊙ [a_k > 0]
// Gradients are SUMMED over the minibatch; the optimizer's gradScale = 1/B makes them means.
// Locally-connected nets (train/local-maps.ts) replace a_k·W_k, a_kᵀ·δ_k and δ_k·W_kᵀ of the
// hidden layers by the engine's localForward, localWeightGrad and localInputGrad (the layer
// stage does); the output layer stays dense. Grid nets (train/grid-maps.ts) keep dense hidden
// weights sparse with a fixed 0/1 mask (Param.restrictTo). A black box between two layers is
// crossed backward through backprop's model of it (box-model.ts). Conv nets (train/conv-maps.ts)
// run FF's conv forward — the image channels last and GroupNorm'ed, each conv layer's map
// pooled and GroupNorm'ed before the layer above reads it — and the output layer reads the
// last normalized map; those between-layer steps and their backward are conv-between.ts's.
import type { Engine, Mat } from '../engine/engine.js';
import type { LocalGeometry } from '../engine/local-geometry.js';
import { Rng } from '../engine/rng.js';
import { NORM_EPS } from '../ff/ff-net.js';
import { Param } from '../train/optimizer.js';
import type { BPConfig } from './config.js';
import { buildLayers } from '../stages/build-layers.js';
import { Layer } from '../stages/layer.js';
import { NetStages } from '../stages/net-stages.js';
import { netSpecFor, type NetSpec } from '../stages/net-spec.js';
import { seedFor } from '../stages/stage-seed.js';
import { boxModelFor, type BoxModel } from './box-model.js';
import { ConvBetween, type ConvBuffers } from './conv-between.js';

/** Scratch for up to `rows` rows: forward activations and backward deltas. */
export interface BPWorkspace {
  rows: number;
  /** Raw input (rows × D). */
  x: Mat;
  /** RMS-normalized input (only with inputNorm 'rms'). */
  xn: Mat | null;
  /** Hidden ReLU outputs, one per hidden layer. */
  h: Mat[];
  /** Logits, turned into probabilities in place (rows × N). */
  out: Mat;
  /** One-hot targets (rows × N). */
  onehot: Mat;
  /** Host buffer for centred images (allocated on first use). */
  centred?: Float32Array;
  /** Descent gradients w.r.t. each linear layer's output: [hidden 1, …, hidden L, output]. */
  delta: Mat[];
  /** Host staging buffers. */
  hostOnehot: Float32Array;
  /** A black box's output (what the layer after it reads) and the gradient there. */
  boxOut: Mat | null;
  boxDelta: Mat | null;
  /** Conv nets: the normalized maps between the layers, and their gradients. */
  conv: ConvBuffers | null;
  /** Conv nets on colour images: the channel-planar rows before they are read channels last. */
  planar: Mat | null;
}

export class BPNet {
  /** Layer sizes including input and output: [D, h1, …, hL, N] (a conv layer's: its map before pooling). */
  readonly sizes: number[];
  /** Values each linear layer reads: [D, …] (a conv layer's pooled map); sizes where nothing pools. */
  readonly outSizes: number[];
  /** Conv nets: what happens between the layers (pooling, GroupNorm); null otherwise. */
  readonly conv: ConvBetween | null;
  /** The hidden layers: learnable stages, as in FF's net. */
  readonly layers: Layer[] = [];
  /** The softmax readout (digital, off the chip). */
  readonly outputWeight: Param;
  readonly outputBias: Param;
  private readonly outputGradW: Mat;
  private readonly outputGradB: Mat;
  readonly rng: Rng;
  /** The net description shared with FF: the stages' order, the box, the analog chip. */
  readonly stages: NetStages;
  /** With a black box: what backprop uses for its backward. */
  readonly boxModel: BoxModel | null;
  /** A learned box model's relative error ‖ŷ − y‖/‖y‖ on the last training minibatch. */
  boxModelError: number | null = null;
  private readonly workspaces = new Map<number, BPWorkspace>();

  constructor(
    readonly engine: Engine,
    readonly cfg: BPConfig,
    readonly inputSize: number,
    readonly numClasses: number,
    /** Per-pixel values subtracted from every image (centred colour images), or null. */
    readonly inputMean: Float32Array | null = null,
    /**
     * The hidden layers' description (stages/net-spec.ts: locally-connected maps, grid masks);
     * by default dense layers on inputSize values.
     */
    spec: NetSpec = netSpecFor(cfg, { height: 1, width: inputSize, channels: 1 }),
  ) {
    if (cfg.layers.length === 0) throw new Error('the net needs at least one hidden layer');
    if (inputMean && inputMean.length !== inputSize) throw new Error(`input mean has ${inputMean.length} values for ${inputSize}-value images`);
    this.rng = new Rng(cfg.seed);
    const L = cfg.layers.length;
    if (spec.inputSize !== inputSize || spec.layers.length !== L) throw new Error(`the net description has ${spec.layers.length} layers on ${spec.inputSize} inputs, the config ${L} on ${inputSize}`);
    this.sizes = [inputSize, ...spec.layers.map((l) => l.width), numClasses];
    this.outSizes = [inputSize, ...spec.layers.map((l) => l.outputSize)];
    const first = spec.layers[0].geometry;
    this.conv = first.kind === 'conv' ? new ConvBetween(engine, spec, first.conv, cfg.pool) : null;
    if (this.conv && cfg.inputNorm !== 'none') throw new Error('backprop on conv nets GroupNorms the image as FF does: leave --input-norm out');
    if (!this.conv && (cfg.norm ?? 'rms') !== 'rms') throw new Error(`--norm ${cfg.norm} normalizes between conv layers: use it with --connectivity conv (dense nets: --input-norm)`);
    // As FF (ffnew.m): W ~ N(0,1)/sqrt(fan-in), b = 0, from the model's seeded RNG, layer by layer.
    this.layers.push(...buildLayers(spec, this.rng, (k, width, incoming, rng) => new Layer(engine, cfg, k, width, incoming, rng)));
    const top = this.outSizes[L];
    this.outputWeight = new Param('output.weight', engine.fromArray(this.rng.fillNormal(new Float32Array(top * numClasses), 1 / Math.sqrt(top)), top, numClasses), engine, cfg);
    this.outputBias = new Param('output.bias', engine.zeros(1, numClasses), engine, cfg);
    this.outputGradW = engine.zeros(top, numClasses);
    this.outputGradB = engine.zeros(1, numClasses);
    this.stages = new NetStages(engine, cfg, inputSize);
    const box = this.stages.box;
    // Its own RNG: a learned box model does not shift the run's main stream.
    const boxRng = new Rng(seedFor(cfg.seed, 'box-model'));
    this.boxModel = box ? boxModelFor(cfg.boxModel, box, engine, () => boxRng.normal()) : null;
  }

  /** Channels of the images (conv nets read them channels last). */
  private get imageChannels(): number {
    const g = this.layers[0].bottomUp.kind;
    return g.name === 'conv' ? g.geometry.channels : 1;
  }

  /** Number of hidden layers. */
  get numHidden(): number {
    return this.cfg.layers.length;
  }

  /** Linear layers 0..L (layer L is the output layer): weights, biases, and the summed gradients of the last `backward`. */
  get weights(): Param[] {
    return [...this.layers.map((layer) => layer.bottomUp.weight), this.outputWeight];
  }

  get biases(): Param[] {
    return [...this.layers.map((layer) => layer.bias), this.outputBias];
  }

  get gradW(): Mat[] {
    return [...this.layers.map((layer) => layer.gradients.weight), this.outputGradW];
  }

  get gradB(): Mat[] {
    return [...this.layers.map((layer) => layer.gradients.bias), this.outputGradB];
  }

  /** Per linear layer: its LC geometry, or null where it is dense (always the output layer). */
  get local(): (LocalGeometry | null)[] {
    return [...this.layers.map((layer) => (layer.bottomUp.kind.name === 'local' ? layer.bottomUp.kind.geometry : null)), null];
  }

  /** Scratch buffers for up to `rows` rows, allocated once per distinct row count. */
  workspace(rows: number): BPWorkspace {
    let ws = this.workspaces.get(rows);
    if (!ws) {
      const e = this.engine;
      const N = this.numClasses;
      ws = {
        rows,
        x: e.zeros(rows, this.inputSize),
        xn: this.cfg.inputNorm === 'rms' ? e.zeros(rows, this.inputSize) : null,
        h: this.sizes.slice(1, -1).map((w) => e.zeros(rows, w)),
        out: e.zeros(rows, N),
        onehot: e.zeros(rows, N),
        delta: [...this.sizes.slice(1, -1).map((w) => e.zeros(rows, w)), e.zeros(rows, N)],
        hostOnehot: new Float32Array(rows * N),
        boxOut: this.stages.box ? e.zeros(rows, this.stages.box.width) : null,
        boxDelta: this.stages.box ? e.zeros(rows, this.stages.box.width) : null,
        conv: this.conv?.buffers(rows) ?? null,
        planar: this.conv && this.imageChannels > 1 ? e.zeros(rows, this.inputSize) : null,
      };
      this.workspaces.set(rows, ws);
    }
    return ws;
  }

  /** What hidden layer k reads (k = L: the output layer) for the first `count` rows of ws, and where the gradient at it goes (null: the input). */
  private layerInput(ws: BPWorkspace, k: number, count: number): { x: Mat; dx: Mat | null } {
    const v = (m: Mat) => this.engine.rowView(m, 0, count);
    if (ws.conv) return { x: v(ws.conv.n[k]), dx: k === 0 ? null : v(ws.conv.dn[k]!) };
    if (k === 0) return { x: v(ws.xn ?? ws.x), dx: null };
    return k - 1 === this.stages.boxAfter ? { x: v(ws.boxOut!), dx: v(ws.boxDelta!) } : { x: v(ws.h[k - 1]), dx: v(ws.delta[k - 1]) };
  }

  /**
   * Forward the first `count` rows of `images` (count × D pixels) through the net; leaves the
   * softmax probabilities in rows [0, count) of ws.out.
   */
  forward(ws: BPWorkspace, images: Float32Array, count: number): void {
    const e = this.engine;
    const v = (m: Mat) => e.rowView(m, 0, count);
    if (count > ws.rows) throw new Error(`forward: ${count} rows do not fit a workspace of ${ws.rows}`);
    let pixels = images.subarray(0, count * this.inputSize);
    if (this.inputMean) {
      // Centred images (colour datasets): subtract the training set's channel means on the host.
      const m = this.inputMean;
      const D = this.inputSize;
      const host = (ws.centred ??= new Float32Array(ws.rows * D));
      for (let i = 0; i < count; i++) for (let p = 0; p < D; p++) host[i * D + p] = pixels[i * D + p] - m[p];
      pixels = host.subarray(0, count * D);
    }
    if (ws.planar) {
      // Conv nets read colour images channels last (as FF's upload does).
      e.write(v(ws.planar), pixels);
      e.toChannelsLast(v(ws.planar), v(ws.x), this.imageChannels);
    } else e.write(v(ws.x), pixels);
    if (ws.xn) e.normalizeRows(v(ws.x), v(ws.xn), 'rms', NORM_EPS);
    if (ws.conv) this.conv!.normalize(ws.conv, 0, v(ws.x), count);
    const st = this.stages;
    const pass = st.beginPass();
    let input = this.layerInput(ws, 0, count).x;
    for (const s of st.order) {
      const out = s.kind === 'box' ? v(ws.boxOut!) : v(ws.h[s.index]);
      if (s.kind === 'box') s.box.forward(input, out);
      else this.layers[s.index].feedForward(input, out, st, pass);
      input = out;
      // Conv: the layer above reads the map pooled and normalized.
      if (ws.conv && s.kind === 'layer') {
        this.conv!.afterLayer(ws.conv, s.index, out, count);
        input = v(ws.conv.n[s.index + 1]);
      }
    }
    e.gemm(input, this.outputWeight.value, v(ws.out));
    e.addBias(v(ws.out), this.outputBias.value, false);
    e.softmaxRows(v(ws.out), v(ws.out));
  }

  /**
   * Forward and backward for one minibatch: leaves the SUMMED gradients of the cross-entropy
   * Σ_i −log p_i[y_i] in gradW/gradB and resolves with the probabilities (count × N).
   */
  async backward(ws: BPWorkspace, images: Float32Array, labels: Uint8Array, count: number): Promise<Float32Array> {
    const e = this.engine;
    const N = this.numClasses;
    const L = this.numHidden;
    const v = (m: Mat) => e.rowView(m, 0, count);
    // A training step: its pass and gradient drop units (--dropout) until the model ends it.
    this.stages.beginStep();
    this.forward(ws, images, count);
    if (this.boxModel) {
      const fit = await this.boxModel.observe(v(ws.h[this.stages.boxAfter]), v(ws.boxOut!), this.cfg.boxModelLr);
      if (fit !== null) this.boxModelError = fit;
    }

    // δ_L = p − onehot(y), the descent gradient of cross-entropy w.r.t. the logits.
    const oh = ws.hostOnehot.subarray(0, count * N);
    oh.fill(0);
    for (let i = 0; i < count; i++) oh[i * N + labels[i]] = 1;
    e.write(v(ws.onehot), oh);
    const delta = v(ws.delta[L]);
    e.axpby(1, v(ws.out), -1, v(ws.onehot), delta);
    const top = this.layerInput(ws, L, count);
    e.gemm(top.x, delta, this.outputGradW, { transA: true });
    e.colSum(delta, this.outputGradB, 1, 0);
    e.gemm(delta, this.outputWeight.value, top.dx!, { transB: true });

    // Down the stages: each layer gates the gradient at its output by its ReLU, keeps its
    // weight gradients and passes the rest down; the box passes it through backprop's model.
    for (const s of [...this.stages.order].reverse()) {
      if (s.kind === 'box') {
        const k = this.stages.boxAfter;
        this.boxModel!.backward(v(ws.boxDelta!), v(ws.h[k]), v(ws.boxOut!), v(ws.delta[k]));
        continue;
      }
      const k = s.index;
      const { x, dx } = this.layerInput(ws, k, count);
      // Conv: from the gradient at the normalized (pooled) map to the one at the ReLU output.
      if (ws.conv) this.conv!.backAfterLayer(ws.conv, k, v(ws.h[k]), v(ws.delta[k]), count);
      this.layers[k].backward(x, v(ws.h[k]), v(ws.delta[k]), dx, this.stages);
    }
    return e.read(v(ws.out));
  }

  /** One optimizer step on every parameter from the gradients of the last backward. */
  step(lr: number, count: number): void {
    for (const layer of this.layers) layer.step(lr, count);
    this.outputWeight.step(this.outputGradW, lr, 1 / count, this.cfg.weightCost);
    this.outputBias.step(this.outputGradB, lr, 1 / count, 0);
  }

  /** Every trainable tensor and optimizer state, by stable name (for checkpoints). */
  params(): Param[] {
    return [...this.weights, ...this.biases];
  }

  /** Stage and box-model state for a checkpoint (none in a net without stages). */
  async saveStageTensors(tensors: Map<string, { shape: number[]; data: Float32Array }>): Promise<void> {
    await this.stages.saveTensors(tensors);
    for (const [name, m] of this.boxModel?.tensors ?? []) tensors.set(name, { shape: [m.rows, m.cols], data: await this.engine.read(m) });
  }

  loadStageTensors(tensor: (name: string, rows: number, cols: number) => Float32Array, counters: unknown): void {
    this.stages.load(tensor, counters);
    for (const [name, m] of this.boxModel?.tensors ?? []) this.engine.write(m, tensor(name, m.rows, m.cols));
  }
}
