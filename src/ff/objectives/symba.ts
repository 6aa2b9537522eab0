// SymBa: the symmetric loss on a pair, softplus(−α·s·(G⁺ − G⁻)/T), positive row i against
// negative row i. It needs as many positive as negative rows; θ only enters the pair errors.
import type { LayerStats } from './objective.js';
import { RowGoodnessObjective } from './row-goodness.js';
import { sigmoid, softplus } from './smooth-functions.js';

export class SymbaObjective extends RowGoodnessObjective {
  readonly name = 'symba';

  coefficients(g: Float32Array, P: number, N: number, stats: LayerStats): Float32Array {
    if (P !== N) throw new Error(`--loss symba needs as many positive as negative rows (got ${P} positive, ${N} negative): its loss is on pairs`);
    const sign = this.sign;
    const T = this.settings.temperature;
    const theta = this.layer.threshold;
    const a = this.settings.symbaAlpha;
    const coef = new Float32Array(P + N);
    for (let i = 0; i < P; i++) {
      const gPos = this.goodness(g[i]);
      const gNeg = this.goodness(g[P + i]);
      // Pair errors as the logistic objective counts them (through θ, the same rounding).
      const xPos = (sign * (gPos - theta)) / T;
      const xNeg = (sign * (gNeg - theta)) / T;
      if (xNeg > xPos) stats.pairErrors++;
      const d = (sign * (gPos - gNeg)) / T;
      stats.ffLoss += softplus(-a * d);
      const w = a * sigmoid(-a * d) * (sign / T) * this.goodnessScale * this.dGdy;
      coef[i] = -w;
      coef[P + i] = w;
    }
    return coef;
  }
}
