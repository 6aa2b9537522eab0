// The first-layer filters of a convolutional run (--connectivity conv): one K×K tile per output
// channel, scaled up, in colour for a 3-channel image (the filter's R, G, B weights as the
// pixel's colour) and in grey for a 1-channel one. A cwc net (--loss cwc) splits its channels
// into N contiguous class groups (channel c belongs to class ⌊c / (C_out/N)⌋), so its filters are
// drawn one class group per row, the class index written at the row's left; other conv nets
// (backprop) get a plain grid.
//
// The weight is (K·K·C_in) × C_out, row (ky·K + kx)·C_in + ci (channels last:
// engine/conv-geometry.ts). Each tile is scaled to its own largest |weight|: a weight w shows as
// 128 + 127·w/max|w| in each colour channel, so 0 is mid-grey, the tile's largest positive
// weight is brightest and the colour of an RGB filter is the colour it responds to.
// No Node module here: the browser explorer draws a conv run's filters with drawConvFilters;
// conv-filters.ts adds the PNG and the learned change.
import type { Checkpoint } from '../train/checkpoint-format.js';
import { checkpointInputShape, GAP_COLOR } from './checkpoint-shape.js';
import type { Rgb } from './colormap.js';
import { Raster } from './raster.js';

/** Behind the row labels. */
const LABEL_COLOR: Rgb = [20, 20, 20];
const BACKGROUND: Rgb = [235, 235, 235];

export interface ConvFilters {
  /** (K·K·C_in) × C_out, row-major. */
  data: Float32Array;
  /** K. */
  kernel: number;
  inChannels: number;
  outChannels: number;
  /** Class groups (cwc: the number of classes), 0 for a plain grid. */
  groups: number;
}

export interface ConvFiltersOptions {
  /** Pixels per weight, 1..32 (default 8). */
  scale?: number;
  /** Tiles per row of a plain grid (default ⌈√C_out⌉); class groups use one row each. */
  columns?: number;
}

export interface ConvFiltersLayout {
  scale: number;
  imageWidth: number;
  imageHeight: number;
  /** Tiles per row. */
  columns: number;
  rows: number;
  /** Per output channel, the tile's scale (its largest |weight|). */
  scales: number[];
  /** Top-left corner of the s×s block of tap (ky, kx) of channel co's tile. */
  pixel(co: number, ky: number, kx: number): { x: number; y: number };
}

/** Whether a checkpoint's layers are convolutions. */
export function isConvCheckpoint(ck: Checkpoint): boolean {
  return ck.config.connectivity === 'conv';
}

/** Weight of output channel co at tap (ky, kx), input channel ci. */
export function filterWeight(f: ConvFilters, co: number, ky: number, kx: number, ci: number): number {
  return f.data[((ky * f.kernel + kx) * f.inChannels + ci) * f.outChannels + co];
}

/** Layer 1's filters of a conv checkpoint; a one-line error for anything else. */
export function convFiltersFromCheckpoint(ck: Checkpoint, layer = 1): ConvFilters {
  if (layer !== 1) throw new Error(`only layer 1's filters read the image (layer ${layer} reads a hidden map); use --layer 1`);
  const shape = checkpointInputShape(ck);
  if (!shape) throw new Error(`checkpoint (${ck.algo}): unknown input image shape`);
  const K = Number(ck.config.window);
  const C = shape.channels;
  const groups = ck.config.convGroups;
  if (Array.isArray(groups) && groups[0] !== 1) throw new Error(`layer 1 has ${String(groups[0])} channel groups (--conv-groups): each filter sees only its group's image channels, which this drawing does not show`);
  const t = ck.tensors.get('layer1.weight');
  if (!t || t.shape.length !== 2 || t.shape[0] !== K * K * C) {
    throw new Error(`checkpoint (${ck.algo}): layer1.weight is ${t ? t.shape.join('×') : 'missing'}, not the (${K}·${K}·${C}) × C_out of a ${K}×${K} convolution of ${C}-channel images`);
  }
  const outChannels = t.shape[1];
  const N = shape.numClasses;
  const grouped = ck.algo === 'ff' && ck.config.loss === 'cwc' && N > 1 && outChannels % N === 0;
  return { data: t.data, kernel: K, inChannels: C, outChannels, groups: grouped ? N : 0 };
}

/** Draw every output channel's filter. Throws a one-line error for bad options. */
export function drawConvFilters(f: ConvFilters, opts: ConvFiltersOptions = {}): { raster: Raster; layout: ConvFiltersLayout } {
  const { kernel: K, inChannels: C, outChannels: U, groups: G } = f;
  if (C !== 1 && C !== 3) throw new Error(`conv filters of ${C}-channel images cannot be drawn (grey needs 1 channel, colour 3)`);
  const s = opts.scale ?? 8;
  if (!Number.isInteger(s) || s < 1 || s > 32) throw new Error(`--scale must be an integer in 1..32 for conv filters, got ${s}`);
  const columns = G > 0 ? U / G : (opts.columns ?? Math.ceil(Math.sqrt(U)));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`--columns must be a positive integer, got ${columns}`);
  const rows = Math.ceil(U / columns);
  const gap = Math.max(2, Math.ceil(s / 2));
  const tile = K * s;
  // Class groups: the class index at each row's left, in 3×5 digits about half a tile tall.
  const fontPx = Math.max(1, Math.round(tile / 10));
  const labelW = G > 0 ? String(G - 1).length * 4 * fontPx + gap : 0;
  const scales: number[] = [];
  const layout: ConvFiltersLayout = {
    scale: s,
    columns,
    rows,
    imageWidth: gap + labelW + columns * (tile + gap),
    imageHeight: gap + rows * (tile + gap),
    scales,
    pixel(co, ky, kx) {
      return { x: gap + labelW + (co % columns) * (tile + gap) + kx * s, y: gap + Math.floor(co / columns) * (tile + gap) + ky * s };
    },
  };
  const img = new Raster(layout.imageWidth, layout.imageHeight, G > 0 ? BACKGROUND : GAP_COLOR);
  for (let co = 0; co < U; co++) {
    let scale = 0;
    for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) for (let ci = 0; ci < C; ci++) scale = Math.max(scale, Math.abs(filterWeight(f, co, ky, kx, ci)));
    scales.push(scale);
    for (let ky = 0; ky < K; ky++) {
      for (let kx = 0; kx < K; kx++) {
        const level = (ci: number) => Math.round(128 + (scale > 0 ? (127 * filterWeight(f, co, ky, kx, ci)) / scale : 0));
        const color: Rgb = C === 3 ? [level(0), level(1), level(2)] : [level(0), level(0), level(0)];
        const p = layout.pixel(co, ky, kx);
        img.fillRect(p.x, p.y, s, s, color);
      }
    }
  }
  if (G > 0) {
    for (let g = 0; g < G; g++) {
      const y = gap + g * (tile + gap) + Math.floor((tile - 5 * fontPx) / 2);
      drawNumber(img, g, gap, y, fontPx);
    }
  }
  return { raster: img, layout };
}

/** 3×5 digits, one string of 15 bits per digit, row by row. */
const DIGITS = [
  '111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001',
  '111100111001111', '111100111101111', '111001010010010', '111101111101111', '111101111001111',
];

/** Write a non-negative integer at (x, y), each font pixel px×px. */
function drawNumber(img: Raster, n: number, x: number, y: number, px: number): void {
  String(n).split('').forEach((d, i) => {
    const bits = DIGITS[Number(d)];
    for (let r = 0; r < 5; r++) for (let c = 0; c < 3; c++) if (bits[r * 3 + c] === '1') img.fillRect(x + (i * 4 + c) * px, y + r * px, px, px, LABEL_COLOR);
  });
}
