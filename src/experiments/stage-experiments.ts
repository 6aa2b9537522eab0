// The black-box and analog-device experiments (SPEC §7, `ff experiment`), as data: each is a
// list of member runs — FF and backprop on the same net description, differing only in the
// stages (src/stages) and in backprop's model of the box — plus how the members are compared.
import type { BPConfig } from '../bp/config.js';
import type { FFConfig } from '../ff/config.js';

export type MemberConfig = Partial<FFConfig> & Partial<BPConfig>;

export interface StageMember {
  /** Sub-directory of the run, e.g. 'bp-oracle'. */
  key: string;
  /** The table's row. */
  label: string;
  algo: 'ff' | 'bp';
  config: MemberConfig;
  /** Distillation: learns from this member's outputs (soft targets) on its own chip instead of the labels. */
  teacher?: string;
}

export interface StageExperiment {
  name: string;
  description: string;
  /** Shared by every member (both algorithms). */
  base: MemberConfig;
  members: StageMember[];
  /** Chips every member is also evaluated on, with the weights it learned (analog: device B). */
  evalDevices: number[];
}

/** A box between hidden layers 1 and 2; drift makes it a random walk of about its own size over the run. */
function blackbox(epochs: number, layers: number[], drift: number, quick: boolean): StageExperiment {
  const box = { boxAfter: 1 };
  const drifting = { boxAfter: 1, boxDrift: drift };
  const bp = (model: BPConfig['boxModel'], cfg: MemberConfig) => ({ ...cfg, boxModel: model });
  return {
    name: quick ? 'blackbox-quick' : 'blackbox',
    description:
      `MNIST, ${layers.join('-')} ReLU, ${epochs} epochs; a black box (fixed random ${layers[0]}×${layers[0]} matrix + ReLU) between hidden layers 1 and 2, ` +
      `fixed or drifting (random-walk step ${drift} × its std per minibatch); FF learns around it, BP needs a model of its backward`,
    base: { dataset: 'mnist', layers, epochs, evalEvery: 1, evalSubset: quick ? 2000 : 0 },
    evalDevices: [],
    members: [
      { key: 'ff-nobox', label: 'FF, no box', algo: 'ff', config: {} },
      { key: 'bp-nobox', label: 'BP, no box', algo: 'bp', config: {} },
      { key: 'ff-box', label: 'FF, fixed box', algo: 'ff', config: box },
      { key: 'bp-oracle', label: 'BP, fixed box, oracle derivative', algo: 'bp', config: bp('oracle', box) },
      { key: 'bp-identity', label: 'BP, fixed box, taken for the identity', algo: 'bp', config: bp('identity', box) },
      { key: 'bp-learned', label: 'BP, fixed box, learned model', algo: 'bp', config: bp('learned', box) },
      { key: 'ff-drift', label: 'FF, drifting box', algo: 'ff', config: drifting },
      { key: 'bp-oracle-drift', label: 'BP, drifting box, oracle derivative', algo: 'bp', config: bp('oracle', drifting) },
      { key: 'bp-identity-drift', label: 'BP, drifting box, taken for the identity', algo: 'bp', config: bp('identity', drifting) },
      { key: 'bp-stale-drift', label: 'BP, drifting box, stale matrix', algo: 'bp', config: bp('stale', drifting) },
      { key: 'bp-learned-drift', label: 'BP, drifting box, learned model', algo: 'bp', config: bp('learned', drifting) },
    ],
  };
}

/**
 * Chip 1 (A): fixed weight variation 30 %, gain variation 20 %, 10 % multiplicative and 0.1
 * additive noise on every total input and 5 % on every weight at every pass, slow drift.
 * Chip 2 (B) is another chip of the same kind.
 */
const CHIP = { analogVariation: 0.3, analogGain: 0.2, analogMulNoise: 0.1, analogAddNoise: 0.1, analogWeightNoise: 0.05, analogDrift: 0.001 };

function analog(epochs: number, layers: number[], quick: boolean): StageExperiment {
  const onB = { ...CHIP, device: 2 };
  return {
    name: quick ? 'analog-quick' : 'analog',
    description:
      `MNIST, ${layers.join('-')} ReLU, ${epochs} epochs on simulated analog chips (weight variation ${CHIP.analogVariation}, gain ${CHIP.analogGain}, ` +
      `input noise ×${CHIP.analogMulNoise} +${CHIP.analogAddNoise}, weight noise ${CHIP.analogWeightNoise}, drift ${CHIP.analogDrift}/step); ` +
      'trained on chip A (1), evaluated on A and on B (2) with the same weights, and distilled onto B from A’s outputs',
    base: { dataset: 'mnist', layers, epochs, evalEvery: 1, evalSubset: quick ? 2000 : 0 },
    evalDevices: [1, 2],
    members: [
      { key: 'ff-digital', label: 'FF, ideal digital', algo: 'ff', config: {} },
      { key: 'bp-digital', label: 'BP, ideal digital', algo: 'bp', config: {} },
      { key: 'ff-chip-a', label: 'FF, trained on chip A', algo: 'ff', config: CHIP },
      { key: 'bp-chip-a', label: 'BP, trained on chip A', algo: 'bp', config: CHIP },
      { key: 'ff-chip-b-distilled', label: 'FF, distilled onto chip B from A', algo: 'ff', config: onB, teacher: 'ff-chip-a' },
      { key: 'bp-chip-b-distilled', label: 'BP, distilled onto chip B from A', algo: 'bp', config: onB, teacher: 'bp-chip-a' },
    ],
  };
}

export const STAGE_EXPERIMENTS: Record<string, (quick: boolean) => StageExperiment> = {
  // Full: 784-1000-1000-1000, 20 epochs (our choice: the talk gives no protocol); quick: 3 × 500, 4 epochs.
  blackbox: (quick) => (quick ? blackbox(4, [500, 500, 500], 0.02, true) : blackbox(20, [1000, 1000, 1000], 0.01, false)),
  analog: (quick) => (quick ? analog(4, [500, 500, 500], true) : analog(20, [1000, 1000, 1000], false)),
};

export function getStageExperiment(name: string, quick: boolean): StageExperiment {
  const make = Object.hasOwn(STAGE_EXPERIMENTS, name) ? STAGE_EXPERIMENTS[name] : undefined;
  if (!make) throw new Error(`unknown experiment '${name}' (choose ${Object.keys(STAGE_EXPERIMENTS).join(', ')})`);
  return make(quick);
}
