// The linear heads on an FF net's normalized hidden states, chosen once from the config when
// the net is built:
//   softmax (softmax-head.ts) — supervised runs: Hinton's online softmax on the softmax layers,
//     whose probabilities the negative source may draw negative labels from;
//   probes (probe-heads.ts) — unsupervised runs (hybrid negatives, SPEC §3): a linear probe on
//     the probe layers together and one on each alone; they pick no negatives.
// Layers that score classes themselves (cwc) have no head unless one is asked for.
import type { Engine, Mat } from '../engine/engine.js';
import { Param } from '../train/optimizer.js';
import { resolveLayerList, resolveProbeLayers, type FFConfig } from './config.js';
import type { FFEpochStats, FFEpochSums } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';
import { negativeUse } from './objectives/registry.js';
import { ProbeHeads } from './probe-heads.js';
import { SoftmaxHead } from './softmax-head.js';

export interface Heads {
  readonly kind: 'softmax' | 'probes';
  /** 0-based hidden layers the heads read. */
  readonly layers: number[];
  /** Weights from hidden layer l (null where l is not read): the softmax, or the combined probe. */
  readonly combined: (Param | null)[];
  /** Probes: a probe on hidden layer l alone (null elsewhere, and all null for the softmax). */
  readonly alone: (Param | null)[];
  /**
   * One online step on the normalized states of rows [start, start+B) of a pass without the
   * true label (layers below `upTo`; `labels` on the engine, B × 1): the head's probabilities
   * from before the update for the negative source, or null (no head yet, or probes).
   */
  step(net: FFNet, ws: Workspace, start: number, labels: Mat, gain: number, stats: FFEpochStats, upTo?: number): Mat | null;
  /** The head's part of the epoch's record (`n`: the cases). */
  epochRecord(sums: FFEpochSums, n: number): Record<string, number | number[]>;
}

/** The hidden layers the heads read (what --softmax-layers or --probe-layers say). */
export function headLayersFor(cfg: FFConfig): number[] {
  // Layers that score classes themselves (cwc) need no head: one only when asked for.
  const headless = negativeUse(cfg.loss) === 'none' && cfg.softmaxLayers === null;
  return cfg.negativeData === 'hybrid'
    ? resolveProbeLayers(cfg.probeLayers, cfg.layers.length)
    : headless
      ? []
      : resolveLayerList(cfg.softmaxLayers, cfg.layers.length, 'softmax-layers');
}

/**
 * The heads on `layers` of hidden layers whose normalized states have `widths` values (zero
 * weights: they draw nothing from the RNG).
 */
export function headsFor(engine: Engine, cfg: FFConfig, layers: number[], widths: number[], numClasses: number): Heads {
  const probes = cfg.negativeData === 'hybrid';
  const combined: (Param | null)[] = [];
  const alone: (Param | null)[] = [];
  widths.forEach((width, l) => {
    const head = layers.includes(l);
    const name = probes ? `probe${l + 1}.weight` : `softmax${l + 1}.weight`;
    combined.push(head ? new Param(name, engine.zeros(width, numClasses), engine, cfg) : null);
    alone.push(head && probes ? new Param(`probe${l + 1}.alone.weight`, engine.zeros(width, numClasses), engine, cfg) : null);
  });
  return probes ? new ProbeHeads(layers, combined, alone) : new SoftmaxHead(layers, combined, alone);
}
