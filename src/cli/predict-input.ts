// A user's images as model input for `ff predict`: PNG files (grayscale models) or IDX image
// files. MNIST digits are white ink on black; a PNG is first composited onto white (a drawing
// app's transparent background is paper, not ink), and a mostly-white result is inverted
// (the output says so) because hand-drawn digits usually are black on white.
import path from 'node:path';
import { parseIdx } from '../data/idx.js';
import { readFileBounded, READ_LIMITS } from '../util/read-bounded.js';
import type { InputShape } from '../ff/ff-model.js';
import { isPng, readPng } from '../viz/png.js';

export interface PredictInput {
  name: string;
  pixels: Float32Array;
  /** Appended to the prediction line, e.g. that the image was inverted. */
  note: string;
  /** Set when the image has no ink, so its prediction means nothing. */
  noInk: boolean;
}

/** `.png` files (or files with the PNG signature) as PNG, anything else as IDX. */
export function readPredictInputs(files: string[], shape: InputShape, invert: boolean): PredictInput[] {
  return files.flatMap((file) => predictInputsFromBytes(readUserFile(file), file, shape, invert));
}

/** One file's bytes as model input (`file` names it in one-line errors and in the inputs' names). */
export function predictInputsFromBytes(bytes: Uint8Array, file: string, shape: InputShape, invert: boolean): PredictInput[] {
  return /\.png$/i.test(file) || isPng(bytes) ? [pngInput(bytes, file, shape, invert)] : idxInputs(bytes, file, shape);
}

function readUserFile(file: string): Uint8Array {
  try {
    return readFileBounded(file, READ_LIMITS.input);
  } catch (e) {
    // The bounded read's message names the file; these two keep ff predict's wording.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : 'is a directory, not an image'}`);
    throw e;
  }
}

function pngInput(bytes: Uint8Array, file: string, shape: InputShape, invert: boolean): PredictInput {
  if (shape.channels !== 1) throw new Error(`${file}: PNG input is supported for grayscale models only`);
  // The model's size is passed down so that a PNG of any other size is refused before it is decoded.
  const png = readPng(bytes, file, { width: shape.width, height: shape.height });
  const n = png.width * png.height;
  const pixels = new Float32Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const [r, g, b, a] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2], png.data[4 * i + 3] / 255];
    // Luminance composited onto white: fully transparent pixels are blank paper.
    pixels[i] = a * ((0.299 * r + 0.587 * g + 0.114 * b) / 255) + (1 - a);
    mean += pixels[i] / n;
  }
  let note = '';
  if (invert && mean > 0.5) {
    for (let i = 0; i < n; i++) pixels[i] = 1 - pixels[i];
    note = '  [inverted: black-on-white input]';
  }
  return { name: path.basename(file), pixels, note, noInk: !hasInk(pixels) };
}

function idxInputs(bytes: Uint8Array, file: string, shape: InputShape): PredictInput[] {
  const per = shape.height * shape.width * shape.channels;
  // Checked from the header, before a gzipped file is decompressed.
  const idx = parseIdx(bytes, file, (dims) => {
    if (dims.length < 2 || dims.slice(1).reduce((a, b) => a * b, 1) !== per) {
      throw new Error(`${file}: IDX images of shape ${dims.slice(1).join('×') || '(none: 1 dimension)'}, the model needs ${shape.height}×${shape.width}`);
    }
  });
  return Array.from({ length: idx.dims[0] }, (_, i) => {
    const pixels = Float32Array.from(idx.data.subarray(i * per, (i + 1) * per), (v) => v / 255);
    return { name: `${path.basename(file)}[${i}]`, pixels, note: '', noInk: !hasInk(pixels) };
  });
}

/** Pixels (in [0, 1]) that differ from the background by more than this count as ink: ~50 grey levels. */
const INK_CONTRAST = 0.2;
/** Fewer ink pixels than this fraction (0.5 %, 4 of 784) is a blank page with a speck or two. */
const MIN_INK_FRACTION = 0.005;

/**
 * Whether an image shows anything: the background is its median pixel, whatever its colour
 * or polarity, and a blank page (all one colour, up to scanner noise and a stray speck) has
 * (almost) no pixel far from it.
 */
function hasInk(pixels: Float32Array): boolean {
  const background = Float32Array.from(pixels).sort()[pixels.length >> 1];
  let ink = 0;
  for (const p of pixels) if (Math.abs(p - background) > INK_CONTRAST) ink++;
  return ink > 0 && ink >= MIN_INK_FRACTION * pixels.length;
}
