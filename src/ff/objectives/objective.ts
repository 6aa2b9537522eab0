// The FF layer objective as a part: what a layer is trained to do with its own activities.
// A layer hands its objective the activities of the rows it learns from (positive rows first,
// then negative rows) and what the objective asked to read of them; the objective returns the
// descent gradient at the layer's total input and adds its loss and errors to the statistics.
// Everything else of the layer rule stays the layer's: peer normalization, the gradient of
// every connection, the update. Logistic FF and SymBa (one goodness per row) are two such
// objectives; objectives that score class channel groups (one goodness per group, no negative
// rows, per-layer logits) fit the same interface.
import type { Engine, Mat, Tally } from '../../engine/engine.js';

/** The objectives there are (the config's `loss`). */
export type ObjectiveName = 'logistic' | 'symba' | 'cwc';

export type GoodnessSign = 'max-ssq' | 'min-ssq';

/** Where an update adds its loss (slot `at` of the tally) and its errors (slot at + 1). */
export interface LayerStats {
  tally: Tally;
  at: number;
}

/**
 * The rows an update learns from: P positive rows directly followed by N negative rows (either
 * count may be 0: a sleep phase). An objective that needs the rows' labels will find them here.
 */
export interface ObjectiveRows {
  readonly positives: number;
  readonly negatives: number;
  /** The positive rows' labels on the engine, positives × 1 (objectives that score classes need them). */
  readonly labels?: Mat;
}

/**
 * How an objective uses negative rows: 'per-case' — each row is its own case, any P and N;
 * 'paired' — positive i with negative i, so P = N; 'none' — it learns from positive rows alone
 * (a step for it needs no negative pass).
 */
export type NegativeUse = 'per-case' | 'paired' | 'none';

/** The config's goodness and objective settings (FFConfig has them all). */
export interface ObjectiveSettings {
  readonly loss: ObjectiveName;
  readonly goodness: GoodnessSign;
  /** Σ y² (2) or Σ y (1). */
  readonly goodnessPower: 1 | 2;
  readonly goodnessReduce: 'sum' | 'mean';
  readonly temperature: number;
  readonly symbaAlpha: number;
  /** Keep the factor 2 of d(y²)/dy (ffnew.m drops it). */
  readonly exactGradient: boolean;
}

/** What an objective knows of its layer. */
export interface ObjectiveLayer {
  readonly engine: Engine;
  readonly width: number;
  /** θ. */
  readonly threshold: number;
  /** Units per position: a conv layer's channels; a dense layer's width (one position). */
  readonly channels: number;
  /** Classes of the task (objectives that give each class a group of channels). */
  readonly numClasses: number;
  /** A matrix of the layer's, kept from one update to the next (its contents are not). */
  scratch(name: string, rows: number, cols: number): Mat;
}

export interface Objective {
  readonly name: ObjectiveName;
  /** It reads the goodness the pass computes per row (a pass may skip it otherwise). */
  readonly usesPassGoodness: boolean;
  /**
   * What the objective measures of the learned rows (one row per learned row), from their
   * activities y and the goodness the pass already computed (rows × 1): a row-goodness
   * objective returns the pass's goodness; a channel-group objective sums its groups into a
   * matrix of its own. Classifiers read it; training hands it to `gradient` on the engine.
   */
  measurement(y: Mat, passGoodness: Mat): Mat;
  /**
   * The descent gradient of the loss w.r.t. the layer's total input for the learned rows
   * (ReLU-gated through y), from y and `measured` (its measurement, on the engine); the loss
   * and the errors are added to the tally. Nothing is read back. Returns a scratch matrix of
   * the layer (rows × width).
   */
  gradient(y: Mat, measured: Mat, rows: ObjectiveRows, stats: LayerStats): Mat;
}
