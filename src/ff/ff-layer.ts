// FF's layer rule on a learnable stage (stages/layer.ts): the layer's objective (objectives/:
// logistic FF, SymBa) turns its activities into the descent gradient at its input → + peer
// push → gradient of every connection → update. Every FF network (feed-forward, recurrent)
// uses this one rule; the network only decides which states feed which connection, and when. The connections, the
// forward, the gradient accumulation and backprop's backward are the stage's, shared with BP.
import type { Engine, Mat } from '../engine/engine.js';
import type { Rng } from '../engine/rng.js';
import { Layer, type IncomingSpec } from '../stages/layer.js';
import type { NetStages } from '../stages/net-stages.js';
import { thresholdFor, type FFConfig } from './config.js';
import type { LayerStats, Objective, ObjectiveRows } from './objectives/objective.js';
import { objectiveFor } from './objectives/registry.js';
import { rowGoodness } from './objectives/row-goodness.js';

export type { Connection, IncomingSpec, SourceKind } from '../stages/layer.js';
export type { LayerStats } from './objectives/objective.js';

export class FFLayer extends Layer {
  /** Peer normalization: running mean activity of each unit on positive data (1 × width, on the engine). */
  readonly peerMeans: Mat;
  readonly threshold: number;
  /** What the layer learns to do with its activities (the config's `loss`). */
  readonly objective: Objective;

  constructor(
    engine: Engine,
    readonly cfg: FFConfig,
    index: number,
    width: number,
    incoming: IncomingSpec[],
    rng: Rng,
    /** Classes of the task (objectives that score classes need it). */
    numClasses = 10,
  ) {
    super(engine, cfg, index, width, incoming, rng);
    this.peerMeans = engine.fromArray(new Float32Array(width).fill(cfg.peerInit), 1, width);
    this.threshold = thresholdFor(cfg, width);
    const scratch = (name: string, rows: number, cols: number) => this.scratch(name, rows, cols);
    this.objective = objectiveFor(cfg, { engine, width, channels: this.biasWidth, numClasses, threshold: this.threshold, scratch });
  }

  /** Goodness as the config defines it, from the raw power sum of the layer's activities. */
  goodness(rawSum: number): number {
    return rowGoodness(rawSum, this.cfg.goodnessReduce, this.width);
  }

  /**
   * Descent gradient w.r.t. the total input for the learned rows' activities y (positives
   * first): the objective's, from `measured` (its measurement, on the engine), its loss and
   * errors into the tally; plus the peer-normalization push on the positive rows when
   * `positiveColSum` (Σ_i y_ij over them) is given — none without them. With dropout, y is the
   * dropped output (rows of the step from `dropped.firstRow`): the objective's gradient goes
   * back through the same mask and 1/(1−p); the peer push, like the ReLU, it bypasses.
   */
  inputGradient(y: Mat, measured: Mat, rows: ObjectiveRows, positiveColSum: Mat | null, stats: LayerStats, dropped?: { chip: NetStages; firstRow: number }): Mat {
    const e = this.engine;
    const cfg = this.cfg;
    const P = rows.positives;
    const dz = this.objective.gradient(y, measured, rows, stats);
    if (dropped) this.dropoutBackward(dz, dropped.chip, dropped.firstRow);
    if (positiveColSum && P > 0) {
      // Pull each unit's running mean activity on positive data toward the layer's average.
      // Not gated by the ReLU, so it can revive units that are always off.
      const pv = this.scratch('peer', 1, this.width);
      e.peerPush(positiveColSum, this.peerMeans, pv, { rows: P, decay: cfg.peerDecay, lambda: cfg.peerLambda });
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
