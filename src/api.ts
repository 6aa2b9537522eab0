// Convenience entry points of the library API (Node): build an FF model from a preset and
// options, save and load it in a run directory or any run store. Everything else is exported
// as is from index.ts; core.ts is the same library without Node (for browsers).
import type { DatasetSplits } from './data/dataset.js';
import type { Engine } from './engine/engine.js';
import { getEngine } from './engine/select.js';
import { FF_DEFAULTS, type FFConfig } from './ff/config.js';
import { createFFModel, FFModel } from './ff/ff-model.js';
import { arithmeticSettings } from './train/blas-threads.js';
import { readCheckpoint, writeCheckpoint } from './train/checkpoint-format.js';
import { getPreset } from './experiments/presets.js';
import { unusedOptionProblem } from './experiments/unused-options.js';
import { checkDataShape, checkKnownOptions } from './train/api-checks.js';
import { FF_OPTION_SPECS } from './ff/options.js';
import { messageValue } from './util/message-value.js';
import type { TrainableModel } from './train/model.js';
import { NodeRunStore } from './train/node-run-store.js';
import type { RunStore } from './train/run-store.js';

export interface CreateFFOptions extends Partial<FFConfig> {
  /** Start from a preset (hinton, paper, paper-jitter, talk, quick); other fields override it. */
  preset?: string;
  engine?: Engine;
}

/**
 * An untrained FF model sized for `data`. Every option is checked against the table `ff train`
 * parses with (types and ranges, one-line errors; api-checks.ts), and an option that would do
 * nothing for this data is refused as on the command line (experiments/unused-options.ts).
 */
export function createFF(options: CreateFFOptions, data: DatasetSplits): FFModel {
  if (options === null || typeof options !== 'object') throw new Error(`createFF: options must be an object, got ${options === null ? 'null' : typeof options}`);
  checkDataShape(data, 'createFF');
  const { preset, engine, ...overrides } = options;
  const cfg: FFConfig = { ...FF_DEFAULTS, ...(preset !== undefined ? getPreset(preset).ff : {}), dataset: data.name, ...overrides };
  checkKnownOptions(Object.keys(overrides), FF_OPTION_SPECS, 'createFF');
  const unused = unusedOptionProblem(Object.keys(overrides), cfg as unknown as Record<string, unknown>, (k) => k);
  if (unused) throw new Error(`createFF: ${unused}`);
  return createFFModel(engine ?? getEngine(), cfg, data);
}

/** Save a model (weights, optimizer and RNG state, config) to a directory (atomically) or a store. */
export async function saveModel(model: TrainableModel, where: string | RunStore, epoch = 0): Promise<void> {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`saveModel: epoch must be an integer ≥ 0, got ${typeof epoch === 'number' ? epoch : messageValue(epoch)}`);
  const store = storeFor(where, 'saveModel');
  const ck = await model.toCheckpoint();
  writeCheckpoint(store, { ...ck, state: { ...ck.state, epoch, ...arithmeticSettings(model.engine) } });
}

/** Load an FF model saved by saveModel or `ff train`. */
export function loadFF(where: string | RunStore, engine: Engine = getEngine()): FFModel {
  const store = storeFor(where, 'loadFF');
  const ck = readCheckpoint(store);
  if (ck.algo !== 'ff') throw new Error(`${store.location} holds a ${ck.algo} model, not an FF model`);
  return FFModel.fromCheckpoint(engine, ck);
}

function storeFor(where: string | RunStore, what: string): RunStore {
  if (typeof where === 'string' && where !== '') return new NodeRunStore(where);
  const store = where as Partial<RunStore> | null;
  if (typeof where !== 'object' || !store || typeof store.read !== 'function' || typeof store.write !== 'function') {
    throw new Error(`${what}: give a run directory (a non-empty path) or a RunStore, got ${where === '' ? 'an empty path' : where === null ? 'null' : typeof where}`);
  }
  return where;
}
