// Locally-connected nets (SPEC §5): every hidden layer is a topographic map of the image's
// H×W with `mapChannels` units per location, and every connection between maps (bottom-up from
// the image or the map below, top-down from the map above, lateral) is locally connected with
// a K×K window. Connections from label units stay dense. FF and backprop nets share this.
import { checkLocalGeometry, type LocalGeometry } from '../engine/local-geometry.js';
import type { RunConfig } from './run-config.js';

export class LocalMaps {
  constructor(
    readonly height: number,
    readonly width: number,
    /** Units per location of every hidden map. */
    readonly channels: number,
    readonly window: number,
  ) {}

  /** Units per hidden map (H·W·C). */
  get units(): number {
    return this.height * this.width * this.channels;
  }

  /** The LC connection from a source map with `inChannels` channels into a hidden map. */
  from(inChannels: number): LocalGeometry {
    const g = { height: this.height, width: this.width, inChannels, outChannels: this.channels, window: this.window };
    checkLocalGeometry(g);
    return g;
  }
}

/**
 * The hidden maps of a locally-connected net on images of the given size, or null for a dense
 * net. Throws a one-line error when --layers does not describe such maps or K is even.
 */
export function localMapsFor(cfg: Pick<RunConfig, 'connectivity' | 'window' | 'mapChannels' | 'layers'>, image: { height: number; width: number }): LocalMaps | null {
  if (cfg.connectivity !== 'local') return null;
  if (!(Number.isInteger(cfg.window) && cfg.window >= 1 && cfg.window % 2 === 1)) throw new Error(`--window must be a positive odd integer, got ${cfg.window}`);
  if (!(Number.isInteger(cfg.mapChannels) && cfg.mapChannels >= 1)) throw new Error(`--map-channels must be a positive integer, got ${cfg.mapChannels}`);
  const maps = new LocalMaps(image.height, image.width, cfg.mapChannels, cfg.window);
  if (cfg.layers.some((w) => w !== maps.units)) {
    throw new Error(
      `--layers ${cfg.layers.join(',')} does not match locally-connected maps of ${image.height}×${image.width}×${cfg.mapChannels} = ${maps.units} units each (--map-channels ${cfg.mapChannels})`,
    );
  }
  return maps;
}

/** Options newer than some checkpoints (FF and BP): dense layers, the whole training set. */
export const BEFORE_LOCAL_MAPS = { trainSubset: 0, connectivity: 'dense', window: 11, mapChannels: 3, grid: '', poolAfter: null, pool: 'max', convGroups: null, convStride: null } as const;
