// The FF update of a tiny locally-connected layer equals −∂L/∂W by central finite differences
// of an independent float64 loss (the LC weights as a dense masked matrix), on every engine.
// Momentum 0, lr 1, no weight cost: one step moves W by exactly −(mean gradient).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localTapInside, localWeightIndex, type LocalGeometry } from '../../src/engine/local-geometry.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFLayer } from '../../src/ff/ff-layer.js';
import { engines } from '../helpers/engines.js';
import { denseFromLocal, rowTimes } from '../helpers/local-reference.js';
import { FD_UPDATE } from '../helpers/fd-config.js';

const g: LocalGeometry = { height: 3, width: 4, inChannels: 2, outChannels: 2, window: 3 };
const F = 24; // 2·3·4 inputs and 2·3·4 units
const B = 3;

function loss(cfg: FFConfig, w: Float64Array, b: Float64Array, xs: Float64Array[], theta: number): number {
  const sp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  const sign = cfg.goodness === 'max-ssq' ? 1 : -1;
  const M = denseFromLocal(g, w);
  let L = 0;
  xs.forEach((x, i) => {
    const z = rowTimes(x, M, F);
    let G = 0;
    for (let j = 0; j < F; j++) G += Math.max(0, z[j] + b[j]) ** 2;
    const s = (sign * (G - theta)) / cfg.temperature;
    L += i < B ? sp(-s) : sp(s);
  });
  return L / B;
}

for (const engine of engines()) {
  for (const v of [{}, { goodness: 'min-ssq' as const }]) {
    test(`LC layer: FF update = −∂L/∂W by finite differences (${engine.name}, ${JSON.stringify(v)})`, async () => {
      const cfg: FFConfig = { ...FF_DEFAULTS, layers: [F], ...FD_UPDATE, threshold: 4, ...v };
      const layer = new FFLayer(engine, cfg, 0, F, [{ source: 'input', fanIn: F, local: g }], new Rng(5));
      const c = layer.connections[0];
      assert.equal(c.kind.name, 'local');
      engine.write(layer.bias.value, Float32Array.from({ length: F }, (_, j) => 0.1 * ((j % 5) - 2)));
      const rng = new Rng(9);
      const xHost = Float32Array.from({ length: 2 * B * F }, () => rng.normal());
      const x = engine.fromArray(xHost, 2 * B, F);
      const wBefore = Float64Array.from(await engine.read(c.weight.value));
      const bBefore = Float64Array.from(await engine.read(layer.bias.value));

      // The layer rule on 2B rows (B positive, then B negative).
      const y = engine.zeros(2 * B, F);
      const good = engine.zeros(2 * B, 1);
      layer.project(c, x, y, 0);
      engine.addBias(y, layer.bias.value, true);
      engine.rowPowerSum(y, good, 2);
      const dz = layer.inputGradient(y, good, { positives: B, negatives: B }, null, { tally: engine.tally(2), at: 0 });
      layer.accumulate(dz, new Map([['input', x]]), 1 / B, true);
      layer.update(1);
      const wAfter = await engine.read(c.weight.value);
      const bAfter = await engine.read(layer.bias.value);

      const xs = Array.from({ length: 2 * B }, (_, i) => Float64Array.from(xHost.subarray(i * F, (i + 1) * F)));
      const theta = cfg.threshold!;
      const fd = (arr: Float64Array, idx: number) => {
        const h = 1e-4;
        const keep = arr[idx];
        arr[idx] = keep + h;
        const up = loss(cfg, wBefore, bBefore, xs, theta);
        arr[idx] = keep - h;
        const down = loss(cfg, wBefore, bBefore, xs, theta);
        arr[idx] = keep;
        return (up - down) / (2 * h);
      };
      let outside = 0;
      let largest = 0;
      for (let co = 0; co < g.outChannels; co++)
        for (let py = 0; py < g.height; py++)
          for (let px = 0; px < g.width; px++)
            for (let ci = 0; ci < g.inChannels; ci++)
              for (let dy = 0; dy < g.window; dy++)
                for (let dx = 0; dx < g.window; dx++) {
                  const idx = localWeightIndex(g, co, py, px, ci, dy, dx);
                  const moved = wAfter[idx] - wBefore[idx];
                  if (!localTapInside(g, py, px, dy, dx)) {
                    // Outside the map: initialised to 0, never moved.
                    assert.equal(wBefore[idx], 0);
                    assert.equal(moved, 0);
                    outside++;
                    continue;
                  }
                  largest = Math.max(largest, Math.abs(moved));
                  const want = fd(wBefore, idx);
                  const tol = 2e-3 * Math.max(1, Math.abs(want));
                  assert.ok(Math.abs(want + moved) <= tol, `W[${idx}] (co ${co}, unit ${py},${px}, tap ${ci},${dy},${dx}): finite difference ${want} vs update ${-moved}`);
                }
      assert.ok(outside > 0, 'the geometry has taps outside the map');
      assert.ok(largest > 1e-3, `the step moved the weights (largest move ${largest})`);
      for (let j = 0; j < F; j++) {
        const want = fd(bBefore, j);
        assert.ok(Math.abs(want + (bAfter[j] - bBefore[j])) <= 2e-3 * Math.max(1, Math.abs(want)), `b[${j}]: finite difference ${want} vs update ${bBefore[j] - bAfter[j]}`);
      }
    });
  }
}
