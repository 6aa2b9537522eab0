// An FF network's state: layer weights and biases, the online softmax head, the peer-
// normalization running means, and reusable scratch buffers. The learning rule itself is in
// ff-step.ts; the classifiers in classify.ts.
import type { Engine, Mat } from '../engine/engine.js';
import { Rng } from '../engine/rng.js';
import { Param } from '../train/optimizer.js';
import { resolveLayerList, thresholdFor, type FFConfig } from './config.js';
import type { LabelledInput } from './labelled-input.js';

/** Scratch for one row count: input, and per layer the ReLU states, normalized states, goodness. */
export interface Workspace {
  rows: number;
  x: Mat;
  host: Float32Array;
  y: Mat[];
  n: Mat[];
  g: Mat[];
}

export class FFNet {
  /** Layer sizes including the input: [D, h1, h2, …]. */
  readonly sizes: number[];
  readonly weights: Param[] = [];
  readonly biases: Param[] = [];
  /** Softmax weights from hidden layer l (null where l does not feed the softmax). */
  readonly softmax: (Param | null)[] = [];
  /** Peer normalization: running mean activity of each unit on positive data. */
  readonly peerMeans: Float32Array[] = [];
  /** 0-based hidden layers read by the softmax and by the goodness classifier. */
  readonly softmaxLayers: number[];
  readonly goodnessLayers: number[];
  readonly rng: Rng;
  private readonly workspaces = new Map<number, Workspace>();

  /** Values per input row (the image, plus label units when they are extra). */
  readonly inputSize: number;
  readonly numClasses: number;

  constructor(
    readonly engine: Engine,
    readonly cfg: FFConfig,
    /** How an image and a label become the first layer's input. */
    readonly input: LabelledInput,
  ) {
    if (cfg.layers.length === 0) throw new Error('the net needs at least one hidden layer');
    this.inputSize = input.width;
    this.numClasses = input.numClasses;
    this.sizes = [this.inputSize, ...cfg.layers];
    this.softmaxLayers = resolveLayerList(cfg.softmaxLayers, cfg.layers.length, 'softmax-layers');
    this.goodnessLayers = resolveLayerList(cfg.goodnessLayers, cfg.layers.length, 'goodness-layers');
    this.rng = new Rng(cfg.seed);
    for (let l = 0; l < cfg.layers.length; l++) {
      const fanIn = this.sizes[l];
      const width = this.sizes[l + 1];
      // ffnew.m: W ~ N(0,1)/sqrt(fan-in), b = 0.
      const w = this.rng.fillNormal(new Float32Array(fanIn * width), 1 / Math.sqrt(fanIn));
      this.weights.push(new Param(`layer${l + 1}.weight`, engine.fromArray(w, fanIn, width), engine, cfg));
      this.biases.push(new Param(`layer${l + 1}.bias`, engine.zeros(1, width), engine, cfg));
      this.peerMeans.push(new Float32Array(width).fill(cfg.peerInit));
      this.softmax.push(
        this.softmaxLayers.includes(l)
          ? new Param(`softmax${l + 1}.weight`, engine.zeros(width, this.numClasses), engine, cfg)
          : null,
      );
    }
  }

  get numLayers(): number {
    return this.cfg.layers.length;
  }

  threshold(l: number): number {
    return thresholdFor(this.cfg, this.sizes[l + 1]);
  }

  /** Scratch buffers for `rows` rows, allocated once per distinct row count. */
  workspace(rows: number): Workspace {
    let ws = this.workspaces.get(rows);
    if (!ws) {
      const e = this.engine;
      ws = {
        rows,
        x: e.zeros(rows, this.inputSize),
        host: new Float32Array(rows * this.inputSize),
        y: this.cfg.layers.map((w) => e.zeros(rows, w)),
        n: [e.zeros(rows, this.inputSize), ...this.cfg.layers.map((w) => e.zeros(rows, w))],
        g: this.cfg.layers.map(() => e.zeros(rows, 1)),
      };
      this.workspaces.set(rows, ws);
    }
    return ws;
  }

  /**
   * Forward rows [start, start+count) of ws.x through hidden layers 0..upTo−1:
   * n[0] = normalized input; y[l] = relu(n[l]·W + b); n[l+1] = normalized y[l]; g[l] = goodness sum.
   */
  forward(ws: Workspace, start: number, count: number, upTo = this.numLayers): void {
    const e = this.engine;
    const v = (m: Mat) => e.rowView(m, start, count);
    e.normalizeRows(v(ws.x), v(ws.n[0]), this.cfg.norm, NORM_EPS);
    for (let l = 0; l < upTo; l++) {
      const y = v(ws.y[l]);
      e.gemm(v(ws.n[l]), this.weights[l].value, y);
      e.addBias(y, this.biases[l].value, true);
      if (this.cfg.goodnessPower === 2) {
        // Σ y² is both the goodness and the normalizer: one pass over the row for both.
        e.normalizeRows(y, v(ws.n[l + 1]), this.cfg.norm, NORM_EPS, v(ws.g[l]));
      } else {
        e.normalizeRows(y, v(ws.n[l + 1]), this.cfg.norm, NORM_EPS);
        e.rowPowerSum(y, v(ws.g[l]), 1);
      }
    }
  }

  /** Softmax logits (rows×N) from the normalized states of the given layers, rows [start, start+count). */
  logits(ws: Workspace, start: number, count: number, layers: number[], out: Mat): void {
    const e = this.engine;
    layers.forEach((l, i) => {
      const s = this.softmax[l];
      if (!s) throw new Error(`layer ${l + 1} does not feed the softmax`);
      e.gemm(e.rowView(ws.n[l + 1], start, count), s.value, out, { beta: i === 0 ? 0 : 1 });
    });
  }

  /** Goodness as the config defines it, from the raw power sum of a layer. */
  goodness(rawSum: number, l: number): number {
    return this.cfg.goodnessReduce === 'mean' ? rawSum / this.sizes[l + 1] : rawSum;
  }

  /** Every trainable tensor and optimizer state, by stable name (for checkpoints). */
  params(): Param[] {
    return [...this.weights, ...this.biases, ...this.softmax.filter((p): p is Param => p !== null)];
  }
}

/** ffnormrows' "tiny" (exp(−50)) keeps an all-zero row at zero instead of NaN. */
export const NORM_EPS = Math.exp(-50);
