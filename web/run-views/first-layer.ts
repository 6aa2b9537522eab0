// The first layer's picture for nets whose first layer is not dense: a conv net's filters and an
// LC net's receptive windows, drawn by the library functions ff show-fields uses.
import type { Checkpoint } from '../../src/core.js';
import { convFiltersFromCheckpoint, drawConvFilters, isConvCheckpoint } from '../../src/viz/conv-filter-drawing.js';
import { drawLocalFields, isLocalCheckpoint, localFieldWeightsFromCheckpoint, pickLocalUnits } from '../../src/viz/local-field-drawing.js';
import { note, panel, rasterCanvas } from './view-parts.js';

/** LC windows drawn: the units with the strongest weights. */
const LC_UNITS = 8;

/** Draw the picture under `body` when the net has one (returns whether it did). */
export function renderFirstLayer(ck: Checkpoint, body: HTMLElement): boolean {
  if (isConvCheckpoint(ck)) {
    const f = convFiltersFromCheckpoint(ck);
    const el = panel(body, 'first-layer', `First layer: its ${f.outChannels} ${f.kernel}×${f.kernel} filters`);
    note(el, f.groups > 0 ? `One row per class: the channels whose mean activity is that class's score (mid-grey 0; each filter scaled to its largest weight${f.inChannels === 3 ? ', its colour the colour it responds to' : ''}).` : 'Each filter scaled to its largest weight; mid-grey is 0.');
    el.append(rasterCanvas(drawConvFilters(f, { scale: 4 }).raster, `the first layer's ${f.outChannels} convolution filters`));
    return true;
  }
  if (isLocalCheckpoint(ck)) {
    const lf = localFieldWeightsFromCheckpoint(ck);
    const units = pickLocalUnits(lf, Math.min(LC_UNITS, lf.geometry.height * lf.geometry.width * lf.geometry.outChannels), 'rms');
    const el = panel(body, 'first-layer', `First layer: receptive windows of ${units.length} units`);
    const g = lf.geometry;
    note(el, `Each unit of the ${g.height}×${g.width}×${g.outChannels} map sees only a ${g.window}×${g.window} window of the image around its place (red positive, blue negative, grey outside the window${g.inChannels === 3 ? '; the R, G and B weights side by side' : ''}); these are the units with the strongest weights.`);
    el.append(rasterCanvas(drawLocalFields(lf, { units, scale: 2, columns: 2 }).raster, `receptive windows of ${units.length} first-layer units`));
    return true;
  }
  return false;
}
