// Receptive fields of the first hidden layer (SPEC §2): each unit's incoming weights drawn as
// an image, plus — for FF nets, whose first N input pixels carry the label — a strip of N
// cells under the image showing the weights from those label pixels, so one sees which labels
// a feature votes for (the talk's horizontal stroke with large weights from labels 3 and 7).
//
// Layout (all sizes in final pixels, s = the scale factor):
//   tile    = the H×W image at s×s pixels per weight; colour images show their channels side
//             by side (channel-planar, like the datasets), s pixels apart;
//   strip   = s pixels below the image, 3s pixels tall: N cells from label 0 (left) to N−1,
//             1-pixel separators, a dark separator after every 5th cell to help counting;
//   grid    = tiles in rows and columns with an s-pixel gap around and between them.
// Colours: the diverging map of colormap.ts (blue negative, white 0, red positive) with
// symmetric per-unit scaling: the image to its largest |pixel weight|, the strip to its largest
// |label weight| (label weights are typically several times larger than pixel weights, so a
// shared scale would either wash out the image or saturate every cell). The label pixels
// themselves are blanked (grey) in the image, since the strip shows them.
import type { DatasetSplits, ImageSet } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { colorFor, symmetricScale, type Rgb } from './colormap.js';
import { encodePng, Raster } from './png.js';
import { checkpointInputShape, GAP_COLOR, type InputShape } from './checkpoint-shape.js';

export type FieldSort = 'peer' | 'rms' | 'index';
export const FIELD_SORTS: readonly FieldSort[] = ['rms', 'peer', 'index'];

export { checkpointInputShape, GAP_COLOR, type InputShape };
/** The separator after every 5th label cell. */
export const GROUP_COLOR: Rgb = [40, 40, 40];

export interface FieldWeights {
  /** inputSize × units, row-major: the weight from input i to unit j is data[i·units + j]. */
  data: Float32Array;
  units: number;
  height: number;
  width: number;
  channels: number;
  /** How many label inputs the strip shows (FF: the number of classes); 0 for none. */
  labelPixels: number;
  /**
   * N × units weights from label units placed after the image (labelInput 'extra'). Absent:
   * the labels are the first N pixels of `data`, drawn grey in the image.
   */
  labelWeights?: Float32Array;
  /** Running mean activity per unit (FF's peer normalization), for sort 'peer'. */
  peerMeans?: Float32Array;
}

export interface FieldsOptions {
  /** How many units to draw (default min(100, all)). */
  units?: number;
  /** Which units come first: largest weight RMS, most active (peer mean), or index order. Default 'rms'. */
  sort?: FieldSort;
  /** Pixels per weight, 1..8 (default 3 up to 200 units, else 2). */
  scale?: number;
  /** Tiles per row (default ⌈√units⌉). */
  columns?: number;
}

export interface FieldsLayout {
  scale: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  imageWidth: number;
  imageHeight: number;
  /** Unit index shown in each tile, in tile order. */
  units: number[];
  /** Per tile, the symmetric colour scale of the image (largest |weight| from a non-label pixel). */
  scales: number[];
  /** Per tile, the symmetric colour scale of the label strip (largest |label-pixel weight|); empty without a strip. */
  labelScales: number[];
  /** Top-left corner of the s×s block showing input (channel, row, col) in tile `tile`. */
  pixel(tile: number, channel: number, row: number, col: number): { x: number; y: number };
  /** The rectangle of label cell `label` in tile `tile` (null when there is no strip). */
  labelCell(tile: number, label: number): { x: number; y: number; w: number; h: number } | null;
}

export interface RenderedFields {
  png: Buffer;
  raster: Raster;
  layout: FieldsLayout;
}

/** Draw the receptive-field grid of some units. Throws a one-line error for bad options. */
export function renderFields(fw: FieldWeights, opts: FieldsOptions = {}): RenderedFields {
  const { height: H, width: W, channels: C, units: U, labelPixels: N } = fw;
  if (fw.data.length !== H * W * C * U) {
    throw new Error(`weights have ${fw.data.length} values, expected ${H}×${W}×${C} inputs × ${U} units`);
  }
  const count = opts.units ?? Math.min(100, U);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--units must be a positive integer, got ${count}`);
  if (count > U) throw new Error(`--units ${count}: layer 1 has only ${U} units`);
  const sort = opts.sort ?? 'rms';
  if (!FIELD_SORTS.includes(sort)) throw new Error(`--sort must be one of ${FIELD_SORTS.join(', ')}, got '${sort}'`);
  const s = opts.scale ?? (count <= 200 ? 3 : 2);
  if (!Number.isInteger(s) || s < 1 || s > 8) throw new Error(`--scale must be an integer in 1..8, got ${s}`);
  const columns = opts.columns ?? Math.ceil(Math.sqrt(count));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`--columns must be a positive integer, got ${columns}`);

  const units = orderUnits(fw, sort).slice(0, count);
  const rows = Math.ceil(count / columns);
  const D = H * W * C;
  const gap = s;
  const panelW = W * s;
  const tileW = C * panelW + (C - 1) * gap;
  const imgH = H * s;
  const stripH = N > 0 ? 3 * s : 0;
  const tileH = imgH + (N > 0 ? gap + stripH : 0);
  // Label cells: as wide as fits under the tile; separators only where cells are wide enough.
  const cellW = N > 0 ? Math.max(1, Math.floor(tileW / N)) : 0;
  const separators = cellW >= 3;
  const stripW = cellW * N - (separators ? 1 : 0);
  const stripX = Math.floor((tileW - stripW) / 2);
  const imageWidth = gap + columns * (tileW + gap);
  const imageHeight = gap + rows * (tileH + gap);

  const tileOrigin = (tile: number) => ({
    x: gap + (tile % columns) * (tileW + gap),
    y: gap + Math.floor(tile / columns) * (tileH + gap),
  });
  const layout: FieldsLayout = {
    scale: s,
    columns,
    rows,
    tileWidth: tileW,
    tileHeight: tileH,
    imageWidth,
    imageHeight,
    units,
    scales: [],
    labelScales: [],
    pixel(tile, channel, row, col) {
      const o = tileOrigin(tile);
      return { x: o.x + channel * (panelW + gap) + col * s, y: o.y + row * s };
    },
    labelCell(tile, label) {
      if (N === 0 || label < 0 || label >= N) return null;
      const o = tileOrigin(tile);
      return { x: o.x + stripX + label * cellW, y: o.y + imgH + gap, w: separators ? cellW - 1 : cellW, h: stripH };
    },
  };

  const img = new Raster(imageWidth, imageHeight, GAP_COLOR);
  const weight = (i: number, j: number) => fw.data[i * U + j];
  const extra = fw.labelWeights;
  const labelWeight = (k: number, j: number) => (extra ? extra[k * U + j] : weight(k, j));
  // Image pixels the label overwrote (grey in the picture): none when the labels are extra units.
  const overwritten = extra ? 0 : N;
  units.forEach((j, tile) => {
    // The image and the strip are scaled separately: label weights are often several times
    // larger than pixel weights, and one shared scale would wash out the image or saturate
    // every label cell.
    const values: number[] = [];
    for (let i = overwritten; i < D; i++) values.push(weight(i, j));
    const scale = symmetricScale(values);
    layout.scales.push(scale);
    for (let ch = 0; ch < C; ch++) {
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          const i = ch * H * W + r * W + c;
          const { x, y } = layout.pixel(tile, ch, r, c);
          img.fillRect(x, y, s, s, i < overwritten ? GAP_COLOR : colorFor(weight(i, j), scale));
        }
      }
    }
    const labelValues: number[] = [];
    for (let k = 0; k < N; k++) labelValues.push(labelWeight(k, j));
    const labelScale = symmetricScale(labelValues);
    layout.labelScales.push(labelScale);
    for (let k = 0; k < N; k++) {
      const cell = layout.labelCell(tile, k)!;
      img.fillRect(cell.x, cell.y, cell.w, cell.h, colorFor(labelWeight(k, j), labelScale));
      if (separators && k < N - 1 && (k + 1) % 5 === 0) img.fillRect(cell.x + cell.w, cell.y, 1, cell.h, GROUP_COLOR);
    }
  });
  return { png: encodePng(img), raster: img, layout };
}

/** All unit indices in display order for a sort. */
export function orderUnits(fw: FieldWeights, sort: FieldSort): number[] {
  const U = fw.units;
  const idx = Array.from({ length: U }, (_, j) => j);
  if (sort === 'index') return idx;
  let key: Float64Array;
  if (sort === 'peer') {
    if (!fw.peerMeans || fw.peerMeans.length !== U) {
      throw new Error('--sort peer needs the peer-normalization means of an FF checkpoint (try --sort rms)');
    }
    key = Float64Array.from(fw.peerMeans);
  } else {
    key = new Float64Array(U);
    const D = fw.data.length / U;
    for (let i = 0; i < D; i++) for (let j = 0; j < U; j++) key[j] += fw.data[i * U + j] ** 2;
  }
  return idx.sort((a, b) => key[b] - key[a] || a - b);
}

/**
 * The first layer's incoming weights of a checkpoint, as image-shaped fields. FF checkpoints
 * with the label in the input get a label strip; others (backprop, recurrent, unsupervised) do not.
 */
export function fieldWeightsFromCheckpoint(ck: Checkpoint, layer = 1): FieldWeights {
  if (layer !== 1) {
    throw new Error(`only layer 1 has image-shaped receptive fields (layer ${layer} reads hidden units, not pixels); use --layer 1`);
  }
  const t = ck.tensors.get('layer1.weight');
  if (!t || t.shape.length !== 2) throw new Error(`checkpoint (${ck.algo}) has no first-layer weights 'layer1.weight'`);
  const shape = checkpointInputShape(ck);
  if (!shape) throw new Error(`checkpoint (${ck.algo}): unknown input image shape`);
  const D = shape.height * shape.width * shape.channels;
  let data: Float32Array;
  let units: number;
  // Only FF nets with the label in the input have label weights: not backprop, not the
  // recurrent net (its label layer feeds the top layer), not unsupervised (hybrid) runs.
  const labelInInput = ck.algo === 'ff' && ck.config.architecture !== 'recurrent' && ck.config.negativeData !== 'hybrid';
  const N = labelInInput ? shape.numClasses : 0;
  let labelWeights: Float32Array | undefined;
  if (t.shape[0] === D) {
    data = t.data;
    units = t.shape[1];
  } else if (N > 0 && t.shape[0] === D + N) {
    // FF with the label as N extra units after the image.
    units = t.shape[1];
    data = t.data.subarray(0, D * units);
    labelWeights = t.data.subarray(D * units);
  } else if (t.shape[1] === D) {
    // Stored [units, inputs]: transpose to [inputs, units].
    units = t.shape[0];
    data = new Float32Array(D * units);
    for (let j = 0; j < units; j++) for (let i = 0; i < D; i++) data[i * units + j] = t.data[j * D + i];
  } else {
    throw new Error(`layer1.weight has shape ${t.shape.join('×')}, which does not match ${D}-pixel inputs`);
  }
  const peer = ck.tensors.get('layer1.peer_mean');
  return {
    data,
    units,
    height: shape.height,
    width: shape.width,
    channels: shape.channels,
    labelPixels: N,
    labelWeights,
    peerMeans: peer && peer.data.length === units ? peer.data : undefined,
  };
}

/**
 * The same fields minus their initial values: the initial weights are regenerated by building
 * a fresh model of the run's algorithm from its config (and so its seed). Early in training the
 * N(0, 1/fan-in) initial noise hides what was learned; the change shows it.
 */
export async function learnedChange(ck: Checkpoint, fw: FieldWeights, engine: Engine): Promise<FieldWeights> {
  const init = fieldWeightsFromCheckpoint({ ...ck, tensors: await initialTensors(ck, engine) });
  if (init.units !== fw.units || init.data.length !== fw.data.length) {
    throw new Error('cannot regenerate the initial weights: the rebuilt model has another shape');
  }
  const data = new Float32Array(fw.data.length);
  for (let i = 0; i < data.length; i++) data[i] = fw.data[i] - init.data[i];
  if (!fw.labelWeights || !init.labelWeights) return { ...fw, data };
  const labelWeights = new Float32Array(fw.labelWeights.length);
  for (let i = 0; i < labelWeights.length; i++) labelWeights[i] = fw.labelWeights[i] - init.labelWeights[i];
  return { ...fw, data, labelWeights };
}

/** The tensors of a fresh model of the checkpoint's algorithm and config (so its seed): its initial weights. */
export async function initialTensors(ck: Checkpoint, engine: Engine): Promise<Checkpoint['tensors']> {
  const shape = checkpointInputShape(ck)!;
  const empty: ImageSet = {
    images: new Float32Array(0),
    labels: new Uint8Array(0),
    count: 0,
    height: shape.height,
    width: shape.width,
    channels: shape.channels,
  };
  const splits: DatasetSplits = {
    name: String(ck.config.dataset ?? ''),
    numClasses: shape.numClasses,
    classNames: [],
    train: empty,
    valid: empty,
    test: empty,
    testDescription: '',
    validDescription: '',
    validOverlapsTrain: false,
    dir: '',
  };
  return (await getAlgorithm(ck.algo).create(engine, ck.config, splits).toCheckpoint()).tensors;
}
