// Convolutional nets (issue 32): every hidden layer is a weight-shared K×K convolution (stride 1
// or `--conv-stride`'s, zero padding K//2: at stride 1 a map keeps its H×W) of the map below, channels last (H·W·C:
// engine/conv-geometry.ts), with `--layers` giving each layer's output channels, `--conv-groups`
// its channel groups, and an optional 2×2 pooling (stride 2) after the layers `--pool-after` names. What a layer's
// objective measures is its map before pooling; the layer above reads it pooled. FF and
// backprop nets share these geometries through the net description (stages/net-spec.ts).
import { checkPatchGeometry, checkPoolGeometry, convOutputSize, patchOutHeight, patchOutWidth, poolOutHeight, poolOutputSize, poolOutWidth, type ConvGeometry, type PoolGeometry } from '../engine/conv-geometry.js';
import type { MapShape } from './grid-maps.js';
import type { RunConfig } from './run-config.js';

export interface ConvLayerMaps {
  conv: ConvGeometry;
  pool?: PoolGeometry;
  /** Values of the layer's map (H·W·C_out): what its objective sees. */
  width: number;
  /** Values the layer above reads (after pooling). */
  outputSize: number;
  /** The map the layer above reads. */
  out: MapShape;
}

/** The conv layers of a net on images of the given shape, or null for another connectivity. */
export function convMapsFor(cfg: Pick<RunConfig, 'connectivity' | 'window' | 'layers' | 'poolAfter'> & Partial<Pick<RunConfig, 'convGroups' | 'convStride'>>, image: MapShape): ConvLayerMaps[] | null {
  if (cfg.connectivity !== 'conv') {
    if (cfg.poolAfter !== null && cfg.poolAfter !== undefined) throw new Error('--pool-after needs --connectivity conv');
    if (cfg.convGroups !== null && cfg.convGroups !== undefined) throw new Error('--conv-groups needs --connectivity conv');
    if (cfg.convStride !== null && cfg.convStride !== undefined) throw new Error('--conv-stride needs --connectivity conv');
    return null;
  }
  const K = cfg.window;
  if (!(Number.isInteger(K) && K >= 1 && K % 2 === 1)) throw new Error(`--window must be a positive odd integer for conv layers, got ${K}`);
  const pools = new Set(cfg.poolAfter ?? []);
  const groups = cfg.convGroups ?? null;
  if (groups && groups.length !== cfg.layers.length) throw new Error(`--conv-groups needs one count per hidden layer (${cfg.layers.length}), got ${groups.length}`);
  const strides = cfg.convStride ?? null;
  if (strides && strides.length !== cfg.layers.length) throw new Error(`--conv-stride needs one stride per hidden layer (${cfg.layers.length}), got ${strides.length}`);
  for (const l of pools) if (!Number.isInteger(l) || l < 1 || l > cfg.layers.length) throw new Error(`--pool-after: layer ${l} does not exist (the net has hidden layers 1..${cfg.layers.length})`);
  const out: ConvLayerMaps[] = [];
  let map = image;
  cfg.layers.forEach((channels, l) => {
    const stride = strides ? strides[l] : 1;
    if (!(Number.isInteger(stride) && stride >= 1 && stride <= K)) throw new Error(`--conv-stride: layer ${l + 1}'s stride must be an integer in 1..${K} (the window), got ${stride}`);
    const conv: ConvGeometry = { height: map.height, width: map.width, channels: map.channels, kernel: K, stride, padding: (K - 1) / 2, outChannels: channels };
    if (groups && groups[l] !== 1) {
      const G = groups[l];
      if (!(Number.isInteger(G) && G >= 1 && map.channels % G === 0 && channels % G === 0)) throw new Error(`--conv-groups: layer ${l + 1}'s ${G} groups must divide its ${map.channels} input and ${channels} output channels`);
      conv.groups = G;
    }
    checkPatchGeometry(conv);
    const after: MapShape = { height: patchOutHeight(conv), width: patchOutWidth(conv), channels };
    let pool: PoolGeometry | undefined;
    if (pools.has(l + 1)) {
      pool = { ...after, window: 2, stride: 2 };
      if (after.height < 2 || after.width < 2) throw new Error(`--pool-after ${l + 1}: layer ${l + 1}'s ${after.height}×${after.width} map is too small to pool 2×2`);
      checkPoolGeometry(pool);
    }
    map = pool ? { height: poolOutHeight(pool), width: poolOutWidth(pool), channels } : after;
    out.push({ conv, pool, width: convOutputSize(conv), outputSize: pool ? poolOutputSize(pool) : convOutputSize(conv), out: map });
  });
  return out;
}
