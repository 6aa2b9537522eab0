// Where an FF epoch's sums live on the engine (a Tally: losses and error counts, added by the
// step kernels as they run, read once when the epoch ends). One slot layout for every step —
// feed-forward, recurrent, unsupervised, sleep — so each kernel is told where to add.
import type { Engine, Tally } from '../engine/engine.js';

/** Sums over an epoch; the trainer turns them into means. */
export interface FFEpochStats {
  /** Cases learned from (known on the host: no read). */
  cases: number;
  /** The sums, on the engine. */
  readonly tally: Tally;
  readonly slots: TallySlots;
}

/** The host copy of an epoch's sums, read at its end. */
export interface FFEpochSums {
  cases: number;
  /** Per layer: Σ of the FF loss (−log p⁺ − log(1−p⁻), SymBa's pair loss, cwc's cross-entropy). */
  ffLoss: number[];
  /** Per layer: pairs where the negative case looked more positive than its positive (cwc: misclassified rows). */
  pairErrors: number[];
  /** The online softmax (neutral label) or the combined probe: Σ −log p(correct), and errors. */
  softmaxLoss: number;
  softmaxErrors: number;
  /** Unsupervised runs: per layer, training errors of the probe on that layer alone. */
  probeErrors: number[];
  /** Recurrent runs, per iteration t (index t − 1) and layer. */
  iterationLoss: number[][];
  iterationPairErrors: number[][];
}

/** Slot numbers: a (loss, errors) pair at `x` and `x + 1`. */
export class TallySlots {
  /** The head's loss and errors. */
  readonly head = 0;
  constructor(
    readonly layers: number,
    readonly iterations: number,
  ) {}
  /** Layer l's epoch loss; its errors in the next slot (kernels add to both directly). */
  layer(l: number): number {
    return 2 + 2 * l;
  }
  probeErrors(l: number): number {
    return 2 + 2 * this.layers + l;
  }
  /** A (loss, errors) pair a kernel adds one step's sums to before they are folded (scratch). */
  layerStep(l: number): number {
    return 2 + 3 * this.layers + 2 * l;
  }
  /** The single-layer probe's scratch (loss, errors). */
  get probeStep(): number {
    return 2 + 5 * this.layers;
  }
  iterationLoss(t: number, l: number): number {
    return 4 + 5 * this.layers + 2 * ((t - 1) * this.layers + l);
  }
  get size(): number {
    return 4 + 5 * this.layers + 2 * this.iterations * this.layers;
  }
}

export function emptyStats(engine: Engine, layers: number, iterations = 0): FFEpochStats {
  const slots = new TallySlots(layers, iterations);
  return { cases: 0, tally: engine.tally(slots.size), slots };
}

/** The epoch's sums (the one read an epoch makes for them). */
export async function readEpochSums(engine: Engine, stats: FFEpochStats): Promise<FFEpochSums> {
  const t = await engine.readTally(stats.tally);
  const s = stats.slots;
  const L = [...Array(s.layers).keys()];
  const T = [...Array(s.iterations).keys()];
  return {
    cases: stats.cases,
    ffLoss: L.map((l) => t[s.layer(l)]),
    pairErrors: L.map((l) => t[s.layer(l) + 1]),
    softmaxLoss: t[s.head],
    softmaxErrors: t[s.head + 1],
    probeErrors: L.map((l) => t[s.probeErrors(l)]),
    iterationLoss: T.map((i) => L.map((l) => t[s.iterationLoss(i + 1, l)])),
    iterationPairErrors: T.map((i) => L.map((l) => t[s.iterationLoss(i + 1, l) + 1])),
  };
}
