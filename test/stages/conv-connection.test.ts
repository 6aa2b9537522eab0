// A Layer with a conv connection (src/stages/connections/conv.ts), on every engine: its
// forward equals a float64 convolution written out as loops (channels-last, zero padding,
// stride), also into a row view; backprop's weight, bias and input gradients (Layer.backward)
// and FF's accumulated step (Layer.accumulate + update, momentum 0, lr 1: w moves by −dw)
// equal central differences of the float64 loss Σ r ⊙ relu(conv(x) + b)².
// Bound: |grad − fd| ≤ 2e-3·(|fd| + 0.05·max|fd|), every coordinate.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { convOutputSize, patchInputSize, patchOutHeight, patchOutWidth, type ConvGeometry } from '../../src/engine/conv-geometry.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { Layer } from '../../src/stages/layer.js';
import { assertNearDifferences, centralDifference } from '../helpers/central-difference.js';
import { engines } from '../helpers/engines.js';
import { FD_UPDATE } from '../helpers/fd-config.js';

const GEOMETRIES: ConvGeometry[] = [
  { height: 5, width: 6, channels: 2, kernel: 3, stride: 2, padding: 1, outChannels: 3 },
  { height: 4, width: 4, channels: 3, kernel: 3, stride: 1, padding: 1, outChannels: 2 },
  { height: 5, width: 4, channels: 1, kernel: 2, stride: 1, padding: 0, outChannels: 4 },
  // Channel groups: each output channel reads its group's input channels only.
  { height: 4, width: 5, channels: 4, kernel: 3, stride: 1, padding: 1, outChannels: 6, groups: 2 },
  { height: 5, width: 5, channels: 6, kernel: 3, stride: 2, padding: 1, outChannels: 3, groups: 3 },
];
const N = 3;
const H = 1e-4;

/**
 * z = conv(x) + b in float64: x n × (H·W·C), w (K·K·C_in) × C_out/G — group gi's rows
 * [gi·K·K·C_in/G, (gi+1)·K·K·C_in/G) map its C_in/G input channels to its C_out/G outputs.
 */
function convRef(g: ConvGeometry, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const Ho = patchOutHeight(g);
  const Wo = patchOutWidth(g);
  const C = g.channels;
  const Co = g.outChannels;
  const G = g.groups ?? 1;
  const [Cg, Cgo] = [C / G, Co / G];
  const inSize = patchInputSize(g);
  const outSize = convOutputSize(g);
  const z = new Float64Array(n * outSize);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let co = 0; co < Co; co++) {
          const o = (oy * Wo + ox) * Co + co;
          let s = b[co]; // one bias per output channel
          const gi = Math.floor(co / Cgo);
          for (let ky = 0; ky < g.kernel; ky++)
            for (let kx = 0; kx < g.kernel; kx++) {
              const y = oy * g.stride + ky - g.padding;
              const xx = ox * g.stride + kx - g.padding;
              if (y < 0 || y >= g.height || xx < 0 || xx >= g.width) continue;
              for (let c = 0; c < Cg; c++) s += x[i * inSize + (y * g.width + xx) * C + gi * Cg + c] * w[(gi * g.kernel * g.kernel * Cg + (ky * g.kernel + kx) * Cg + c) * Cgo + (co % Cgo)];
            }
          z[i * outSize + o] = s;
        }
  return z;
}

function lossRef(g: ConvGeometry, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, r: Float32Array): number {
  const z = convRef(g, x, w, b, N);
  let L = 0;
  for (let k = 0; k < z.length; k++) L += r[k] * Math.max(0, z[k]) ** 2;
  return L;
}

/** Central differences of `loss` at every coordinate of `value`, checked against `grad`. */
function checkAll(what: string, value: Float32Array, grad: ArrayLike<number>, loss: (p: Float64Array) => number): void {
  const every = Array.from(value, (_, j) => j);
  const fd = every.map((j) => centralDifference(value, j, loss, H));
  assert.ok(Math.max(...fd.map(Math.abs)) > 1e-3, `${what}: the loss depends on it`);
  assertNearDifferences(what, 'layer', grad, every, fd);
}

for (const engine of engines()) {
  for (const g of GEOMETRIES) {
    test(`Layer with a conv connection: forward, backward and FF step by finite differences (${engine.name}, ${g.height}×${g.width}×${g.channels} k${g.kernel} s${g.stride} p${g.padding} → ${g.outChannels}${g.groups ? `, ${g.groups} groups` : ''})`, async () => {
      const F = patchInputSize(g);
      const U = convOutputSize(g);
      const cfg: FFConfig = { ...FF_DEFAULTS, layers: [U], ...FD_UPDATE };
      const layer = new Layer(engine, cfg, 0, U, [{ source: 'input', fanIn: F, conv: g }], new Rng(3));
      const c = layer.bottomUp;
      assert.equal(c.kind.name, 'conv');
      const rng = new Rng(11);
      // One bias per output channel, shared by every position (Layer.biasWidth).
      assert.equal(layer.bias.value.cols, g.outChannels);
      const bias = Float32Array.from({ length: g.outChannels }, () => 0.2 * rng.normal());
      engine.write(layer.bias.value, bias);
      const xHost = rng.fillNormal(new Float32Array(N * F));
      const r = Float32Array.from({ length: N * U }, () => rng.uniform() - 0.3);
      const w = await engine.read(c.weight.value);
      const x = engine.fromArray(xHost, N, F);

      // Forward, as the layer's stage (an ideal chip) and into a row view (one fewer row).
      const y = engine.zeros(N, U);
      layer.project(c, x, y, 0);
      engine.addBias(layer.perChannel(y), layer.bias.value, true);
      const yHost = await engine.read(y);
      const want = convRef(g, xHost, w, bias, N);
      want.forEach((z, k) => assert.ok(Math.abs(yHost[k] - Math.max(0, z)) <= 1e-5 * (1 + Math.abs(z)), `y[${k}]: layer ${yHost[k]}, float64 ${Math.max(0, z)}`));
      const tail = engine.zeros(N, U);
      layer.project(c, engine.rowView(x, 1, N - 1), engine.rowView(tail, 1, N - 1), 0);
      const tailHost = await engine.read(tail);
      for (let k = 0; k < U; k++) assert.equal(tailHost[k], 0, 'a row view writes only its rows');
      for (let k = U; k < N * U; k++) assert.ok(Math.abs(tailHost[k] - (want[k] - bias[k % g.outChannels])) <= 1e-5 * (1 + Math.abs(want[k])), `row view y[${k}]`);

      // Backprop: dy = ∂L/∂y = 2·r·y; backward gates it by the ReLU and gives dw, db, dx.
      const dyHost = Float32Array.from(yHost, (v, k) => 2 * r[k] * v);
      const dy = engine.fromArray(dyHost, N, U);
      const dx = engine.zeros(N, F);
      layer.backward(x, y, dy, dx);
      const { weight: dw, bias: db } = layer.gradients;
      checkAll('w', w, await engine.read(dw), (p) => lossRef(g, xHost, p, bias, r));
      checkAll('b', bias, await engine.read(db), (p) => lossRef(g, xHost, w, p, r));
      checkAll('x', xHost, await engine.read(dx), (p) => lossRef(g, p, w, bias, r));

      // FF's path: the gated ∂L/∂z (now in dy) accumulated as the layer's input gradient, one step.
      const dwHost = await engine.read(dw);
      layer.accumulate(dy, new Map([['input', x]]), 1, true);
      layer.update(1);
      const moved = await engine.read(c.weight.value);
      moved.forEach((v, j) => assert.ok(Math.abs(w[j] - dwHost[j] - v) <= 1e-5 * (1 + Math.abs(v)), `w[${j}] after the step: ${v}, want ${w[j] - dwHost[j]}`));
    });
  }
}

test('a conv connection that does not join the layer is refused in one line', () => {
  const g = GEOMETRIES[0];
  const [engine] = engines();
  const cfg: FFConfig = { ...FF_DEFAULTS, layers: [5] };
  assert.throws(() => new Layer(engine, cfg, 0, 5, [{ source: 'input', fanIn: patchInputSize(g), conv: g }], new Rng(1)), /^Error: layer 1: a conv input connection of 60 → 27 values does not join 60 inputs to 5 units$/);
  assert.throws(() => new Layer(engine, cfg, 0, 27, [{ source: 'input', fanIn: 60, conv: { ...g, padding: 3 } }], new Rng(1)), /padding 3 must be smaller than the kernel 3/);
});
