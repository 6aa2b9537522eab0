// The objectives by name (the config's `loss`), with what each needs of a training step.
import { ChannelGroupObjective } from './channel-groups.js';
import { LogisticObjective } from './logistic.js';
import type { NegativeUse, Objective, ObjectiveLayer, ObjectiveName, ObjectiveSettings } from './objective.js';
import { SymbaObjective } from './symba.js';

interface ObjectiveKind {
  readonly negatives: NegativeUse;
  make(settings: ObjectiveSettings, layer: ObjectiveLayer): Objective;
}

const KINDS: Record<ObjectiveName, ObjectiveKind> = {
  logistic: { negatives: 'per-case', make: (s, l) => new LogisticObjective(s, l) },
  symba: { negatives: 'paired', make: (s, l) => new SymbaObjective(s, l) },
  cwc: { negatives: 'none', make: (s, l) => new ChannelGroupObjective(s, l) },
};

/** Every objective's name, in the order options list them. */
export const OBJECTIVE_NAMES = Object.keys(KINDS) as ObjectiveName[];

function kind(name: string): ObjectiveKind {
  if (!Object.hasOwn(KINDS, name)) throw new Error(`unknown layer objective '${name}' (--loss is one of ${OBJECTIVE_NAMES.join(', ')})`);
  return KINDS[name as ObjectiveName];
}

/** How the objective `name` uses negative rows (what a step must give it). */
export function negativeUse(name: string): NegativeUse {
  return kind(name).negatives;
}

/** The objective the settings name, for one layer. */
export function objectiveFor(settings: ObjectiveSettings, layer: ObjectiveLayer): Objective {
  return kind(settings.loss).make(settings, layer);
}
