// How an FF net's activities are computed, chosen once from the config when the net is built:
//   feed-forward (feed-forward-dynamics.ts) — one bottom-up sweep; the step is ff-step.ts;
//   recurrent (recurrent-dynamics.ts, SPEC §4) — the sweep starts every layer's state, then synchronous
//     damped iterations with top-down input from the clamped label layer; the step is
//     recurrent-step.ts.
// The part says what state a workspace carries, which training step runs and what the epoch's
// record adds; the net (ff-net.ts) keeps the bottom-up sweep both share.
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats, FFEpochSums } from './epoch-tally.js';
import type { Batch } from './ff-step.js';
import type { Workspace } from './ff-net.js';
import type { FeedForwardDynamics } from './feed-forward-dynamics.js';
import type { RecurrentDynamics } from './recurrent-dynamics.js';

export interface NetDynamics {
  readonly kind: 'feed-forward' | 'recurrent';
  /** Iterations the epoch's tally keeps per-iteration sums for (none for one sweep). */
  readonly talliedIterations: number;
  /** A workspace's per-layer state matrices for `rows` rows (none for one sweep). */
  states(rows: number): Mat[];
  /** In the bottom-up sweep, after layer l computed y (rows [start, start+count)). */
  swept(ws: Workspace, l: number, y: Mat, start: number, count: number): void;
  /** One minibatch of training (`only`: greedy training's one layer, feed-forward only). */
  trainStep(batch: Batch, gain: number, stats: FFEpochStats, only?: number): void;
  /** What the epoch's record adds from its sums (`n`: the cases), after everything else. */
  epochRecord(sums: FFEpochSums, n: number): Record<string, number[][]>;
}

/** The two dynamics; `kind` tells them apart. */
export type Dynamics = FeedForwardDynamics | RecurrentDynamics;
