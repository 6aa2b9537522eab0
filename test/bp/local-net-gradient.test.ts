// Backprop through a whole locally-connected net (BPNet: two LC hidden maps and the dense
// softmax output): every summed weight and bias gradient of the cross-entropy equals central
// finite differences of a float64 reference (LC weights as dense masked matrices).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BPNet } from '../../src/bp/bp-net.js';
import { BP_DEFAULTS, type BPConfig } from '../../src/bp/config.js';
import { Rng } from '../../src/engine/rng.js';
import { netSpecFor } from '../../src/stages/net-spec.js';
import { engines } from '../helpers/engines.js';
import { denseFromLocal, rowTimes } from '../helpers/local-reference.js';

const H = 3;
const W = 4;
const IMAGE_C = 2;
const cfg: BPConfig = { ...BP_DEFAULTS, connectivity: 'local', window: 3, mapChannels: 2, layers: [24, 24] };
const D = H * W * IMAGE_C;
const N = 3;
const ROWS = 2;

for (const e of engines()) {
  test(`BP through an LC net: every gradient = finite differences (${e.name})`, async () => {
    const net = new BPNet(e, cfg, D, N, null, netSpecFor(cfg, { height: H, width: W, channels: IMAGE_C }));
    const rng = new Rng(3);
    // Non-zero biases so that ReLUs are not all decided by the weights alone.
    for (const b of net.biases) e.write(b.value, Float32Array.from({ length: b.value.rows * b.value.cols }, () => 0.1 * rng.normal()));
    const x = Float32Array.from({ length: ROWS * D }, () => rng.normal());
    const labels = Uint8Array.from([0, 2]);
    const ws = net.workspace(ROWS);
    await net.backward(ws, x, labels, ROWS);
    const params = await Promise.all([...net.weights, ...net.biases].map(async (p) => Float64Array.from(await e.read(p.value))));
    const grads = await Promise.all([...net.gradW, ...net.gradB].map((g) => e.read(g)));
    const [w1, w2, wo, b1, b2, bo] = params;
    const loss = () => {
      const M1 = denseFromLocal(net.local[0]!, w1);
      const M2 = denseFromLocal(net.local[1]!, w2);
      let L = 0;
      for (let i = 0; i < ROWS; i++) {
        const h1 = rowTimes(x.subarray(i * D, (i + 1) * D), M1, 24).map((v, j) => Math.max(0, v + b1[j]));
        const h2 = rowTimes(h1, M2, 24).map((v, j) => Math.max(0, v + b2[j]));
        const z = rowTimes(h2, wo, N).map((v, j) => v + bo[j]);
        const m = Math.max(...z);
        const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
        L += lse - z[labels[i]];
      }
      return L;
    };
    const names = ['layer1.weight', 'layer2.weight', 'output.weight', 'layer1.bias', 'layer2.bias', 'output.bias'];
    params.forEach((arr, p) => {
      let largest = 0;
      for (let k = 0; k < arr.length; k++) {
        const keep = arr[k];
        if (p < 2 && keep === 0) continue; // taps outside the map: no weight, no gradient
        arr[k] = keep + 1e-6;
        const up = loss();
        arr[k] = keep - 1e-6;
        const down = loss();
        arr[k] = keep;
        const fd = (up - down) / 2e-6;
        largest = Math.max(largest, Math.abs(fd));
        assert.ok(Math.abs(fd - grads[p][k]) <= 1e-3 * Math.max(1, Math.abs(fd)), `${names[p]}[${k}]: finite difference ${fd} vs backprop ${grads[p][k]}`);
      }
      assert.ok(largest > 1e-3, `${names[p]}: the gradient is not trivially zero`);
    });
  });
}
