// Hinton's FF objective: per case, p = σ(s·(G − θ)/T) is the probability that the row is
// positive, and the loss is −log p on a positive row, −log(1 − p) on a negative one. Being per
// case, it takes any numbers of positive and negative rows (a sleep phase: one kind alone).
// Its coefficients are the engine's rowCoefficients kernel (engine/step-maths.ts).
import { RowGoodnessObjective } from './row-goodness.js';

export class LogisticObjective extends RowGoodnessObjective {
  readonly name = 'logistic';
}
