// Backprop through locally-connected layers: x → LC₁ → ReLU → LC₂ → L = ½Σ y², with the
// engine's localWeightGrad / localInputGrad giving ∂L/∂W₁, ∂L/∂W₂ and ∂L/∂x, checked against
// central finite differences of a float64 reference (the LC weights as dense masked matrices).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initLocalWeights, localWeightShape, type LocalGeometry } from '../../src/engine/local-geometry.js';
import { Rng } from '../../src/engine/rng.js';
import { engines } from '../helpers/engines.js';
import { denseFromLocal, rowTimes } from '../helpers/local-reference.js';

const g1: LocalGeometry = { height: 3, width: 5, inChannels: 2, outChannels: 3, window: 3 };
const g2: LocalGeometry = { height: 3, width: 5, inChannels: 3, outChannels: 1, window: 5 };
const F0 = 30;
const F1 = 45;
const F2 = 15;
const ROWS = 2;

function loss(x: Float64Array, w1: Float64Array, w2: Float64Array): number {
  const M1 = denseFromLocal(g1, w1);
  const M2 = denseFromLocal(g2, w2);
  let L = 0;
  for (let i = 0; i < ROWS; i++) {
    const h = rowTimes(x.subarray(i * F0, (i + 1) * F0), M1, F1).map((v) => Math.max(0, v));
    for (const v of rowTimes(h, M2, F2)) L += 0.5 * v * v;
  }
  return L;
}

for (const e of engines()) {
  test(`backprop through two LC layers: weight and input gradients = finite differences (${e.name})`, async () => {
    const rng = new Rng(21);
    const w1h = initLocalWeights(g1, () => rng.normal());
    const w2h = initLocalWeights(g2, () => rng.normal());
    const xh = Float32Array.from({ length: ROWS * F0 }, () => rng.normal());
    const s1 = localWeightShape(g1);
    const s2 = localWeightShape(g2);
    const x = e.fromArray(xh, ROWS, F0);
    const w1 = e.fromArray(w1h, s1.rows, s1.cols);
    const w2 = e.fromArray(w2h, s2.rows, s2.cols);
    const h = e.zeros(ROWS, F1);
    const y = e.zeros(ROWS, F2);
    e.localForward(x, w1, h, g1);
    e.reluBackward(h, h, h); // h = relu(h)
    e.localForward(h, w2, y, g2);
    // ∂L/∂y = y; then down through LC₂, the ReLU and LC₁.
    const dw2 = e.zeros(s2.rows, s2.cols);
    const dh = e.zeros(ROWS, F1);
    const dw1 = e.zeros(s1.rows, s1.cols);
    const dx = e.zeros(ROWS, F0);
    e.localWeightGrad(h, y, dw2, g2);
    e.localInputGrad(y, w2, dh, g2);
    e.reluBackward(dh, h, dh);
    e.localWeightGrad(x, dh, dw1, g1);
    e.localInputGrad(dh, w1, dx, g1);

    const X = Float64Array.from(xh);
    const W1 = Float64Array.from(w1h);
    const W2 = Float64Array.from(w2h);
    const check = async (name: string, arr: Float64Array, grad: Float32Array) => {
      let largest = 0;
      for (let k = 0; k < arr.length; k++) {
        const keep = arr[k];
        const step = 1e-5;
        arr[k] = keep + step;
        const up = loss(X, W1, W2);
        arr[k] = keep - step;
        const down = loss(X, W1, W2);
        arr[k] = keep;
        const fd = (up - down) / (2 * step);
        largest = Math.max(largest, Math.abs(fd));
        assert.ok(Math.abs(fd - grad[k]) <= 1e-3 * Math.max(1, Math.abs(fd)), `${name}[${k}]: finite difference ${fd} vs backprop ${grad[k]}`);
      }
      assert.ok(largest > 1e-2, `${name}: the gradient is not trivially zero`);
    };
    await check('dx', X, await e.read(dx));
    await check('dW1', W1, await e.read(dw1));
    await check('dW2', W2, await e.read(dw2));
  });
}
