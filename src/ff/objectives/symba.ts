// SymBa: the symmetric loss on a pair, softplus(−α·s·(G⁺ − G⁻)/T), positive row i against
// negative row i. It needs as many positive as negative rows; θ only enters the pair errors.
// Its coefficients are the engine's rowCoefficients kernel (engine/step-maths.ts).
import { RowGoodnessObjective } from './row-goodness.js';

export class SymbaObjective extends RowGoodnessObjective {
  readonly name = 'symba';
}
