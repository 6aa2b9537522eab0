// `ff show-fields` on locally-connected runs: each unit's K×K window is drawn at the unit's own
// location on the image grid (clipped at the border), channels side by side, coloured by its
// weight read through localWeightIndex; a real tiny LC run draws by --at and by --sort;
// `ff report` draws them too; unsupported cases are one-line errors.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { showFields } from '../../src/cli/show-fields.js';
import { localTapInside, localWeightIndex, localWeightShape, type LocalGeometry } from '../../src/engine/local-geometry.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { saveCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { train } from '../../src/train/trainer.js';
import { colorFor } from '../../src/viz/colormap.js';
import { buildReport } from '../../src/viz/report.js';
import { GAP_COLOR } from '../../src/viz/fields.js';
import { localFieldWeightsFromCheckpoint, OUTSIDE_WINDOW_COLOR, pickLocalUnits, renderLocalFields, unitsAtLocations } from '../../src/viz/local-fields.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-local-fields-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const g: LocalGeometry = { height: 6, width: 7, inChannels: 3, outChannels: 2, window: 3 };
/** A distinct nonzero weight for every tap inside the map, of both signs. */
const weightOf = (co: number, py: number, px: number, ci: number, dy: number, dx: number) =>
  (((co + py + px + ci + dy + dx) % 2) * 2 - 1) * (0.1 + ((co * 31 + py * 17 + px * 13 + ci * 7 + dy * 3 + dx) % 23) / 23);

function lcCheckpoint(): Checkpoint {
  const { rows, cols } = localWeightShape(g);
  const data = new Float32Array(rows * cols);
  for (let co = 0; co < g.outChannels; co++)
    for (let py = 0; py < g.height; py++)
      for (let px = 0; px < g.width; px++)
        for (let ci = 0; ci < g.inChannels; ci++)
          for (let dy = 0; dy < g.window; dy++)
            for (let dx = 0; dx < g.window; dx++)
              if (localTapInside(g, py, px, dy, dx)) data[localWeightIndex(g, co, py, px, ci, dy, dx)] = weightOf(co, py, px, ci, dy, dx);
  return {
    algo: 'bp',
    config: { connectivity: 'local', window: g.window, mapChannels: g.outChannels, dataset: 'synthetic' },
    state: { shape: { height: g.height, width: g.width, channels: g.inChannels, numClasses: 4 } },
    tensors: new Map([['layer1.weight', { shape: [rows, cols], data }]]),
  };
}

test('LC fields: the window is drawn at the unit’s location, each tap in its weight’s colour, the rest blank', () => {
  const lf = localFieldWeightsFromCheckpoint(lcCheckpoint());
  // An inner unit and a corner unit whose window is clipped by the image border.
  const units = [{ co: 1, py: 2, px: 4 }, { co: 0, py: 0, px: 0 }];
  const s = 2;
  const { raster, layout } = renderLocalFields(lf, { units, scale: s });
  units.forEach((u, tile) => {
    for (let ci = 0; ci < g.inChannels; ci++)
      for (let y = 0; y < g.height; y++)
        for (let x = 0; x < g.width; x++) {
          const dy = y - u.py + 1;
          const dx = x - u.px + 1;
          const inWindow = dy >= 0 && dy < 3 && dx >= 0 && dx < 3;
          const want = inWindow ? colorFor(weightOf(u.co, u.py, u.px, ci, dy, dx), layout.scales[tile]) : OUTSIDE_WINDOW_COLOR;
          const p = layout.pixel(tile, ci, y, x);
          for (const [ox, oy] of [[0, 0], [s - 1, s - 1]]) {
            assert.deepEqual(raster.getPixel(p.x + ox, p.y + oy), want, `tile ${tile} channel ${ci} pixel (${y}, ${x})`);
          }
        }
  });
  // Channels side by side, s pixels of gap between panels.
  assert.deepEqual(raster.getPixel(layout.pixel(0, 0, 0, g.width - 1).x + s, 0 + s), GAP_COLOR);
  assert.equal(layout.pixel(0, 1, 0, 0).x - layout.pixel(0, 0, 0, 0).x, g.width * s + s);
});

test('LC fields: unit picking by location and by sort; one-line errors', () => {
  const lf = localFieldWeightsFromCheckpoint(lcCheckpoint());
  assert.deepEqual(unitsAtLocations(g, '1,2 5,6'), [
    { co: 0, py: 1, px: 2 }, { co: 1, py: 1, px: 2 }, { co: 0, py: 5, px: 6 }, { co: 1, py: 5, px: 6 },
  ]);
  assert.throws(() => unitsAtLocations(g, '6,0'), /^Error: --at wants locations y,x inside the 6×7 map/);
  assert.deepEqual(pickLocalUnits(lf, 3, 'index'), [{ co: 0, py: 0, px: 0 }, { co: 0, py: 0, px: 1 }, { co: 0, py: 0, px: 2 }]);
  // rms: corner units see 4 of 9 taps, so an inner unit comes first.
  const top = pickLocalUnits(lf, 1, 'rms')[0];
  assert.ok(top.py > 0 && top.py < g.height - 1 && top.px > 0 && top.px < g.width - 1, JSON.stringify(top));
  assert.throws(() => pickLocalUnits(lf, 1, 'peer'), /needs the peer-normalization means/);
  assert.throws(() => pickLocalUnits(lf, 85, 'rms'), /layer 1 has only 84 units/);
  assert.throws(() => localFieldWeightsFromCheckpoint(lcCheckpoint(), 2), /^Error: only layer 1 reads the image/);
  const wrong = lcCheckpoint();
  wrong.config.window = 5;
  assert.throws(() => localFieldWeightsFromCheckpoint(wrong), /^Error: checkpoint \(bp\): layer1\.weight is 324×7, not the 900×7 of a locally-connected layer$/);
});

test('ff show-fields on a trained tiny LC run: --at, --sort, --minus-init; --at on a dense run is refused', async () => {
  const data = syntheticMaps();
  const algo = getAlgorithm('ff');
  const cfg = { ...algo.defaults, connectivity: 'local', window: 3, mapChannels: 2, layers: [72], epochs: 1, batchSize: 50, evalEvery: 1, trainSubset: 100 };
  const dir = path.join(tmp, 'run');
  await train(algo.create(getEngine(), cfg, data), data, { outDir: dir });
  const out = path.join(tmp, 'lc.png');
  const base = { layer: '1', units: '10', out, sort: 'rms' };
  let msg = await showFields(dir, { ...base, at: '2,3' });
  assert.match(msg, /^wrote .*: 2 of 72 locally-connected layer-1 units \(ff, the units at 2,3\), each 3×3×3 window at its place on the 6×6 image/);
  let png = PNG.sync.read(readFileSync(out));
  assert.equal(png.width, 3 + 2 * (3 * 18 + 2 * 3 + 3));
  msg = await showFields(dir, { ...base, minusInit: true });
  assert.match(msg, /: 10 of 72 .*change since init, sorted by rms/);
  png = PNG.sync.read(readFileSync(out));
  assert.ok(png.width > 0);
  await assert.rejects(showFields(dir, { ...base, layer: '2' }), /only layer 1 reads the image/);
  // ff report draws the same windows (weights and change since init), not a 'fields unavailable' note.
  const report = await buildReport([dir], { units: 10, samples: 50, testCount: 50 });
  assert.equal((report.html.match(/10 of 72 locally-connected units with the largest weight RMS/g) ?? []).length, 2);
  assert.ok(!report.warnings.some((w) => /receptive fields|change since/.test(w)), report.warnings.join('; '));
  const dense = path.join(tmp, 'dense');
  saveCheckpoint(dense, { algo: 'bp', config: { dataset: 'mnist' }, state: {}, tensors: new Map([['layer1.weight', { shape: [784, 2], data: new Float32Array(1568) }]]) });
  await assert.rejects(showFields(dense, { ...base, at: '1,1' }), /^Error: --at picks map locations of a locally-connected run/);
});
