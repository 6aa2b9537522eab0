// One builder for FF's and backprop's hidden layers: each layer of a net description
// (net-spec.ts) made by the net's layer factory (FFLayer or Layer), in order, from one RNG, so
// the weights are drawn layer by layer and, within a layer, connection by connection.
import type { Rng } from '../engine/rng.js';
import type { IncomingSpec, Layer } from './layer.js';
import type { NetSpec } from './net-spec.js';

/** Makes hidden layer `index` (0-based) of `width` units from its connections. */
export type LayerFactory<T extends Layer> = (index: number, width: number, incoming: IncomingSpec[], rng: Rng) => T;

export function buildLayers<T extends Layer>(spec: NetSpec, rng: Rng, make: LayerFactory<T>): T[] {
  // Pooling and normalization are the net's (what it reads between layers), not the layer's.
  return spec.layers.map((layer, index) => make(index, layer.width, layer.incoming, rng));
}
