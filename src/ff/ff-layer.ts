// FF's layer rule on a learnable stage (stages/layer.ts): goodness → p = σ(s·(G − θ)/T) →
// per-case coefficients → descent gradient at the layer's input (+ peer push) → gradient of
// every connection → update. Every FF network (feed-forward, recurrent) uses this one rule; the
// network only decides which states feed which connection, and when. The connections, the
// forward, the gradient accumulation and backprop's backward are the stage's, shared with BP.
import type { Engine, Mat } from '../engine/engine.js';
import type { Rng } from '../engine/rng.js';
import { Layer, type IncomingSpec } from '../stages/layer.js';
import { thresholdFor, type FFConfig } from './config.js';

export type { Connection, IncomingSpec, SourceKind } from '../stages/layer.js';

/** Sums over an epoch, per layer; the model turns them into means. */
export interface LayerStats {
  ffLoss: number;
  pairErrors: number;
}

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export class FFLayer extends Layer {
  /** Peer normalization: running mean activity of each unit on positive data. */
  readonly peerMeans: Float32Array;
  readonly threshold: number;

  constructor(
    engine: Engine,
    readonly cfg: FFConfig,
    index: number,
    width: number,
    incoming: IncomingSpec[],
    rng: Rng,
  ) {
    super(engine, cfg, index, width, incoming, rng);
    this.peerMeans = new Float32Array(width).fill(cfg.peerInit);
    this.threshold = thresholdFor(cfg, width);
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
}
