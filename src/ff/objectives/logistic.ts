// Hinton's FF objective: per case, p = σ(s·(G − θ)/T) is the probability that the row is
// positive, and the loss is −log p on a positive row, −log(1 − p) on a negative one. Being per
// case, it takes any numbers of positive and negative rows (a sleep phase: one kind alone).
import type { LayerStats } from './objective.js';
import { RowGoodnessObjective } from './row-goodness.js';
import { sigmoid, softplus } from './smooth-functions.js';

export class LogisticObjective extends RowGoodnessObjective {
  readonly name = 'logistic';

  coefficients(g: Float32Array, P: number, N: number, stats: LayerStats): Float32Array {
    const sign = this.sign;
    const T = this.settings.temperature;
    const theta = this.layer.threshold;
    const scale = (sign / T) * this.goodnessScale * this.dGdy;
    const pairs = P === N;
    const coef = new Float32Array(P + N);
    // Positive i and negative i together, so that the loss is summed pair by pair (in the
    // order it always was); pair errors are counted only when the rows make pairs.
    for (let i = 0; i < Math.max(P, N); i++) {
      const pos = i < P;
      const neg = i < N;
      const gPos = pos ? this.goodness(g[i]) : 0;
      const gNeg = neg ? this.goodness(g[P + i]) : 0;
      const xPos = (sign * (gPos - theta)) / T;
      const xNeg = (sign * (gNeg - theta)) / T;
      if (pairs && xNeg > xPos) stats.pairErrors++;
      stats.ffLoss += (pos ? softplus(-xPos) : 0) + (neg ? softplus(xNeg) : 0);
      if (pos) coef[i] = -(1 - sigmoid(xPos)) * scale; // positive: raise p
      if (neg) coef[P + i] = sigmoid(xNeg) * scale; // negative: lower p
    }
    return coef;
  }
}
