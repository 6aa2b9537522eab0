// Feed-forward dynamics: each layer reads the one below, one bottom-up sweep computes every
// activity, and a minibatch trains by ffTrainStep (ff-step.ts). The workspace carries no state.
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats } from './epoch-tally.js';
import type { FFNet } from './ff-net.js';
import { ffTrainStep, type Batch } from './ff-step.js';
import type { NetDynamics } from './dynamics.js';

export class FeedForwardDynamics implements NetDynamics {
  readonly kind = 'feed-forward';
  readonly talliedIterations = 0;

  constructor(private readonly net: FFNet) {}

  states(): Mat[] {
    return [];
  }

  swept(): void {}

  trainStep(batch: Batch, gain: number, stats: FFEpochStats, only?: number): void {
    ffTrainStep(this.net, batch, gain, stats, only);
  }

  epochRecord(): Record<string, number[][]> {
    return {};
  }
}
