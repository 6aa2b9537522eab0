// What the objectives on one goodness per row share: the goodness G of a row from the raw
// power sum the pass computed (Σ y² or Σ y, over the units or their mean), and the gradient
// made from one coefficient per row — coef_i · dG/dy_ij (y_ij for Σ y², the ReLU gate for Σ y;
// ffnew.m drops the 2 of d(y²)/dy unless exactGradient). Subclasses give the coefficients.
import type { Mat } from '../../engine/engine.js';
import type { LayerStats, Objective, ObjectiveLayer, ObjectiveName, ObjectiveRows, ObjectiveSettings } from './objective.js';

/** Goodness from the raw power sum of a layer of `width` units. */
export function rowGoodness(rawSum: number, reduce: 'sum' | 'mean', width: number): number {
  return reduce === 'mean' ? rawSum / width : rawSum;
}

export abstract class RowGoodnessObjective implements Objective {
  abstract readonly name: ObjectiveName;
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

  gradient(y: Mat, measured: Float32Array, rows: ObjectiveRows, stats: LayerStats): Mat {
    const { engine: e, width } = this.layer;
    const count = rows.positives + rows.negatives;
    const coef = this.coefficients(measured, rows.positives, rows.negatives, stats);
    const c = this.layer.scratch('coef', count, 1);
    e.write(c, coef);
    const dz = this.layer.scratch('dz', count, width);
    e.scaleRows(y, c, dz, this.settings.goodnessPower);
    return dz;
  }

  /**
   * Per-row coefficients of the descent gradient w.r.t. the total input (coef_i · y_ij) from
   * the raw goodness of P positive rows then N negative rows; loss and pair errors into stats.
   */
  abstract coefficients(g: Float32Array, P: number, N: number, stats: LayerStats): Float32Array;
}
