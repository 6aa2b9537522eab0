// One FF layer as a unit: its incoming connections (each a weight matrix from a source), its
// bias, its peer-normalization means, and the layer rule — goodness → p = σ(s·(G − θ)/T) →
// per-case coefficients → descent gradient at the layer's input (+ peer push) → gradient of
// every connection → update. Every network (feed-forward, recurrent) uses this one rule; the
// network only decides which states feed which connection, and when.
import type { Engine, Mat } from '../engine/engine.js';
import { describeLocal, initLocalWeights, localInputSize, localOutputSize, localWeightShape, type LocalGeometry } from '../engine/local-geometry.js';
import type { Rng } from '../engine/rng.js';
import { maskFanIn } from '../train/grid-maps.js';
import { Param } from '../train/optimizer.js';
import { thresholdFor, type FFConfig } from './config.js';

/** Where a connection's input comes from. */
export type SourceKind =
  | 'input' // the (normalized) image
  | 'below' // the normalized state of the layer below
  | 'above' // the normalized state of the layer above, at the previous time step
  | 'self' // this layer's own normalized state, at the previous time step
  | 'label'; // the clamped one-of-N label layer (recurrent net)

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

/** Sums over an epoch, per layer; the model turns them into means. */
export interface LayerStats {
  ffLoss: number;
  pairErrors: number;
}

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export class FFLayer {
  readonly connections: Connection[] = [];
  readonly bias: Param;
  /** Peer normalization: running mean activity of each unit on positive data. */
  readonly peerMeans: Float32Array;
  readonly threshold: number;
  private readonly scratchMats = new Map<string, Mat>();

  constructor(
    readonly engine: Engine,
    readonly cfg: FFConfig,
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
        this.connections.push({ source, kind: 'local', geometry: local, weight: new Param(name, engine.fromArray(w, shape.rows, shape.cols), engine, cfg) });
        continue;
      }
      // ffnew.m: W ~ N(0,1)/sqrt(fan-in) (a masked connection: the inputs a unit really sees).
      if (mask && mask.length !== fanIn * width) throw new Error(`layer ${index + 1}: a ${source} mask of ${mask.length} values for ${fanIn}×${width} weights`);
      const w = rng.fillNormal(new Float32Array(fanIn * width), 1 / Math.sqrt(mask ? maskFanIn(mask, width) : fanIn));
      const weight = new Param(name, engine.fromArray(w, fanIn, width), engine, cfg);
      if (mask) weight.restrictTo(engine.fromArray(mask, fanIn, width));
      this.connections.push({ source, kind: 'dense', weight });
    }
    this.bias = new Param(`layer${index + 1}.bias`, engine.zeros(1, width), engine, cfg);
    this.peerMeans = new Float32Array(width).fill(cfg.peerInit);
    this.threshold = thresholdFor(cfg, width);
  }

  /** The connection from a source, if the layer has one. */
  connection(source: SourceKind): Connection | undefined {
    return this.connections.find((c) => c.source === source);
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

  /** Goodness as the config defines it, from the raw power sum of the layer's activities. */
  goodness(rawSum: number): number {
    return this.cfg.goodnessReduce === 'mean' ? rawSum / this.width : rawSum;
  }

  /**
   * Per-case coefficients of the descent gradient w.r.t. the total input (coef_i · y_ij, ReLU-
   * gated through y) from the raw goodness of P positive rows then N negative rows. Either
   * count may be 0 (a sleep phase): the logistic loss is per case. SymBa's loss is on pairs,
   * so it needs P = N; pair errors are counted only then (positive i against negative i).
   */
  coefficients(g: Float32Array, P: number, N: number, stats: LayerStats): Float32Array {
    const cfg = this.cfg;
    if (cfg.loss === 'symba' && P !== N) throw new Error(`--loss symba needs as many positive as negative rows (got ${P} positive, ${N} negative): its loss is on pairs`);
    const sign = cfg.goodness === 'max-ssq' ? 1 : -1;
    const T = cfg.temperature;
    const theta = this.threshold;
    const goodnessScale = cfg.goodnessReduce === 'mean' ? 1 / this.width : 1;
    const dGdy = cfg.exactGradient ? cfg.goodnessPower : 1; // ffnew.m drops the 2 of d(y²)/dy
    const scale = (sign / T) * goodnessScale * dGdy;
    const pairs = P === N;
    const coef = new Float32Array(P + N);
    // Positive i and negative i together, so that for pairs the loss is summed pair by pair
    // (in the order it always was).
    for (let i = 0; i < Math.max(P, N); i++) {
      const pos = i < P;
      const neg = i < N;
      const gPos = pos ? this.goodness(g[i]) : 0;
      const gNeg = neg ? this.goodness(g[P + i]) : 0;
      const xPos = (sign * (gPos - theta)) / T;
      const xNeg = (sign * (gNeg - theta)) / T;
      if (pairs && xNeg > xPos) stats.pairErrors++;
      if (cfg.loss === 'logistic') {
        stats.ffLoss += (pos ? softplus(-xPos) : 0) + (neg ? softplus(xNeg) : 0);
        if (pos) coef[i] = -(1 - sigmoid(xPos)) * scale; // positive: raise p
        if (neg) coef[P + i] = sigmoid(xNeg) * scale; // negative: lower p
      } else {
        // SymBa: softplus(−α·s·(G⁺ − G⁻)) on the pair.
        const a = cfg.symbaAlpha;
        const d = (sign * (gPos - gNeg)) / T;
        stats.ffLoss += softplus(-a * d);
        const w = a * sigmoid(-a * d) * (sign / T) * goodnessScale * dGdy;
        coef[i] = -w;
        coef[P + i] = w;
      }
    }
    return coef;
  }

  /**
   * Descent gradient w.r.t. the total input for P + N rows of activities y (positives first),
   * with the peer-normalization push on the positive rows when `positiveColSum` (Σ_i y_ij over
   * them, read from the engine) is given — none without positive rows.
   */
  inputGradient(y: Mat, coef: Float32Array, P: number, N: number, positiveColSum: Float32Array | null): Mat {
    const e = this.engine;
    const cfg = this.cfg;
    const c = this.scratch('coef', P + N, 1);
    e.write(c, coef);
    const dz = this.scratch('dz', P + N, this.width);
    e.scaleRows(y, c, dz, cfg.goodnessPower);
    if (positiveColSum && P > 0) {
      // Pull each unit's running mean activity on positive data toward the layer's average.
      // Not gated by the ReLU, so it can revive units that are always off.
      const pm = this.peerMeans;
      let avg = 0;
      for (let j = 0; j < this.width; j++) {
        pm[j] = cfg.peerDecay * pm[j] + (1 - cfg.peerDecay) * (positiveColSum[j] / P);
        avg += pm[j];
      }
      avg /= this.width;
      const push = new Float32Array(this.width);
      for (let j = 0; j < this.width; j++) push[j] = -cfg.peerLambda * (avg - pm[j]); // descent sign
      const pv = this.scratch('peer', 1, this.width);
      e.write(pv, push);
      e.addRowVector(e.rowView(dz, 0, P), pv, 1);
    }
    return dz;
  }

  /** Σ_i y_ij over the first P rows of y, the positive ones (for peer normalization), or null when off or P = 0. */
  positiveColSum(y: Mat, P: number): Mat | null {
    if (this.cfg.peerLambda === 0 || P === 0) return null;
    const out = this.scratch('possum', 1, this.width);
    this.engine.colSum(this.engine.rowView(y, 0, P), out, 1, 0);
    return out;
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
    for (const c of this.connections) c.weight.applyAccumulated(lr, this.cfg.weightCost);
    this.bias.applyAccumulated(lr, 0);
  }

  params(): Param[] {
    return [...this.connections.map((c) => c.weight), this.bias];
  }

  private scratch(name: string, rows: number, cols: number): Mat {
    const key = `${name}:${rows}x${cols}`;
    let m = this.scratchMats.get(key);
    if (!m) this.scratchMats.set(key, (m = this.engine.zeros(rows, cols)));
    return m;
  }
}
