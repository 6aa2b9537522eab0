// Supervised runs' head: the online softmax (softmax-step.ts) on the softmax layers.
import type { Mat } from '../engine/engine.js';
import type { Param } from '../train/optimizer.js';
import type { FFEpochStats, FFEpochSums } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';
import { softmaxStep } from './softmax-step.js';
import type { Heads } from './heads.js';

export class SoftmaxHead implements Heads {
  readonly kind = 'softmax';

  constructor(
    readonly layers: number[],
    readonly combined: (Param | null)[],
    readonly alone: (Param | null)[],
  ) {}

  step(net: FFNet, ws: Workspace, start: number, labels: Mat, gain: number, stats: FFEpochStats, upTo?: number): Mat | null {
    return softmaxStep(net, ws, start, labels, gain, stats, upTo);
  }

  epochRecord(s: FFEpochSums, n: number): Record<string, number | number[]> {
    return { softmaxLoss: s.softmaxLoss / n, softmaxTrainError: s.softmaxErrors / n };
  }
}
