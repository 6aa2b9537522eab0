// The backprop baseline's network: a fully connected ReLU MLP with a softmax output, its
// weights (Param: value + optimizer state), scratch buffers, and the forward and backward
// passes written out on the engine's primitives:
//   forward   a₀ = x (or x/rms(x)),  a_{k+1} = relu(a_k·W_k + b_k),  logits = a_L·W_L + b_L,
//             p = softmax(logits);   loss = Σ_i −log p_i[y_i]  (summed over the minibatch)
//   backward  δ_L = p − onehot(y);   ∂W_k = a_kᵀ·δ_k;  ∂b_k = Σ_i δ_k[i,:];
//             δ_{k−1} = (δ_k·W_kᵀ) ⊙ [a_k > 0]
// Gradients are SUMMED over the minibatch; the optimizer's gradScale = 1/B makes them means.
// Locally-connected nets (train/local-maps.ts) replace a_k·W_k, a_kᵀ·δ_k and δ_k·W_kᵀ of the
// hidden layers by the engine's localForward, localWeightGrad and localInputGrad; the output
// layer stays dense. Grid nets (train/grid-maps.ts) keep dense hidden weights sparse with a
// fixed 0/1 mask (Param.restrictTo).
import type { Engine, Mat } from '../engine/engine.js';
import { initLocalWeights, localWeightShape, type LocalGeometry } from '../engine/local-geometry.js';
import { Rng } from '../engine/rng.js';
import { NORM_EPS } from '../ff/ff-net.js';
import { maskFanIn, type GridMaps } from '../train/grid-maps.js';
import type { LocalMaps } from '../train/local-maps.js';
import { Param } from '../train/optimizer.js';
import type { BPConfig } from './config.js';
import { NetStages } from '../stages/net-stages.js';
import { seedFor } from '../stages/stage-seed.js';
import { boxModelFor, type BoxModel } from './box-model.js';

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
}

export class BPNet {
  /** Layer sizes including input and output: [D, h1, …, hL, N]. */
  readonly sizes: number[];
  /** Linear layers 0..L (L = number of hidden layers; layer L is the output layer). */
  readonly weights: Param[] = [];
  readonly biases: Param[] = [];
  /** Summed gradients of the last `backward`, per linear layer. */
  readonly gradW: Mat[] = [];
  readonly gradB: Mat[] = [];
  readonly rng: Rng;
  /** Per linear layer: its LC geometry, or null where it is dense (always the output layer). */
  readonly local: (LocalGeometry | null)[] = [];
  /** Stages that are not learned (a black box, the analog chip): the same ones FF's net runs. */
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
    /** Locally-connected hidden layers: their maps and the image's channels (null: dense). */
    lc: { maps: LocalMaps; imageChannels: number } | null = null,
    /** Grid nets: hidden layers' dense weights kept sparse by their windows' masks. */
    grids: GridMaps | null = null,
  ) {
    if (cfg.layers.length === 0) throw new Error('the net needs at least one hidden layer');
    if (inputMean && inputMean.length !== inputSize) throw new Error(`input mean has ${inputMean.length} values for ${inputSize}-value images`);
    this.sizes = [inputSize, ...cfg.layers, numClasses];
    this.rng = new Rng(cfg.seed);
    const L = cfg.layers.length;
    for (let k = 0; k <= L; k++) {
      const fanIn = this.sizes[k];
      const width = this.sizes[k + 1];
      const name = k < L ? `layer${k + 1}` : 'output';
      const g = lc && k < L ? lc.maps.from(k === 0 ? lc.imageChannels : lc.maps.channels) : null;
      this.local.push(g);
      // As FF (ffnew.m): W ~ N(0,1)/sqrt(fan-in), b = 0, from the model's seeded RNG.
      const shape = g ? localWeightShape(g) : { rows: fanIn, cols: width };
      const mask = grids && k < L ? grids.mask(k, fanIn) : null;
      const w = g ? initLocalWeights(g, () => this.rng.normal()) : this.rng.fillNormal(new Float32Array(fanIn * width), 1 / Math.sqrt(mask ? maskFanIn(mask, width) : fanIn));
      const weight = new Param(`${name}.weight`, engine.fromArray(w, shape.rows, shape.cols), engine, cfg);
      if (mask) weight.restrictTo(engine.fromArray(mask, fanIn, width));
      this.weights.push(weight);
      this.biases.push(new Param(`${name}.bias`, engine.zeros(1, width), engine, cfg));
      this.gradW.push(engine.zeros(shape.rows, shape.cols));
      this.gradB.push(engine.zeros(1, width));
    }
    this.stages = new NetStages(engine, cfg, inputSize);
    const box = this.stages.box;
    // Its own RNG: a learned box model does not shift the run's main stream.
    const boxRng = new Rng(seedFor(cfg.seed, 'box-model'));
    this.boxModel = box ? boxModelFor(cfg.boxModel, box, engine, () => boxRng.normal()) : null;
  }

  /** Number of hidden layers. */
  get numHidden(): number {
    return this.cfg.layers.length;
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
        h: this.cfg.layers.map((w) => e.zeros(rows, w)),
        out: e.zeros(rows, N),
        onehot: e.zeros(rows, N),
        delta: [...this.cfg.layers.map((w) => e.zeros(rows, w)), e.zeros(rows, N)],
        hostOnehot: new Float32Array(rows * N),
        boxOut: this.stages.box ? e.zeros(rows, this.stages.box.width) : null,
        boxDelta: this.stages.box ? e.zeros(rows, this.stages.box.width) : null,
      };
      this.workspaces.set(rows, ws);
    }
    return ws;
  }

  /** The input of linear layer k for the first `count` rows of ws. */
  private layerInput(ws: BPWorkspace, k: number, count: number): Mat {
    const e = this.engine;
    if (k > 0) return e.rowView(k - 1 === this.stages.boxAfter ? ws.boxOut! : ws.h[k - 1], 0, count);
    return e.rowView(ws.xn ?? ws.x, 0, count);
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
    e.write(v(ws.x), pixels);
    if (ws.xn) e.normalizeRows(v(ws.x), v(ws.xn), 'rms', NORM_EPS);
    const L = this.numHidden;
    const st = this.stages;
    const pass = st.beginPass();
    for (let k = 0; k <= L; k++) {
      const y = k < L ? v(ws.h[k]) : v(ws.out);
      const g = this.local[k];
      // Hidden layers on an analog chip apply their weights as the chip distorts them; the output layer is a digital readout.
      const w = k < L ? st.weights(k, this.weights[k].value, pass) : this.weights[k].value;
      if (g) e.localForward(this.layerInput(ws, k, count), w, y, g);
      else e.gemm(this.layerInput(ws, k, count), w, y);
      if (k < L) st.noise(k, y, pass);
      e.addBias(y, this.biases[k].value, k < L);
      if (k === st.boxAfter) st.box!.forward(y, v(ws.boxOut!));
    }
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
    e.axpby(1, v(ws.out), -1, v(ws.onehot), v(ws.delta[L]));

    for (let k = L; k >= 0; k--) {
      const delta = v(ws.delta[k]);
      const g = this.local[k];
      if (g) e.localWeightGrad(this.layerInput(ws, k, count), delta, this.gradW[k], g);
      else e.gemm(this.layerInput(ws, k, count), delta, this.gradW[k], { transA: true });
      e.colSum(delta, this.gradB[k], 1, 0);
      if (k > 0) {
        // δ_{k−1} = (δ_k · W_kᵀ) gated by the ReLU of hidden layer k−1 — through the weights
        // as learned (backprop does not know how a chip distorts them) and, where a box sits
        // between, through backprop's model of the box.
        const below = v(ws.delta[k - 1]);
        const boxed = k - 1 === this.stages.boxAfter;
        const out = boxed ? v(ws.boxDelta!) : below;
        if (g) e.localInputGrad(delta, this.weights[k].value, out, g);
        else e.gemm(delta, this.weights[k].value, out, { transB: true });
        if (boxed) this.boxModel!.backward(out, v(ws.h[k - 1]), v(ws.boxOut!), below);
        e.reluBackward(below, v(ws.h[k - 1]), below);
      }
    }
    return e.read(v(ws.out));
  }

  /** One optimizer step on every parameter from the gradients of the last backward. */
  step(lr: number, count: number): void {
    for (let k = 0; k <= this.numHidden; k++) {
      this.weights[k].step(this.gradW[k], lr, 1 / count, this.cfg.weightCost);
      this.biases[k].step(this.gradB[k], lr, 1 / count, 0);
    }
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
