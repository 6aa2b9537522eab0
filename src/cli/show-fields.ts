// `ff show-fields DIR`: the first layer's receptive fields of a trained run as a PNG grid,
// with each FF unit's label-pixel weights in a strip under its image; for a locally-connected
// run, each unit's K×K window drawn at its place on the image grid (viz/local-fields.ts); for a
// convolutional run, every channel's K×K filter, one class group per row (viz/conv-filters.ts).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadCheckpoint } from '../train/checkpoint.js';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { getEngine } from '../engine/select.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { FIELD_SORTS, fieldWeightsFromCheckpoint, learnedChange, renderFields, type FieldSort } from '../viz/fields.js';
import {
  isLocalCheckpoint,
  localFieldWeightsFromCheckpoint,
  localLearnedChange,
  pickLocalUnits,
  renderLocalFields,
  unitsAtLocations,
} from '../viz/local-fields.js';
import { convFiltersFromCheckpoint, convLearnedChange, isConvCheckpoint, renderConvFilters } from '../viz/conv-filters.js';
import { classNamesOf } from '../export/class-names.js';
import { optionalIntOption, parseIntOption } from './int-option.js';

/** The connectivities whose first layer can be drawn (grid is dense with a mask). */
const DRAWN_CONNECTIVITIES = ['dense', 'grid', 'local', 'conv'];

interface ShowFieldsOptions {
  layer: string;
  units: string;
  out?: string;
  sort: string;
  scale?: string;
  columns?: string;
  minusInit?: boolean;
  at?: string;
}

export function registerShowFieldsCommand(program: Command): void {
  program
    .command('show-fields')
    .description("draw the first hidden layer's receptive fields (and FF label-pixel weights) as a PNG grid")
    .argument('<dir>', 'run directory (holds checkpoint.safetensors)')
    .option('--layer <n>', 'hidden layer (only 1 has image-shaped fields)', '1')
    .option('--units <n>', 'how many units to draw', '100')
    .option('--out <file>', 'PNG file to write (default DIR/fields.png, beside the checkpoint)')
    .option('--sort <how>', `unit order: ${FIELD_SORTS.join(', ')} (largest weight RMS, most active, index)`, 'rms')
    .option('--scale <k>', 'pixels per weight (default 3 up to 200 units, else 2; conv filters 8)')
    .option('--columns <n>', 'tiles per row (default √units)')
    .option('--at <y,x ...>', "locally-connected runs: draw every unit at these map locations (e.g. '16,16 4,28') instead of --units/--sort")
    .addHelpText('after', '\nConvolutional runs: every output channel\'s K×K filter (colour for RGB images), one class group per row for --loss cwc; --units and --sort do not apply.')
    .option('--minus-init', "draw the change since initialisation (initial weights regenerated from the run's seed)")
    .action(async (dir: string, o: ShowFieldsOptions) => {
      const msg = await showFields(dir, o);
      process.stdout.write(`${msg}\n`);
    });
}

export async function showFields(dir: string, o: ShowFieldsOptions): Promise<string> {
  const layer = parseIntOption('--layer', o.layer, 1);
  const units = parseIntOption('--units', o.units, 1);
  if (!FIELD_SORTS.includes(o.sort as FieldSort)) throw new Error(`--sort must be one of ${FIELD_SORTS.join(', ')}, got '${o.sort}'`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such run directory`);
  const ck = loadCheckpoint(dir);
  // Default beside the checkpoint, not the current directory: the picture belongs to the run.
  const outFile = o.out ?? path.join(dir, 'fields.png');
  assertWritableTarget(path.resolve(outFile)); // before the fields are drawn
  const connectivity = String(ck.config.connectivity ?? 'dense');
  if (!DRAWN_CONNECTIVITIES.includes(connectivity)) throw new Error(`show-fields draws ${DRAWN_CONNECTIVITIES.join(', ')} runs; this run's connectivity is '${connectivity}'`);
  if (isConvCheckpoint(ck)) return showConvFilters(ck, layer, { ...o, out: outFile });
  if (isLocalCheckpoint(ck)) return showLocalFields(ck, layer, units, { ...o, out: outFile });
  if (o.at !== undefined) throw new Error('--at picks map locations of a locally-connected run; this run is dense (use --units)');
  let fw = fieldWeightsFromCheckpoint(ck, layer);
  if (o.minusInit) fw = await learnedChange(ck, fw, getEngine());
  const { png, layout } = renderFields(fw, {
    units,
    sort: o.sort as FieldSort,
    scale: optionalIntOption('--scale', o.scale, 1, 8),
    columns: optionalIntOption('--columns', o.columns, 1),
  });
  writeFileAtomic(path.resolve(outFile), png);
  return (
    `wrote ${outFile}: ${units} of ${fw.units} layer-1 units (${ck.algo}${o.minusInit ? ', change since init' : ''}, sorted by ${o.sort}), ` +
    `${layout.imageWidth}×${layout.imageHeight} px${fw.labelPixels ? `, label strip 0..${fw.labelPixels - 1} under each field` : ''}` +
    (o.minusInit ? '' : '\n(early in training the initial random weights dominate; --minus-init shows what was learned)')
  );
}

/** Each unit's K×K window drawn at its place on the image grid. */
async function showLocalFields(ck: Checkpoint, layer: number, count: number, o: ShowFieldsOptions & { out: string }): Promise<string> {
  let lf = localFieldWeightsFromCheckpoint(ck, layer);
  if (o.minusInit) lf = await localLearnedChange(ck, lf, getEngine());
  const g = lf.geometry;
  const units = o.at !== undefined ? unitsAtLocations(g, o.at) : pickLocalUnits(lf, count, o.sort as FieldSort);
  const { png, layout } = renderLocalFields(lf, {
    units,
    scale: optionalIntOption('--scale', o.scale, 1, 8),
    columns: optionalIntOption('--columns', o.columns, 1),
  });
  writeFileAtomic(path.resolve(o.out), png);
  const which = o.at !== undefined ? `the units at ${o.at.trim()}` : `sorted by ${o.sort}`;
  return (
    `wrote ${o.out}: ${units.length} of ${g.height * g.width * g.outChannels} locally-connected layer-1 units (${ck.algo}${o.minusInit ? ', change since init' : ''}, ${which}), ` +
    `each ${g.window}×${g.window}×${g.inChannels} window at its place on the ${g.height}×${g.width} image (channels side by side), ${layout.imageWidth}×${layout.imageHeight} px`
  );
}

/** Every output channel's K×K filter, one class group per row (cwc). */
async function showConvFilters(ck: Checkpoint, layer: number, o: ShowFieldsOptions & { out: string }): Promise<string> {
  if (o.at !== undefined) throw new Error('--at picks map locations of a locally-connected run; this run is convolutional (its filters are shared by every location)');
  let f = convFiltersFromCheckpoint(ck, layer);
  if (o.minusInit) f = await convLearnedChange(ck, f, getEngine());
  const { png, layout } = renderConvFilters(f, {
    scale: optionalIntOption('--scale', o.scale, 1, 32),
    columns: optionalIntOption('--columns', o.columns, 1),
  });
  writeFileAtomic(path.resolve(o.out), png);
  const what = `${f.outChannels} layer-1 conv filters (${ck.algo}${o.minusInit ? ', change since init' : ''}), each ${f.kernel}×${f.kernel}×${f.inChannels} ${f.inChannels === 3 ? 'in colour' : 'in grey'}`;
  // Rows are labelled by class index; class names that are not the digits are listed.
  const names = classNamesOf(String(ck.config.dataset ?? ''), f.groups);
  const legend = names.some((n, k) => n !== String(k)) ? `:\n${names.map((n, k) => `  row ${k}: ${n}`).join('\n')}` : ' (row k: class k)';
  const rows = f.groups > 0 ? `, one class group of ${f.outChannels / f.groups} channels per row${legend}` : '';
  return `wrote ${o.out}: ${what}, ${layout.imageWidth}×${layout.imageHeight} px${rows}`;
}
