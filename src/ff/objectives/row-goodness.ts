// What the objectives on one goodness per row share: the goodness G of a row from the raw
// power sum the pass computed (Σ y² or Σ y, over the units or their mean), and the gradient
// made from one coefficient per row — coef_i · dG/dy_ij (y_ij for Σ y², the ReLU gate for Σ y;
// ffnew.m drops the 2 of d(y²)/dy unless exactGradient). The coefficients are the engine's
// rowCoefficients kernel (engine/step-maths.ts); subclasses name the loss.
import type { Mat, RowObjectiveOptions } from '../../engine/engine.js';
import type { LayerStats, Objective, ObjectiveLayer, ObjectiveRows, ObjectiveSettings } from './objective.js';

/** Goodness from the raw power sum of a layer of `width` units. */
export function rowGoodness(rawSum: number, reduce: 'sum' | 'mean', width: number): number {
  return reduce === 'mean' ? rawSum / width : rawSum;
}

export abstract class RowGoodnessObjective implements Objective {
  abstract readonly name: 'logistic' | 'symba';
  readonly usesPassGoodness = true;
  /** +1 when positive rows should have high goodness (max-ssq), −1 for min-ssq. */
  protected readonly sign: number;
  /** dG/d(raw sum): 1/width for a mean, 1 for a sum. */
  protected readonly goodnessScale: number;
  /** d(raw sum)/dy_ij without the y: the power, or 1 as ffnew.m has it. */
  protected readonly dGdy: number;

  constructor(
    protected readonly settings: ObjectiveSettings,
    protected readonly layer: ObjectiveLayer,
  ) {
    this.sign = settings.goodness === 'max-ssq' ? 1 : -1;
    this.goodnessScale = settings.goodnessReduce === 'mean' ? 1 / layer.width : 1;
    this.dGdy = settings.exactGradient ? settings.goodnessPower : 1; // ffnew.m drops the 2 of d(y²)/dy
  }

  /** G of a row, from its raw power sum. */
  goodness(rawSum: number): number {
    return rowGoodness(rawSum, this.settings.goodnessReduce, this.layer.width);
  }

  /** The goodness the pass computed: nothing more to measure. */
  measurement(_y: Mat, passGoodness: Mat): Mat {
    return passGoodness;
  }

  gradient(y: Mat, measured: Mat, rows: ObjectiveRows, stats: LayerStats): Mat {
    const { engine: e, width } = this.layer;
    const count = rows.positives + rows.negatives;
    const c = this.layer.scratch('coef', count, 1);
    e.rowCoefficients(measured, c, this.coefficientOptions(rows.positives, rows.negatives), stats.tally, stats.at);
    const dz = this.layer.scratch('dz', count, width);
    e.scaleRows(y, c, dz, this.settings.goodnessPower);
    return dz;
  }

  /** What the engine's rowCoefficients needs to know of this objective, for P positive then N negative rows. */
  coefficientOptions(P: number, N: number): RowObjectiveOptions {
    return {
      loss: this.name,
      positives: P,
      negatives: N,
      sign: this.sign,
      temperature: this.settings.temperature,
      threshold: this.layer.threshold,
      alpha: this.settings.symbaAlpha,
      goodnessDivisor: this.settings.goodnessReduce === 'mean' ? this.layer.width : 1,
      goodnessScale: this.goodnessScale,
      dGdy: this.dGdy,
    };
  }
}
