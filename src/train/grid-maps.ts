// Grid nets (`--connectivity grid`): the paper's local receptive fields for unsupervised FF on
// MNIST (SPEC §3, 1.16 %). Every hidden layer is a coarse G×G grid of locations with C units at
// each, and a unit sees a window×window square of the layer below (pixels, or grid points of
// the grid below) at its location's stride — no weight sharing. The paper's net:
//   layer 1: a 4×4 grid, stride 6, 10×10-pixel windows, 128 channels   (2,048 units)
//   layer 2: a 3×3 grid, each location sees 2×2 adjacent points of layer 1, 220 channels (1,980)
//   layer 3: a 2×2 grid, 2×2 points of layer 2, 512 channels            (2,048)
// i.e. `--grid 10/6/128,2/1/220,2/1/512` (window/stride/channels per hidden layer).
//
// These connections are dense weight matrices restricted by a fixed 0/1 mask (Param.restrictTo):
// the windows overlap and cover 13–45 % of the fan-in, where a dense product with a mask
// costs no more than the fully connected 4 × 2000 net and reuses its fast kernels.
// Unit order is channel-planar like the images and LC maps: (c·G + gy)·G + gx.
import type { RunConfig } from './run-config.js';

export interface GridLayerSpec {
  window: number;
  stride: number;
  channels: number;
}

/** A map of height × width locations with `channels` values each (the image or a grid). */
export interface MapShape {
  height: number;
  width: number;
  channels: number;
}

/** One grid layer: where it reads from and what it is. */
export interface GridLayer extends GridLayerSpec {
  source: MapShape;
  /** The layer's own grid. */
  shape: MapShape;
}

/** "10/6/128,2/1/220" → specs; throws a one-line error naming --grid. */
export function parseGrid(text: string): GridLayerSpec[] {
  const bad = (why: string) => new Error(`--grid must be window/stride/channels per hidden layer, e.g. 10/6/128,2/1/220,2/1/512 (${why})`);
  const t = text.trim();
  if (!t) throw bad('it is empty');
  return t.split(',').map((part) => {
    const nums = part.trim().split('/').map((x) => Number(x.trim()));
    if (nums.length !== 3 || nums.some((v) => !Number.isInteger(v) || v < 1 || v > 100000)) throw bad(`'${part.trim()}'`);
    const [window, stride, channels] = nums;
    return { window, stride, channels };
  });
}

export class GridMaps {
  constructor(readonly layers: GridLayer[]) {}

  /** Hidden layer widths G·G·C. */
  get widths(): number[] {
    return this.layers.map((l) => l.shape.height * l.shape.width * l.shape.channels);
  }

  /**
   * The 0/1 mask of layer l's bottom-up weights, fanIn × width as dense weights are laid out
   * (row = input, column = unit). Rows past the source map (extra label units) connect to every unit.
   */
  mask(l: number, fanIn: number): Float32Array {
    const g = this.layers[l];
    const src = g.source;
    const mapSize = src.height * src.width * src.channels;
    const width = g.shape.height * g.shape.width * g.shape.channels;
    if (fanIn < mapSize) throw new Error(`grid layer ${l + 1}: ${fanIn} inputs cannot hold its ${src.height}×${src.width}×${src.channels} source`);
    const m = new Float32Array(fanIn * width);
    for (let co = 0; co < g.shape.channels; co++)
      for (let gy = 0; gy < g.shape.height; gy++)
        for (let gx = 0; gx < g.shape.width; gx++) {
          const unit = (co * g.shape.height + gy) * g.shape.width + gx;
          for (let ci = 0; ci < src.channels; ci++)
            for (let dy = 0; dy < g.window; dy++)
              for (let dx = 0; dx < g.window; dx++) {
                const input = (ci * src.height + gy * g.stride + dy) * src.width + gx * g.stride + dx;
                m[input * width + unit] = 1;
              }
          for (let input = mapSize; input < fanIn; input++) m[input * width + unit] = 1;
        }
    return m;
  }

  /** "4×4×128 (10×10 windows, stride 6) → 3×3×220 …", for logs and errors. */
  describe(): string {
    return this.layers.map((g) => `${g.shape.height}×${g.shape.width}×${g.shape.channels} (${g.window}×${g.window} windows, stride ${g.stride})`).join(' → ');
  }
}

/**
 * The grid layers of a `--connectivity grid` net on images of the given shape, or null for
 * other nets. Throws a one-line error when --grid does not fit the image or --layers.
 */
export function gridMapsFor(cfg: Pick<RunConfig, 'connectivity' | 'grid' | 'layers'>, image: MapShape): GridMaps | null {
  if (cfg.connectivity !== 'grid') return null;
  const specs = parseGrid(cfg.grid);
  if (specs.length !== cfg.layers.length) {
    throw new Error(`--grid describes ${specs.length} hidden layers but --layers has ${cfg.layers.length}`);
  }
  const layers: GridLayer[] = [];
  let source = image;
  for (const [l, s] of specs.entries()) {
    if (s.window > source.height || s.window > source.width) {
      throw new Error(`--grid layer ${l + 1}: a ${s.window}×${s.window} window does not fit its ${source.height}×${source.width} source`);
    }
    const shape = {
      height: Math.floor((source.height - s.window) / s.stride) + 1,
      width: Math.floor((source.width - s.window) / s.stride) + 1,
      channels: s.channels,
    };
    layers.push({ ...s, source, shape });
    source = shape;
  }
  const maps = new GridMaps(layers);
  const widths = maps.widths;
  if (widths.some((w, l) => w !== cfg.layers[l])) {
    throw new Error(`--layers ${cfg.layers.join(',')} does not match the grid ${maps.describe()}: use --layers ${widths.join(',')}`);
  }
  return maps;
}

/** Inputs per unit of a 0/1 mask (fanIn × width), on average: a masked connection's fan-in (initial scale). */
export function maskFanIn(mask: Float32Array, width: number): number {
  let ones = 0;
  for (let i = 0; i < mask.length; i++) ones += mask[i];
  return Math.max(1, ones / width);
}
