// `ff predict DIR FILE...`: classify a user's own images (28×28 grayscale PNG, or an IDX
// file of images). How images become model input is in predict-input.ts. An image with no
// ink still gets its prediction, with a warning on stderr that it means nothing.
import type { Command } from 'commander';
import { getEngine } from '../engine/select.js';
import { loadRun } from '../experiments/load-run.js';
import { classNamesOf } from '../export/class-names.js';
import { readPredictInputs } from './predict-input.js';
import { parseShortlistK } from './shortlist-k.js';

export function registerPredictCommand(program: Command): void {
  program
    .command('predict <dir> <files...>')
    .description('classify your own images: 28×28 grayscale PNG files or an IDX image file')
    .option('--mode <mode>', 'FF: softmax, goodness or shortlist; unsupervised FF: probe or probe-layerK; BP: output')
    .option('--k <k>', 'shortlist size', '2')
    .option('--no-invert', 'never invert black-on-white PNGs')
    .action(async (dir: string, files: string[], o: { mode?: string; k: string; invert: boolean }) => {
      const { model, config, shape, warnings } = loadRun(getEngine(), dir);
      const mode = o.mode ?? model.classifiers[0];
      if (!model.classifiers.includes(mode)) throw new Error(`--mode must be one of ${model.classifiers.join(', ')}, got '${mode}'`);
      const k = parseShortlistK(o.k, shape.numClasses);
      const inputs = readPredictInputs(files, shape, o.invert);
      for (const w of warnings) process.stderr.write(`ff: warning: ${w}\n`);
      for (const x of inputs) {
        if (x.noInk) process.stderr.write(`ff: warning: ${x.name}: no ink (the image is blank, one flat colour), its prediction means nothing\n`);
      }
      const size = shape.height * shape.width * shape.channels;
      const images = new Float32Array(inputs.length * size);
      inputs.forEach((x, i) => images.set(x.pixels, i * size));
      const { predictions, scores } = await model.predict(images, inputs.length, mode, mode === 'shortlist' ? k : undefined);
      // The run's config names its dataset, not its classes: the names come from the dataset.
      const names = classNamesOf(String(config.dataset), shape.numClasses);
      const N = scores.length / inputs.length;
      inputs.forEach((x, i) => {
        const p = predictions[i];
        const row = Array.from(scores.subarray(i * N, (i + 1) * N));
        const detail = mode === 'softmax' || mode === 'output' ? ` (p = ${row[p].toFixed(3)})` : '';
        console.log(`${x.name}: ${names[p] ?? p}${detail}${x.note}`);
      });
    });
}
