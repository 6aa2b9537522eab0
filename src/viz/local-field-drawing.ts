// Receptive fields of a locally-connected first layer (SPEC §5): every unit (co, py, px) of the
// map sees only a K×K window of the image around its own location, so its field is drawn on
// the whole H×W image grid — the window's weights placed where they look (rows py−K/2..py+K/2,
// columns px−K/2..px+K/2, clipped to the image), the rest of the canvas blank — with the
// image's channels side by side as the dense fields do (fields.ts). The weights are read
// through localWeightIndex, the one statement of the LC weight layout.
// No Node module here: the browser explorer draws an LC run's windows with drawLocalFields;
// local-fields.ts adds the PNG and the learned change.
import { localTapInside, localWeightIndex, localWeightShape, type LocalGeometry } from '../engine/local-geometry.js';
import type { Checkpoint } from '../train/checkpoint-format.js';
import { checkpointInputShape, GAP_COLOR } from './checkpoint-shape.js';
import { colorFor, symmetricScale, type Rgb } from './colormap.js';
import type { FieldSort } from './fields.js';
import { Raster } from './raster.js';

/** Canvas outside the unit's window (lighter than the gaps, so the image's outline shows). */
export const OUTSIDE_WINDOW_COLOR: Rgb = [215, 215, 215];

export interface LocalFieldWeights {
  /** The LC weight matrix of layer 1, laid out as local-geometry.ts says. */
  data: Float32Array;
  geometry: LocalGeometry;
  /** Running mean activity per map unit (FF), indexed like the map: (co·H + py)·W + px. */
  peerMeans?: Float32Array;
}

/** One unit of the map: output channel co at location (py, px). */
export interface LocalUnit {
  co: number;
  py: number;
  px: number;
}

export interface LocalFieldsOptions {
  /** Units to draw, in tile order. */
  units: LocalUnit[];
  /** Pixels per weight, 1..8 (default 3 up to 200 units, else 2). */
  scale?: number;
  /** Tiles per row (default ⌈√units⌉). */
  columns?: number;
}

export interface LocalFieldsLayout {
  scale: number;
  columns: number;
  imageWidth: number;
  imageHeight: number;
  units: LocalUnit[];
  /** Per tile, the symmetric colour scale (largest |weight| of the unit's window). */
  scales: number[];
  /** Top-left corner of the s×s block showing image pixel (channel, row, col) in tile `tile`. */
  pixel(tile: number, channel: number, row: number, col: number): { x: number; y: number };
}

/** Whether a checkpoint's first layer is locally connected. */
export function isLocalCheckpoint(ck: Checkpoint): boolean {
  return ck.config.connectivity === 'local';
}

/** The first LC layer's weights and geometry; a one-line error for anything else. */
export function localFieldWeightsFromCheckpoint(ck: Checkpoint, layer = 1): LocalFieldWeights {
  if (layer !== 1) throw new Error(`only layer 1 reads the image (layer ${layer} reads a hidden map); use --layer 1`);
  const shape = checkpointInputShape(ck);
  if (!shape) throw new Error(`checkpoint (${ck.algo}): unknown input image shape`);
  const geometry: LocalGeometry = {
    height: shape.height,
    width: shape.width,
    inChannels: shape.channels,
    outChannels: Number(ck.config.mapChannels),
    window: Number(ck.config.window),
  };
  const t = ck.tensors.get('layer1.weight');
  const want = localWeightShape(geometry);
  if (!t || t.shape[0] !== want.rows || t.shape[1] !== want.cols) {
    throw new Error(`checkpoint (${ck.algo}): layer1.weight is ${t ? t.shape.join('×') : 'missing'}, not the ${want.rows}×${want.cols} of a locally-connected layer`);
  }
  const peer = ck.tensors.get('layer1.peer_mean');
  const units = geometry.height * geometry.width * geometry.outChannels;
  return { data: t.data, geometry, peerMeans: peer && peer.data.length === units ? peer.data : undefined };
}

/** Map unit j (channel-planar, like the maps) as (co, py, px). */
export function localUnitAt(g: LocalGeometry, j: number): LocalUnit {
  const plane = g.height * g.width;
  return { co: Math.floor(j / plane), py: Math.floor((j % plane) / g.width), px: j % g.width };
}

/** The first `count` units in a sort order (rms: largest window RMS; peer: most active; index). */
export function pickLocalUnits(lf: LocalFieldWeights, count: number, sort: FieldSort): LocalUnit[] {
  const g = lf.geometry;
  const total = g.height * g.width * g.outChannels;
  if (!Number.isInteger(count) || count < 1) throw new Error(`--units must be a positive integer, got ${count}`);
  if (count > total) throw new Error(`--units ${count}: layer 1 has only ${total} units`);
  const idx = Array.from({ length: total }, (_, j) => j);
  if (sort !== 'index') {
    let key: Float64Array;
    if (sort === 'peer') {
      if (!lf.peerMeans) throw new Error('--sort peer needs the peer-normalization means of an FF checkpoint (try --sort rms)');
      key = Float64Array.from(lf.peerMeans);
    } else {
      key = new Float64Array(total);
      for (let j = 0; j < total; j++) forEachTap(lf, localUnitAt(g, j), (w) => (key[j] += w * w));
    }
    idx.sort((a, b) => key[b] - key[a] || a - b);
  }
  return idx.slice(0, count).map((j) => localUnitAt(g, j));
}

/** Every unit at each of the locations "y,x" (all output channels), in the given order. */
export function unitsAtLocations(g: LocalGeometry, spec: string): LocalUnit[] {
  const out: LocalUnit[] = [];
  for (const item of spec.split(/[\s;]+/).filter(Boolean)) {
    const m = /^(\d+),(\d+)$/.exec(item);
    if (!m || Number(m[1]) >= g.height || Number(m[2]) >= g.width) {
      throw new Error(`--at wants locations y,x inside the ${g.height}×${g.width} map (e.g. '16,16 4,28'), got '${item}'`);
    }
    for (let co = 0; co < g.outChannels; co++) out.push({ co, py: Number(m[1]), px: Number(m[2]) });
  }
  if (out.length === 0) throw new Error('--at wants at least one location y,x');
  return out;
}

/** Call f(weight, ci, image row, image column) for each tap of the unit's window inside the image. */
function forEachTap(lf: LocalFieldWeights, u: LocalUnit, f: (w: number, ci: number, y: number, x: number) => void): void {
  const g = lf.geometry;
  const K = g.window;
  const r = (K - 1) / 2;
  for (let ci = 0; ci < g.inChannels; ci++)
    for (let dy = 0; dy < K; dy++)
      for (let dx = 0; dx < K; dx++) {
        if (!localTapInside(g, u.py, u.px, dy, dx)) continue;
        f(lf.data[localWeightIndex(g, u.co, u.py, u.px, ci, dy, dx)], ci, u.py + dy - r, u.px + dx - r);
      }
}

/** Draw each unit's window at its place on the image grid. Throws a one-line error for bad options. */
export function drawLocalFields(lf: LocalFieldWeights, opts: LocalFieldsOptions): { raster: Raster; layout: LocalFieldsLayout } {
  const { height: H, width: W, inChannels: C } = lf.geometry;
  const units = opts.units;
  if (units.length === 0) throw new Error('no units to draw');
  const s = opts.scale ?? (units.length <= 200 ? 3 : 2);
  if (!Number.isInteger(s) || s < 1 || s > 8) throw new Error(`--scale must be an integer in 1..8, got ${s}`);
  const columns = opts.columns ?? Math.ceil(Math.sqrt(units.length));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`--columns must be a positive integer, got ${columns}`);
  const rows = Math.ceil(units.length / columns);
  const gap = s;
  const panelW = W * s;
  const tileW = C * panelW + (C - 1) * gap;
  const tileH = H * s;
  const layout: LocalFieldsLayout = {
    scale: s,
    columns,
    imageWidth: gap + columns * (tileW + gap),
    imageHeight: gap + rows * (tileH + gap),
    units,
    scales: [],
    pixel(tile, channel, row, col) {
      const x0 = gap + (tile % columns) * (tileW + gap);
      const y0 = gap + Math.floor(tile / columns) * (tileH + gap);
      return { x: x0 + channel * (panelW + gap) + col * s, y: y0 + row * s };
    },
  };
  const img = new Raster(layout.imageWidth, layout.imageHeight, GAP_COLOR);
  units.forEach((u, tile) => {
    const values: number[] = [];
    forEachTap(lf, u, (w) => values.push(w));
    const scale = symmetricScale(values);
    layout.scales.push(scale);
    for (let ch = 0; ch < C; ch++) {
      const o = layout.pixel(tile, ch, 0, 0);
      img.fillRect(o.x, o.y, panelW, tileH, OUTSIDE_WINDOW_COLOR);
    }
    forEachTap(lf, u, (w, ci, y, x) => {
      const p = layout.pixel(tile, ci, y, x);
      img.fillRect(p.x, p.y, s, s, colorFor(w, scale));
    });
  });
  return { raster: img, layout };
}
