// Receptive fields of a locally-connected first layer as a PNG, and their learned change: the
// drawing itself (each unit's window at its place on the image) is local-field-drawing.ts's,
// shared with the explorer.
import type { Engine } from '../engine/engine.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { drawLocalFields, localFieldWeightsFromCheckpoint, type LocalFieldsLayout, type LocalFieldsOptions, type LocalFieldWeights } from './local-field-drawing.js';
import { initialTensors } from './fields.js';
import { encodePng, type Raster } from './png.js';

export {
  drawLocalFields,
  localFieldWeightsFromCheckpoint,
  localUnitAt,
  OUTSIDE_WINDOW_COLOR,
  pickLocalUnits,
  unitsAtLocations,
  isLocalCheckpoint,
  type LocalFieldsLayout,
  type LocalFieldsOptions,
  type LocalFieldWeights,
  type LocalUnit,
} from './local-field-drawing.js';

/** The same weights minus their initial values (regenerated from the run's config and seed). */
export async function localLearnedChange(ck: Checkpoint, lf: LocalFieldWeights, engine: Engine): Promise<LocalFieldWeights> {
  const init = localFieldWeightsFromCheckpoint({ ...ck, tensors: await initialTensors(ck, engine) });
  return { ...lf, data: lf.data.map((w, i) => w - init.data[i]) };
}

/** Draw each unit's window at its place on the image grid, and the drawing as PNG bytes. Throws a one-line error for bad options. */
export function renderLocalFields(lf: LocalFieldWeights, opts: LocalFieldsOptions): { png: Buffer; raster: Raster; layout: LocalFieldsLayout } {
  const { raster, layout } = drawLocalFields(lf, opts);
  return { png: encodePng(raster), raster, layout };
}
