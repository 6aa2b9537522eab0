// The first-layer filters of a convolutional run as a PNG, and their learned change: the drawing
// itself (what it shows, how it is laid out) is conv-filter-drawing.ts's, shared with the explorer.
import type { Engine } from '../engine/engine.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { convFiltersFromCheckpoint, drawConvFilters, type ConvFilters, type ConvFiltersLayout, type ConvFiltersOptions } from './conv-filter-drawing.js';
import { initialTensors } from './fields.js';
import { encodePng, type Raster } from './png.js';

export { convFiltersFromCheckpoint, drawConvFilters, filterWeight, isConvCheckpoint, type ConvFilters, type ConvFiltersLayout, type ConvFiltersOptions } from './conv-filter-drawing.js';

/** The same filters minus their initial values (regenerated from the run's config and seed). */
export async function convLearnedChange(ck: Checkpoint, f: ConvFilters, engine: Engine): Promise<ConvFilters> {
  const init = convFiltersFromCheckpoint({ ...ck, tensors: await initialTensors(ck, engine) });
  return { ...f, data: f.data.map((w, i) => w - init.data[i]) };
}

/** Draw every output channel's filter, and the drawing as PNG bytes. Throws a one-line error for bad options. */
export function renderConvFilters(f: ConvFilters, opts: ConvFiltersOptions = {}): { png: Buffer; raster: Raster; layout: ConvFiltersLayout } {
  const { raster, layout } = drawConvFilters(f, opts);
  return { png: encodePng(raster), raster, layout };
}
