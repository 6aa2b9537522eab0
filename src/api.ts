// Convenience entry points of the library API: build an FF model from a preset and options,
// save and load it. Everything else is exported as is from index.ts.
import type { DatasetSplits } from './data/dataset.js';
import type { Engine } from './engine/engine.js';
import { getEngine } from './engine/select.js';
import { FF_DEFAULTS, type FFConfig } from './ff/config.js';
import { createFFModel, FFModel } from './ff/ff-model.js';
import { loadCheckpoint, saveCheckpoint } from './train/checkpoint.js';
import { getPreset } from './train/presets.js';
import type { TrainableModel } from './train/model.js';

export interface CreateFFOptions extends Partial<FFConfig> {
  /** Start from a preset (hinton, paper, paper-jitter, talk, quick); other fields override it. */
  preset?: string;
  engine?: Engine;
}

/** An untrained FF model sized for `data`. */
export function createFF(options: CreateFFOptions, data: DatasetSplits): FFModel {
  const { preset, engine, ...overrides } = options;
  const cfg: FFConfig = { ...FF_DEFAULTS, ...(preset ? getPreset(preset).ff : {}), dataset: data.name, ...overrides };
  return createFFModel(engine ?? getEngine(), cfg, data);
}

/** Save a model (weights, optimizer and RNG state, config) to DIR atomically. */
export async function saveModel(model: TrainableModel, dir: string, epoch = 0): Promise<void> {
  const ck = await model.toCheckpoint();
  saveCheckpoint(dir, { ...ck, state: { ...ck.state, epoch } });
}

/** Load an FF model saved by saveModel or `ff train`. */
export function loadFF(dir: string, engine: Engine = getEngine()): FFModel {
  const ck = loadCheckpoint(dir);
  if (ck.algo !== 'ff') throw new Error(`${dir} holds a ${ck.algo} model, not an FF model`);
  return FFModel.fromCheckpoint(engine, ck);
}
