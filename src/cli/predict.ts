// `ff predict DIR FILE...`: classify a user's own images (28×28 grayscale PNG, or an IDX
// file of images). MNIST digits are white on black; a mostly-white PNG is inverted (and the
// output says so) because hand-drawn digits usually are black on white.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { PNG } from 'pngjs';
import { readIdx } from '../data/idx.js';
import { getEngine } from '../engine/select.js';
import { loadRun } from '../train/load-run.js';

interface Shape {
  height: number;
  width: number;
  channels: number;
}

export function registerPredictCommand(program: Command): void {
  program
    .command('predict <dir> <files...>')
    .description('classify your own images: 28×28 grayscale PNG files or an IDX image file')
    .option('--mode <mode>', 'FF: softmax, goodness or shortlist; BP: output')
    .option('--k <k>', 'shortlist size', '2')
    .option('--no-invert', 'never invert black-on-white PNGs')
    .action(async (dir: string, files: string[], o: { mode?: string; k: string; invert: boolean }) => {
      const { model, config, state } = loadRun(getEngine(), dir);
      const shape = (state.shape as Shape | undefined) ?? { height: 28, width: 28, channels: 1 };
      const mode = o.mode ?? model.classifiers[0];
      if (!model.classifiers.includes(mode)) throw new Error(`--mode must be one of ${model.classifiers.join(', ')}, got '${mode}'`);
      const size = shape.height * shape.width * shape.channels;
      const inputs: { name: string; pixels: Float32Array; note: string }[] = [];
      for (const file of files) {
        if (/\.png$/i.test(file)) inputs.push(readPng(file, shape, o.invert));
        else inputs.push(...(await readIdxImages(file, shape)));
      }
      const images = new Float32Array(inputs.length * size);
      inputs.forEach((x, i) => images.set(x.pixels, i * size));
      const { predictions, scores } = await model.predict(images, inputs.length, mode, mode === 'shortlist' ? Number(o.k) : undefined);
      const names = (config.classNames as string[] | undefined) ?? [];
      const N = scores.length / inputs.length;
      inputs.forEach((x, i) => {
        const p = predictions[i];
        const row = Array.from(scores.subarray(i * N, (i + 1) * N));
        const detail = mode === 'softmax' || mode === 'output' ? ` (p = ${row[p].toFixed(3)})` : '';
        console.log(`${x.name}: ${names[p] ?? p}${detail}${x.note}`);
      });
    });
}

function readPng(file: string, shape: Shape, invert: boolean): { name: string; pixels: Float32Array; note: string } {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(file));
  } catch (e) {
    throw new Error(`${file}: not a readable PNG (${e instanceof Error ? e.message.split('\n')[0] : e})`);
  }
  if (png.width !== shape.width || png.height !== shape.height) {
    throw new Error(`${file}: image is ${png.width}×${png.height}, the model needs ${shape.width}×${shape.height}`);
  }
  if (shape.channels !== 1) throw new Error(`${file}: PNG input is supported for grayscale models only`);
  const n = png.width * png.height;
  const pixels = new Float32Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    // Luminance, with transparent pixels counted as background (black).
    const [r, g, b, a] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2], png.data[4 * i + 3]];
    pixels[i] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * (a / 255);
    mean += pixels[i] / n;
  }
  let note = '';
  if (invert && mean > 0.5) {
    for (let i = 0; i < n; i++) pixels[i] = 1 - pixels[i];
    note = '  [inverted: black-on-white input]';
  }
  return { name: path.basename(file), pixels, note };
}

async function readIdxImages(file: string, shape: Shape): Promise<{ name: string; pixels: Float32Array; note: string }[]> {
  const idx = await readIdx(file);
  const per = idx.dims.slice(1).reduce((a, b) => a * b, 1);
  if (idx.dims.length < 2 || per !== shape.height * shape.width * shape.channels) {
    throw new Error(`${file}: IDX images of shape ${idx.dims.slice(1).join('×')}, the model needs ${shape.height}×${shape.width}`);
  }
  return Array.from({ length: idx.dims[0] }, (_, i) => ({
    name: `${path.basename(file)}[${i}]`,
    pixels: Float32Array.from(idx.data.subarray(i * per, (i + 1) * per), (v) => v / 255),
    note: '',
  }));
}
