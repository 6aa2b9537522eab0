// The receptive-field panel of `ff report`: layer 1's incoming weights and their change since
// initialisation, drawn as images (dense first layer), as windows at their places on the
// image (locally-connected first layer) or as K×K filters by class group (convolutional).
import type { Engine } from '../engine/engine.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { fieldWeightsFromCheckpoint, learnedChange, type FieldWeights } from './fields.js';
import { localFieldWeightsFromCheckpoint, localLearnedChange, type LocalFieldWeights } from './local-fields.js';
import { fieldsFigure, localFieldsFigure } from './report-panels.js';
import { figure, escapeHtml } from './charts.js';
import { convFiltersFromCheckpoint, convLearnedChange, renderConvFilters, type ConvFilters } from './conv-filters.js';

export type Note = (what: string, e: unknown) => void;

/** How one kind of first layer is drawn: its weights from a checkpoint, their change since init, a figure. */
interface FieldKind<W> {
  weights(ck: Checkpoint): W;
  change(ck: Checkpoint, w: W, engine: Engine): Promise<W>;
  figure(title: string, what: string, w: W, units: number): string;
}
export const DENSE_FIELDS: FieldKind<FieldWeights> = { weights: (ck) => fieldWeightsFromCheckpoint(ck, 1), change: learnedChange, figure: fieldsFigure };
/** A locally-connected layer 1: windows drawn at their places on the image. */
export const LOCAL_FIELDS: FieldKind<LocalFieldWeights> = { weights: (ck) => localFieldWeightsFromCheckpoint(ck, 1), change: localLearnedChange, figure: localFieldsFigure };
/** A convolutional layer 1: every channel's filter, one class group per row (cwc). */
export const CONV_FIELDS: FieldKind<ConvFilters> = { weights: (ck) => convFiltersFromCheckpoint(ck, 1), change: convLearnedChange, figure: convFiltersFigure };

function convFiltersFigure(title: string, what: string, f: ConvFilters, _units: number): string {
  const { png, layout } = renderConvFilters(f, { scale: 6 });
  const rows = f.groups > 0 ? `, one class group of ${f.outChannels / f.groups} channels per row (class index at the left)` : '';
  const body = `<img class="fields" alt="${escapeHtml(title)}" width="${layout.imageWidth}" height="${layout.imageHeight}" src="data:image/png;base64,${png.toString('base64')}">
<p class="note">All ${f.outChannels} ${f.kernel}×${f.kernel} filters; ${escapeHtml(what)}${rows}. Each tile is scaled to its own largest |weight|: grey is 0, ${f.inChannels === 3 ? 'each colour channel the filter’s weight on that channel' : 'brighter positive, darker negative'}.</p>`;
  return figure(title, body, { subtitle: `${f.outChannels} filters` });
}

/** Layer 1's weights as images, then what training changed (the latter optional: a note if it fails). */
export async function fieldFigures<W>(kind: FieldKind<W>, ck: Checkpoint, engine: Engine, units: number, note: Note): Promise<string[]> {
  const w = kind.weights(ck);
  const figs = [kind.figure('Receptive fields of layer 1', 'incoming weights', w, units)];
  try {
    figs.push(kind.figure('Layer 1: change since initialisation', 'weights minus their initial values, regenerated from the run’s seed', await kind.change(ck, w, engine), units));
  } catch (e) {
    note('change since initialisation', e);
  }
  return figs;
}
