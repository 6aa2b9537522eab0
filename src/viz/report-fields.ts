// The receptive-field panel of `ff report`: layer 1's incoming weights and their change since
// initialisation, drawn as images (dense first layer) or as windows at their places on the
// image (locally-connected first layer).
import type { Engine } from '../engine/engine.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { fieldWeightsFromCheckpoint, learnedChange, type FieldWeights } from './fields.js';
import { localFieldWeightsFromCheckpoint, localLearnedChange, type LocalFieldWeights } from './local-fields.js';
import { fieldsFigure, localFieldsFigure } from './report-panels.js';

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
