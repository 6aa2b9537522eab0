// Unsupervised runs' heads: the linear probes (linear-probe.ts) on the probe layers, together
// ('probe') and each alone ('probe-layerK'). They learn online and pick no negatives.
import type { Mat } from '../engine/engine.js';
import type { Param } from '../train/optimizer.js';
import type { FFEpochStats, FFEpochSums } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';
import { probeStep } from './linear-probe.js';
import type { Heads } from './heads.js';

export class ProbeHeads implements Heads {
  readonly kind = 'probes';

  constructor(
    readonly layers: number[],
    readonly combined: (Param | null)[],
    readonly alone: (Param | null)[],
  ) {}

  step(net: FFNet, ws: Workspace, start: number, labels: Mat, gain: number, stats: FFEpochStats, upTo?: number): null {
    return probeStep(net, ws, start, labels, gain, stats, upTo);
  }

  epochRecord(s: FFEpochSums, n: number): Record<string, number | number[]> {
    return { probeLoss: s.softmaxLoss / n, probeTrainError: s.softmaxErrors / n, probeTrainErrorByLayer: this.layers.map((l) => s.probeErrors[l] / n) };
  }
}
