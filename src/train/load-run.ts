// Open a trained run directory as a model, whatever algorithm trained it.
import type { Engine } from '../engine/engine.js';
import { getAlgorithm } from './algorithms.js';
import { loadCheckpoint } from './checkpoint.js';
import type { TrainableModel } from './model.js';

export interface LoadedRun {
  model: TrainableModel;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
}

export function loadRun(engine: Engine, dir: string): LoadedRun {
  const ck = loadCheckpoint(dir);
  return { model: getAlgorithm(ck.algo).fromCheckpoint(engine, ck), config: ck.config, state: ck.state };
}
