// A net as a list of per-layer descriptions (issue 32): for every hidden layer its connection
// kind and geometry, the connections it reads (IncomingSpec: bottom-up, and in recurrent nets
// top-down, lateral and label), optional pooling and the normalization of its state. FF and
// backprop build their layers from one description (build-layers.ts). netSpecFor derives it
// from today's global options (connectivity, window, mapChannels, grid, layers), so old configs
// and checkpoints keep their meaning; train/local-maps.ts and train/grid-maps.ts produce its
// geometries.
import type { ConvGeometry, GroupNormGeometry, PoolGeometry } from '../engine/conv-geometry.js';
import type { LocalGeometry } from '../engine/local-geometry.js';
import { convMapsFor } from '../train/conv-maps.js';
import { gridMapsFor, type GridLayer, type MapShape } from '../train/grid-maps.js';
import { localMapsFor } from '../train/local-maps.js';
import type { RunConfig } from '../train/run-config.js';
import type { IncomingSpec } from './layer.js';

/** How a layer's bottom-up connection is made (stages/connections/: grid is dense with a mask). */
export type LayerKindName = 'dense' | 'local' | 'grid' | 'conv';

/** What a layer's state is normalized with before other layers read it. */
export type LayerNorm = { name: 'rms' } | { name: 'l2' } | { name: 'group'; groups: number };

/** The geometry of a layer's bottom-up connection, by its kind. */
export type LayerGeometry =
  | { kind: 'dense' }
  | { kind: 'local'; local: LocalGeometry }
  | { kind: 'grid'; grid: GridLayer }
  | { kind: 'conv'; conv: ConvGeometry };

export interface LayerSpec {
  kind: LayerKindName;
  geometry: LayerGeometry;
  /** Units of the layer's state (a conv layer's map before pooling). */
  width: number;
  /** Values the layers above read: `width`, or the pooled map's size. */
  outputSize: number;
  /** Its connections, bottom-up first (what Layer's constructor takes, in RNG draw order). */
  incoming: IncomingSpec[];
  /** Pooling after the layer (conv nets): what the layers above read is the pooled map. */
  pool?: PoolGeometry;
  /** FF's normalization of the state (config `norm`); backprop does not normalize between layers. */
  norm: LayerNorm;
}

export interface NetSpec {
  /** Values the first layer's bottom-up connection reads (the image, plus extra label units in dense nets). */
  inputSize: number;
  /** Extra label units read by their own dense 'label' connection into layer 1 (LC and grid nets). */
  separateLabel: boolean;
  layers: LayerSpec[];
}

/** The net's wiring beyond the layers: how labels come in, and recurrent connections. */
export interface NetWiring {
  /** Values per input row: the image, plus label units when they are extra. */
  inputSize: number;
  numClasses: number;
  /** The label is given as extra units beside the image (FF's 'extra' placement). */
  extraLabelUnits: boolean;
  /** Each layer also reads the layer above (the top one the label layer) … */
  recurrent: boolean;
  /** … and itself. */
  lateral: boolean;
}

type SpecConfig = Pick<RunConfig, 'connectivity' | 'window' | 'mapChannels' | 'grid' | 'layers'> & Partial<Pick<RunConfig, 'poolAfter' | 'convGroups' | 'convStride'>> & { norm?: 'rms' | 'l2' | 'group'; normGroups?: number };

/**
 * The per-layer description of the net today's options make on images of the given shape;
 * `wiring` defaults to backprop's: a feed-forward net on the image alone.
 */
export function netSpecFor(cfg: SpecConfig, image: MapShape, wiring?: Partial<NetWiring>): NetSpec {
  const imageSize = image.height * image.width * image.channels;
  const w: NetWiring = { inputSize: imageSize, numClasses: 0, extraLabelUnits: false, recurrent: false, lateral: false, ...wiring };
  const L = cfg.layers.length;
  const maps = localMapsFor(cfg, image);
  const grids = gridMapsFor(cfg, image);
  const convs = convMapsFor({ ...cfg, poolAfter: cfg.poolAfter ?? null }, image);
  if (convs) return convSpec(convs, image, w, normFor(cfg));
  if (grids && w.recurrent && w.lateral) throw new Error('grid nets have no lateral connections (--lateral needs dense or local layers)');
  const separateLabel = (maps !== null || grids !== null) && w.extraLabelUnits;
  const sizes = [separateLabel ? imageSize : w.inputSize, ...cfg.layers];
  // LC: from the image (its channels) or a map (its C channels); dense: undefined.
  const lc = (inChannels: number) => maps?.from(inChannels);
  const C = maps?.channels ?? 0;
  // Grid: layer l's bottom-up mask; top-down into l is the transpose of layer l+1's.
  const gridMask = (l: number) => grids?.mask(l, sizes[l]);
  const topDownMask = (l: number) => (grids ? transpose(grids.mask(l + 1, sizes[l + 1]), sizes[l + 1], sizes[l + 2]) : undefined);
  const norm = normFor(cfg);
  const layers: LayerSpec[] = [];
  for (let l = 0; l < L; l++) {
    const bottomUp: IncomingSpec = { source: l === 0 ? 'input' : 'below', fanIn: sizes[l], local: lc(l === 0 ? image.channels : C), mask: gridMask(l) };
    const incoming: IncomingSpec[] = [bottomUp];
    if (l === 0 && separateLabel) incoming.push({ source: 'label', fanIn: w.numClasses });
    if (w.recurrent) {
      incoming.push(l === L - 1 ? { source: 'label', fanIn: w.numClasses } : { source: 'above', fanIn: sizes[l + 2], local: lc(C), mask: topDownMask(l) });
      if (w.lateral) incoming.push({ source: 'self', fanIn: sizes[l + 1], local: lc(C) });
    }
    const geometry: LayerGeometry = bottomUp.local ? { kind: 'local', local: bottomUp.local } : grids ? { kind: 'grid', grid: grids.layers[l] } : { kind: 'dense' };
    layers.push({ kind: geometry.kind, geometry, width: sizes[l + 1], outputSize: sizes[l + 1], incoming, norm });
  }
  return { inputSize: sizes[0], separateLabel, layers };
}

/**
 * GroupNorm's geometry for what each layer reads, n[0..L] (FF's and backprop's): the image is
 * one group (a per-image standardization), each conv layer's (pooled) map its norm's groups of
 * its channels. One-line errors for a layer that is not a conv layer normalized by GroupNorm.
 */
export function groupNormGeometries(spec: NetSpec, image: MapShape): GroupNormGeometry[] {
  const out: GroupNormGeometry[] = [{ positions: image.height * image.width, channels: image.channels, groups: 1 }];
  for (const [l, layer] of spec.layers.entries()) {
    if (layer.geometry.kind !== 'conv') throw new Error(`layer ${l + 1} is not a conv layer`);
    if (layer.norm.name !== 'group') throw new Error(`layer ${l + 1} is not normalized by GroupNorm (--norm group)`);
    const C = layer.geometry.conv.outChannels;
    out.push({ positions: layer.outputSize / C, channels: C, groups: layer.norm.groups });
  }
  return out;
}

function normFor(cfg: SpecConfig): LayerNorm {
  const name = cfg.norm ?? 'rms';
  return name === 'group' ? { name, groups: cfg.normGroups ?? 1 } : { name };
}

/**
 * A conv net: each layer a convolution of the (pooled, normalized) map below; the image is
 * read channels last. Labels cannot enter a conv map as extra units (no dense label
 * connection into a conv layer yet), and conv nets are feed-forward.
 */
function convSpec(convs: NonNullable<ReturnType<typeof convMapsFor>>, image: MapShape, w: NetWiring, norm: LayerNorm): NetSpec {
  if (w.recurrent) throw new Error('conv nets are feed-forward (--architecture recurrent needs dense or local layers)');
  if (w.extraLabelUnits) throw new Error("conv nets take no extra label units: use --label-input pixels, or an objective that reads no label in the input (--loss cwc)");
  const imageSize = image.height * image.width * image.channels;
  if (w.inputSize !== imageSize) throw new Error(`conv nets read the ${imageSize}-value image, got ${w.inputSize}-value input rows`);
  const layers: LayerSpec[] = convs.map((c, l) => {
    if (norm.name === 'group' && c.conv.outChannels % norm.groups !== 0) throw new Error(`--norm-groups ${norm.groups} does not divide layer ${l + 1}'s ${c.conv.outChannels} channels`);
    return {
      kind: 'conv',
      geometry: { kind: 'conv', conv: c.conv },
      width: c.width,
      outputSize: c.outputSize,
      incoming: [{ source: l === 0 ? 'input' : 'below', fanIn: l === 0 ? imageSize : convs[l - 1].outputSize, conv: c.conv }],
      pool: c.pool,
      norm,
    };
  });
  return { inputSize: imageSize, separateLabel: false, layers };
}

/** The cols × rows transpose of a row-major rows × cols matrix. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}
