// Open a trained run directory as a model, whatever algorithm trained it.
import type { Engine } from '../engine/engine.js';
import type { InputShape } from '../train/run-config.js';
import { algorithmNames, getAlgorithm } from './algorithms.js';
import { checkpointWarnings, loadCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import type { TrainableModel } from '../train/model.js';
import { isAnalog, type AnalogSettings } from '../stages/analog-device.js';
import { BEFORE_STAGES } from '../stages/net-stages.js';
import { checkTestWindow } from '../ff/ff-model.js';

export interface LoadedRun {
  model: TrainableModel;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
  /** Input size and class count (checked when the model was rebuilt). */
  shape: InputShape;
  /** One-line notices for the user, e.g. a checkpoint that carried no checksum to verify. */
  warnings: string[];
}

export interface LoadOptions {
  /** Run the learned weights on this simulated chip instead of the one they were trained on. */
  device?: number;
  /** Recurrent FF: the iterations the goodness classifier averages over, instead of the run's. */
  testFrom?: number;
  testTo?: number;
}

export function loadRun(engine: Engine, dir: string, o: LoadOptions = {}): LoadedRun {
  const ck = loadCheckpoint(dir);
  let config = ck.config;
  if (o.device !== undefined) {
    if (!isAnalog({ ...BEFORE_STAGES, ...config } as unknown as AnalogSettings)) throw new Error(`--device: ${dir} was not trained on a simulated analog chip (no --analog-* options)`);
    config = { ...config, device: o.device };
  }
  if (o.testFrom !== undefined || o.testTo !== undefined) config = { ...config, ...testWindow(dir, ck, o) };
  return rebuildRun(engine, config === ck.config ? ck : { ...ck, config });
}

/** The averaging window a user asked for, checked against the run (one-line errors). */
function testWindow(dir: string, ck: Checkpoint, o: LoadOptions): { testFrom: number; testTo: number } {
  if (ck.algo !== 'ff' || ck.config.architecture !== 'recurrent') {
    throw new Error(`--test-from/--test-to: ${dir} is not a recurrent FF run (only its goodness classifier averages over iterations)`);
  }
  const testFrom = o.testFrom ?? Number(ck.config.testFrom);
  const testTo = o.testTo ?? Number(ck.config.testTo);
  checkTestWindow(testFrom, testTo, Number(ck.config.iterations), "the run's iterations");
  return { testFrom, testTo };
}

/** The model of a decoded checkpoint (the in-memory half of loadRun). */
export function rebuildRun(engine: Engine, ck: Checkpoint): LoadedRun {
  if (!algorithmNames().includes(ck.algo)) {
    throw new Error(`${ck.source}: unknown algorithm '${ck.algo}' (this version knows ${algorithmNames().join(', ')})`);
  }
  let model: TrainableModel;
  try {
    model = getAlgorithm(ck.algo).fromCheckpoint(engine, ck);
  } catch (e) {
    // A config the model refuses ("layer 9 does not exist") is a fault of this file: say which.
    const where = ck.source ?? 'checkpoint';
    if (e instanceof Error && e.name === 'Error' && !e.message.includes(where)) throw new Error(`${where}: ${e.message}`);
    throw e;
  }
  return { model, config: ck.config, state: ck.state, shape: ck.state.shape as InputShape, warnings: checkpointWarnings(ck) };
}
