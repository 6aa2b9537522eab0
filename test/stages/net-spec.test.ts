// The per-layer net description (src/stages/net-spec.ts): for every preset it names the layer
// kinds and the connections (geometries, masks) the nets were wired with before it existed,
// FF and backprop built from one config read the same description, and the one builder
// (build-layers.ts) draws the same weights for both.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BPNet } from '../../src/bp/bp-net.js';
import { BP_DEFAULTS, type BPConfig } from '../../src/bp/config.js';
import { getEngine } from '../../src/engine/select.js';
import { bpPresetOverrides, getPreset, presetNames } from '../../src/experiments/presets.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFNet } from '../../src/ff/ff-net.js';
import { LabelledInput, resolveLabelPlacement } from '../../src/ff/labelled-input.js';
import type { IncomingSpec } from '../../src/stages/layer.js';
import { netSpecFor, type LayerKindName } from '../../src/stages/net-spec.js';
import { gridMapsFor, type MapShape } from '../../src/train/grid-maps.js';
import { localMapsFor } from '../../src/train/local-maps.js';

const N = 10;
const SHAPES: Record<string, MapShape> = {
  mnist: { height: 28, width: 28, channels: 1 },
  'fashion-mnist': { height: 28, width: 28, channels: 1 },
  'cifar-10': { height: 32, width: 32, channels: 3 },
};
const shapeOf = (dataset: string): MapShape => SHAPES[dataset] ?? { height: 1, width: 64, channels: 1 };

/** The presets whose layers are not all dense, and their kinds (every other preset: dense). */
const NOT_DENSE: Record<string, LayerKindName[]> = {
  'cifar-ff-2': ['local', 'local'],
  'cifar-ff-2-quick': ['local', 'local'],
  'cifar-ff-2-short': ['local', 'local'],
  'cifar-bp-2': ['local', 'local'],
  'cifar-bp-2-quick': ['local', 'local'],
  'cifar-bp-2-short': ['local', 'local'],
  'cifar-ff-3': ['local', 'local', 'local'],
  'cifar-ff-3-quick': ['local', 'local', 'local'],
  'cifar-ff-3-short': ['local', 'local', 'local'],
  'cifar-bp-3': ['local', 'local', 'local'],
  'cifar-bp-3-quick': ['local', 'local', 'local'],
  'cifar-bp-3-short': ['local', 'local', 'local'],
  'unsupervised-local': ['grid', 'grid', 'grid'],
  'unsupervised-local-quick': ['grid', 'grid', 'grid'],
};

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

/** FFNet's wiring loop as it was before the description (b457c88), the reference. */
function wiringBefore(cfg: FFConfig, image: MapShape, inputSize: number, extra: boolean): IncomingSpec[][] {
  const maps = localMapsFor(cfg, image);
  const grids = gridMapsFor(cfg, image);
  const recurrent = cfg.architecture === 'recurrent';
  const separateLabel = (maps !== null || grids !== null) && extra;
  const sizes = [separateLabel ? image.height * image.width * image.channels : inputSize, ...cfg.layers];
  const L = cfg.layers.length;
  const lc = (inChannels: number) => maps?.from(inChannels);
  const C = maps?.channels ?? 0;
  const gridMask = (l: number) => grids?.mask(l, sizes[l]);
  const topDownMask = (l: number) => (grids ? transpose(grids.mask(l + 1, sizes[l + 1]), sizes[l + 1], sizes[l + 2]) : undefined);
  const out: IncomingSpec[][] = [];
  for (let l = 0; l < L; l++) {
    const incoming: IncomingSpec[] = [{ source: l === 0 ? 'input' : 'below', fanIn: sizes[l], local: lc(l === 0 ? image.channels : C), mask: gridMask(l) }];
    if (l === 0 && separateLabel) incoming.push({ source: 'label', fanIn: N });
    if (recurrent) {
      incoming.push(l === L - 1 ? { source: 'label', fanIn: N } : { source: 'above', fanIn: sizes[l + 2], local: lc(C), mask: topDownMask(l) });
      if (cfg.lateral) incoming.push({ source: 'self', fanIn: sizes[l + 1], local: lc(C) });
    }
    out.push(incoming);
  }
  return out;
}

function ffSpec(cfg: FFConfig, image: MapShape) {
  const extra = resolveLabelPlacement(cfg, image.channels) === 'extra';
  const inputSize = image.height * image.width * image.channels + (extra ? N : 0);
  const wiring = { inputSize, numClasses: N, extraLabelUnits: extra, recurrent: cfg.architecture === 'recurrent', lateral: cfg.lateral };
  return { spec: netSpecFor(cfg, image, wiring), before: wiringBefore(cfg, image, inputSize, extra) };
}

test('netSpecFor: every preset gets the layer kinds and connections its nets had before', () => {
  for (const name of Object.keys(NOT_DENSE)) assert.ok(presetNames().includes(name), `table names an unknown preset ${name}`);
  for (const name of presetNames()) {
    const cfg: FFConfig = { ...FF_DEFAULTS, ...getPreset(name).ff };
    // Conv nets came with the description (their own test below).
    if (cfg.connectivity === 'conv') continue;
    const image = shapeOf(cfg.dataset);
    const { spec, before } = ffSpec(cfg, image);
    const kinds = NOT_DENSE[name] ?? cfg.layers.map(() => 'dense');
    assert.deepEqual(spec.layers.map((l) => l.kind), kinds, name);
    assert.deepEqual(spec.layers.map((l) => l.incoming), before, name);
    assert.deepEqual(spec.layers.map((l) => l.width), cfg.layers, name);
    for (const l of spec.layers) {
      assert.deepEqual(l.norm, { name: cfg.norm }, name);
      if (l.geometry.kind === 'local') assert.deepEqual(l.geometry.local, l.incoming[0].local, name);
    }
  }
});

test('netSpecFor: the conv presets chain K×K convolutions through their pooled maps', () => {
  const conv = presetNames().filter((name) => getPreset(name).ff.connectivity === 'conv');
  assert.ok(conv.length >= 6, `conv presets: ${conv.join(', ')}`);
  for (const name of conv) {
    const cfg: FFConfig = { ...FF_DEFAULTS, ...getPreset(name).ff };
    let map = shapeOf(cfg.dataset);
    const { spec } = ffSpec(cfg, map);
    assert.equal(spec.inputSize, map.height * map.width * map.channels, name);
    spec.layers.forEach((l, i) => {
      assert.equal(l.kind, 'conv', name);
      const g = l.incoming[0].conv!;
      assert.deepEqual({ h: g.height, w: g.width, c: g.channels, k: g.kernel, pad: g.padding, out: g.outChannels }, { h: map.height, w: map.width, c: map.channels, k: cfg.window, pad: (cfg.window - 1) / 2, out: cfg.layers[i] }, `${name} layer ${i + 1}`);
      assert.equal(l.width, map.height * map.width * cfg.layers[i], name);
      const pooled = (cfg.poolAfter ?? []).includes(i + 1);
      assert.equal(Boolean(l.pool), pooled, name);
      map = pooled ? { height: map.height >> 1, width: map.width >> 1, channels: cfg.layers[i] } : { ...map, channels: cfg.layers[i] };
      assert.equal(l.outputSize, map.height * map.width * map.channels, name);
      assert.deepEqual(l.norm, { name: 'group', groups: cfg.normGroups }, name);
    });
  }
});

test('netSpecFor: every wiring (label units, recurrent, lateral) on every connectivity as before', () => {
  const image = { height: 4, width: 4, channels: 3 };
  for (const connectivity of ['dense', 'local', 'grid'] as const)
    for (const architecture of ['feedforward', 'recurrent'] as const)
      for (const lateral of [false, true])
        for (const labelInput of ['pixels', 'extra'] as const) {
          if (connectivity === 'grid' && architecture === 'recurrent' && lateral) continue;
          const layers = connectivity === 'grid' ? [12, 16, 2] : [32, 32, 32];
          const cfg: FFConfig = { ...FF_DEFAULTS, connectivity, architecture, lateral, labelInput, window: 3, mapChannels: 2, grid: '2/2/3,1/1/4,2/1/2', layers };
          const { spec, before } = ffSpec(cfg, image);
          const what = `${connectivity} ${architecture} lateral ${lateral} ${labelInput}`;
          assert.deepEqual(spec.layers.map((l) => l.incoming), before, what);
          assert.equal(spec.separateLabel, connectivity !== 'dense' && resolveLabelPlacement(cfg, 3) === 'extra', what);
        }
});

test('netSpecFor: FF and backprop built from one config read the same description', () => {
  for (const name of presetNames()) {
    const ff: FFConfig = { ...FF_DEFAULTS, ...getPreset(name).ff };
    const bp: BPConfig = { ...BP_DEFAULTS, ...bpPresetOverrides(name) };
    const image = shapeOf(ff.dataset);
    // Backprop's nets are feed-forward on the image alone: FF's, wired the same way.
    const ffFeedForward = netSpecFor(ff, image);
    const bpSpec = netSpecFor(bp, image);
    assert.deepEqual(bpSpec.layers.map(({ kind, geometry, width, incoming, pool, outputSize }) => ({ kind, geometry, width, incoming, pool, outputSize })),
      ffFeedForward.layers.map(({ kind, geometry, width, incoming, pool, outputSize }) => ({ kind, geometry, width, incoming, pool, outputSize })), name);
    // And the full FF description names the same bottom-up kinds and geometries.
    const { spec } = ffSpec(ff, image);
    assert.deepEqual(spec.layers.map((l) => l.geometry), bpSpec.layers.map((l) => l.geometry), name);
  }
});

test('buildLayers: FF and backprop nets from one description draw the same weights', async () => {
  const e = getEngine('js');
  const image = { height: 4, width: 4, channels: 2 };
  for (const connectivity of ['dense', 'local', 'grid'] as const) {
    const shared = { connectivity, window: 3, mapChannels: 2, grid: '2/2/3,1/1/4', layers: connectivity === 'grid' ? [12, 16] : [32, 32], seed: 7 };
    const ff: FFConfig = { ...FF_DEFAULTS, ...shared, labelInput: 'pixels' };
    const bp: BPConfig = { ...BP_DEFAULTS, ...shared };
    const ffNet = new FFNet(e, ff, new LabelledInput(32, N, 'pixels', 1, null), { ...image });
    const bpNet = new BPNet(e, bp, 32, N, null, netSpecFor(bp, image));
    for (const [l, layer] of ffNet.layers.entries()) {
      const other = bpNet.layers[l];
      assert.equal(layer.bottomUp.kind.name, other.bottomUp.kind.name, connectivity);
      assert.equal(layer.bottomUp.weight.name, `layer${l + 1}.weight`);
      assert.deepEqual(await e.read(layer.bottomUp.weight.value), await e.read(other.bottomUp.weight.value), `${connectivity} layer ${l + 1}`);
    }
  }
});

test('netSpecFor: grid nets refuse lateral connections', () => {
  const cfg = { ...FF_DEFAULTS, connectivity: 'grid' as const, grid: '2/2/3', layers: [12] };
  assert.throws(() => netSpecFor(cfg, { height: 4, width: 4, channels: 2 }, { recurrent: true, lateral: true, numClasses: N }), /lateral/);
});
