// The channel-wise competitive objective (--loss cwc) on a conv layer: one update moves every
// weight and per-channel bias by exactly −∂L/∂θ of an independent float64 loss (direct
// convolution, class-group goodness, softmax cross-entropy), by central finite differences,
// for goodness power 1 (mean goodness) and 2, on every engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConvGeometry } from '../../src/engine/conv-geometry.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFLayer } from '../../src/ff/ff-layer.js';
import { FD_UPDATE } from '../helpers/fd-config.js';
import { refConvRelu } from '../helpers/conv-reference.js';
import { engines } from '../helpers/engines.js';

// 4×4×2 maps, 3×3 kernels, pad 1 → 4×4×4; 2 classes of 2 channels each.
const g: ConvGeometry = { height: 4, width: 4, channels: 2, kernel: 3, stride: 1, padding: 1, outChannels: 4 };
const N = 2;
const B = 3;
const F = 4 * 4 * 2;
const W = 4 * 4 * 4;

function loss(power: 1 | 2, T: number, w: Float64Array, b: Float64Array, xs: Float64Array[], labels: number[]): number {
  let L = 0;
  xs.forEach((x, i) => {
    const y = refConvRelu(g, 1, x, w, b);
    const G = new Float64Array(N);
    for (let j = 0; j < W; j++) G[Math.floor((j % 4) / 2)] += y[j] ** power / (2 * 16);
    const logits = Array.from(G, (v) => v / T);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0));
    L += lse - logits[labels[i]];
  });
  return L / B;
}

for (const engine of engines()) {
  for (const power of [1, 2] as const) {
    test(`conv layer, --loss cwc: update = −∂L/∂θ by finite differences (${engine.name}, goodness power ${power})`, async () => {
      const T = 0.05;
      const cfg: FFConfig = { ...FF_DEFAULTS, layers: [4], connectivity: 'conv', window: 3, ...FD_UPDATE, loss: 'cwc', goodnessPower: power, temperature: T, threshold: null };
      const layer = new FFLayer(engine, cfg, 0, W, [{ source: 'input', fanIn: F, conv: g }], new Rng(5), N);
      const c = layer.connections[0];
      assert.equal(c.kind.name, 'conv');
      assert.equal(layer.bias.value.cols, 4, 'one bias per output channel');
      engine.write(layer.bias.value, Float32Array.from([0.1, -0.05, 0.2, 0]));
      const rng = new Rng(9);
      const xHost = Float32Array.from({ length: B * F }, () => rng.normal());
      const labels = [0, 1, 1];
      const x = engine.fromArray(xHost, B, F);
      const wBefore = Float64Array.from(await engine.read(c.weight.value));
      const bBefore = Float64Array.from(await engine.read(layer.bias.value));

      const y = engine.zeros(B, W);
      layer.project(c, x, y, 0);
      engine.addBias(layer.perChannel(y), layer.bias.value, true);
      const measured = layer.objective.measurement(y, engine.zeros(B, 1));
      const tally = engine.tally(2);
      const dz = layer.inputGradient(y, measured, { positives: B, negatives: 0, labels: engine.fromArray(Float32Array.from(labels), B, 1) }, null, { tally, at: 0 });
      layer.accumulate(dz, new Map([['input', x]]), 1 / B, true);
      layer.update(1);
      const wAfter = await engine.read(c.weight.value);
      const bAfter = await engine.read(layer.bias.value);

      const xs = Array.from({ length: B }, (_, i) => Float64Array.from(xHost.subarray(i * F, (i + 1) * F)));
      const reportedLoss = (await engine.readTally(tally))[0];
      assert.ok(Math.abs(reportedLoss / B - loss(power, T, wBefore, bBefore, xs, labels)) < 1e-4, `the reported loss ${reportedLoss / B} is the loss`);
      const fd = (arr: Float64Array, idx: number) => {
        const h = 1e-4;
        const keep = arr[idx];
        arr[idx] = keep + h;
        const up = loss(power, T, wBefore, bBefore, xs, labels);
        arr[idx] = keep - h;
        const down = loss(power, T, wBefore, bBefore, xs, labels);
        arr[idx] = keep;
        return (up - down) / (2 * h);
      };
      let largest = 0;
      for (let i = 0; i < wBefore.length; i++) {
        const moved = wAfter[i] - wBefore[i];
        largest = Math.max(largest, Math.abs(moved));
        const want = fd(wBefore, i);
        assert.ok(Math.abs(want + moved) <= 2e-3 * Math.max(1, Math.abs(want)), `W[${i}]: finite difference ${want} vs update ${-moved}`);
      }
      assert.ok(largest > 1e-3, `the step moved the weights (largest move ${largest})`);
      for (let j = 0; j < 4; j++) {
        const want = fd(bBefore, j);
        assert.ok(Math.abs(want + (bAfter[j] - bBefore[j])) <= 2e-3 * Math.max(1, Math.abs(want)), `b[${j}]: finite difference ${want} vs update ${bBefore[j] - bAfter[j]}`);
      }
    });
  }
}
