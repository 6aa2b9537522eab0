// `ff show-fields` on convolutional runs: one K×K tile per output channel, each tap's colour
// 128 + 127·w/max|w| per image channel (grey for 1 channel), the channels of class group k in
// row k for a cwc net; a real tiny conv run draws a PNG of the expected size whose tiles follow
// its weights, and `ff report` draws them too; other kinds and options are one-line refusals.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { showFields } from '../../src/cli/show-fields.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { train } from '../../src/train/trainer.js';
import { buildReport } from '../../src/viz/report.js';
import { convFiltersFromCheckpoint, filterWeight, renderConvFilters } from '../../src/viz/conv-filters.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-conv-filters-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** A conv checkpoint whose weight at row (ky·K + kx)·C + ci, column co is weightOf(...). */
function convCheckpoint(channels: number, outChannels: number, algo = 'ff', weightOf = (co: number, ky: number, kx: number, ci: number) => Math.sin(1 + co * 7 + ky * 3 + kx + ci * 11)): Checkpoint {
  const K = 3;
  const data = new Float32Array(K * K * channels * outChannels);
  for (let ky = 0; ky < K; ky++)
    for (let kx = 0; kx < K; kx++)
      for (let ci = 0; ci < channels; ci++)
        for (let co = 0; co < outChannels; co++) data[((ky * K + kx) * channels + ci) * outChannels + co] = weightOf(co, ky, kx, ci);
  return {
    algo,
    config: { connectivity: 'conv', window: K, loss: algo === 'ff' ? 'cwc' : undefined, dataset: 'synthetic' },
    state: { shape: { height: 6, width: 6, channels, numClasses: 4 } },
    tensors: new Map([['layer1.weight', { shape: [K * K * channels, outChannels], data }]]),
  };
}

test('conv filters: every tap in its weight’s colour, class group k in row k, grey for one channel', () => {
  const f = convFiltersFromCheckpoint(convCheckpoint(3, 8));
  assert.deepEqual([f.kernel, f.inChannels, f.outChannels, f.groups], [3, 3, 8, 4]);
  const s = 5;
  const { raster, layout } = renderConvFilters(f, { scale: s });
  assert.deepEqual([layout.columns, layout.rows], [2, 4], '8 channels in 4 class groups of 2');
  for (let co = 0; co < 8; co++) {
    // Channel co sits in row ⌊co/2⌋ (its class), column co % 2.
    assert.equal(layout.pixel(co, 0, 0).y, layout.pixel(2 * Math.floor(co / 2), 0, 0).y);
    assert.ok(layout.pixel(co, 0, 0).y > (Math.floor(co / 2) === 0 ? 0 : layout.pixel(co - 2, 2, 0).y));
    let max = 0;
    for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) for (let ci = 0; ci < 3; ci++) max = Math.max(max, Math.abs(filterWeight(f, co, ky, kx, ci)));
    assert.equal(layout.scales[co], max);
    for (let ky = 0; ky < 3; ky++)
      for (let kx = 0; kx < 3; kx++) {
        const want = [0, 1, 2].map((ci) => Math.round(128 + (127 * Math.sin(1 + co * 7 + ky * 3 + kx + ci * 11)) / max));
        const p = layout.pixel(co, ky, kx);
        for (const [ox, oy] of [[0, 0], [s - 1, s - 1]]) assert.deepEqual(raster.getPixel(p.x + ox, p.y + oy), want, `channel ${co} tap (${ky}, ${kx})`);
      }
  }
  // Grey: the brightest pixel of a tile is its largest weight, the darkest its most negative.
  const grey = convFiltersFromCheckpoint(convCheckpoint(1, 4, 'ff', (co, ky, kx) => (ky * 3 + kx === 5 + co ? 2 : ky * 3 + kx === co ? -3 : 0.5)));
  const g = renderConvFilters(grey, { scale: 2 });
  for (let co = 0; co < 4; co++) {
    const p = (ky: number, kx: number) => g.raster.getPixel(g.layout.pixel(co, ky, kx).x, g.layout.pixel(co, ky, kx).y);
    const taps = Array.from({ length: 9 }, (_, t) => p(Math.floor(t / 3), t % 3));
    for (const px of taps) assert.ok(px[0] === px[1] && px[1] === px[2], 'grey');
    const lum = taps.map((px) => px[0]);
    assert.equal(lum.indexOf(Math.max(...lum)), 5 + co);
    assert.equal(lum.indexOf(Math.min(...lum)), co);
    assert.equal(Math.min(...lum), 128 - 127);
  }
  // A backprop conv net has no class groups: a plain ⌈√C⌉ grid.
  const plain = convFiltersFromCheckpoint(convCheckpoint(3, 5, 'bp'));
  assert.equal(plain.groups, 0);
  assert.deepEqual([renderConvFilters(plain).layout.columns, renderConvFilters(plain).layout.rows], [3, 2]);
});

test('ff show-fields on a trained tiny conv cwc run: PNG size, tiles follow the weights; refusals are one line', async () => {
  const data = syntheticMaps();
  const algo = getAlgorithm('ff');
  const cfg = {
    ...algo.presetConfig('mnist-conv-quick'),
    dataset: 'synthetic-maps', layers: [8, 8], poolAfter: [1], goodnessLayers: [1, 2], softmaxLayers: [2], normGroups: 4, epochs: 1, batchSize: 50, evalEvery: 1, trainSubset: 200, evalSubset: 100,
  };
  const dir = path.join(tmp, 'run');
  await train(algo.create(getEngine(), cfg, data), data, { outDir: dir });
  const out = path.join(tmp, 'conv.png');
  const base = { layer: '1', units: '100', out, sort: 'rms' };
  const msg = await showFields(dir, { ...base, scale: '6' });
  assert.match(msg, /^wrote .*conv\.png: 8 layer-1 conv filters \(ff\), each 3×3×3 in colour, \d+×\d+ px, one class group of 2 channels per row/);
  const png = PNG.sync.read(readFileSync(out));
  // s = 6: 3-pixel gaps, 18-pixel tiles, class digits 2 font pixels wide (4·2 + gap to their right).
  const gap = 3;
  const tile = 18;
  assert.equal(png.width, gap + (4 * 2 + gap) + 2 * (tile + gap));
  assert.equal(png.height, gap + 4 * (tile + gap));
  // Every tile's brightest pixel (sum of R, G, B) is at its tap of largest summed weight.
  const f = convFiltersFromCheckpoint(loadCheckpoint(dir));
  const { layout } = renderConvFilters(f, { scale: 6 });
  for (let co = 0; co < 8; co++) {
    const sums: number[] = [];
    const bright: number[] = [];
    for (let t = 0; t < 9; t++) {
      const [ky, kx] = [Math.floor(t / 3), t % 3];
      sums.push([0, 1, 2].reduce((a, ci) => a + filterWeight(f, co, ky, kx, ci), 0));
      const p = layout.pixel(co, ky, kx);
      const o = (p.y * png.width + p.x) * 4;
      bright.push(png.data[o] + png.data[o + 1] + png.data[o + 2]);
    }
    assert.equal(bright.indexOf(Math.max(...bright)), sums.indexOf(Math.max(...sums)), `tile ${co}`);
  }
  const minusInit = await showFields(dir, { ...base, minusInit: true });
  assert.match(minusInit, /change since init/);
  await assert.rejects(showFields(dir, { ...base, layer: '2' }), /^Error: only layer 1's filters read the image \(layer 2 reads a hidden map\); use --layer 1$/);
  await assert.rejects(showFields(dir, { ...base, at: '1,1' }), /^Error: --at picks map locations of a locally-connected run; this run is convolutional/);
  // ff report draws the same filters (weights and change since init), not a 'fields unavailable' note.
  const report = await buildReport([dir], { units: 10, samples: 50, testCount: 50 });
  assert.equal((report.html.match(/All 8 3×3 filters; .*, one class group of 2 channels per row/g) ?? []).length, 2);
  assert.ok(!report.warnings.some((w) => /receptive fields|change since/.test(w)), report.warnings.join('; '));
  const odd = path.join(tmp, 'odd');
  saveCheckpoint(odd, { ...convCheckpoint(3, 8), config: { connectivity: 'hexagonal', dataset: 'mnist' } });
  await assert.rejects(showFields(odd, base), /^Error: show-fields draws dense, grid, local, conv runs; this run's connectivity is 'hexagonal'$/);
});
