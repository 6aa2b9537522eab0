// Backprop through a whole conv net (BPNet with --connectivity conv, issue 32): FF's conv
// forward — the centred image read channels last and GroupNorm'ed as one group, conv +
// per-channel bias + ReLU, 2×2 pooling after layer 1, GroupNorm with 2 groups after every layer —
// then the dense softmax output. Its probabilities equal a float64 reference written from those
// definitions, and every summed weight and bias gradient of the cross-entropy equals central
// finite differences of that reference, with max and with average pooling, on every engine.
// With --dropout, every hidden layer's output is relu(conv + b)·mask/(1−p) — the mask of the
// training step, drawn again after it — before pooling and GroupNorm, so the same checks show
// that the backward multiplies by the same mask and 1/(1−p) as the forward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BPNet } from '../../src/bp/bp-net.js';
import { BP_DEFAULTS, type BPConfig } from '../../src/bp/config.js';
import { Rng } from '../../src/engine/rng.js';
import { GROUP_NORM_EPS } from '../../src/ff/ff-net.js';
import { netSpecFor } from '../../src/stages/net-spec.js';
import { forEachWindow, firstMax, refConvRelu, refGroupNorm } from '../helpers/conv-reference.js';
import { engines, enginesWithWebGpu } from '../helpers/engines.js';

const H = 6;
const W = 6;
const C = 2;
const D = H * W * C;
const N = 3;
const ROWS = 3;
const GROUPS = 2;
const image = { height: H, width: W, channels: C };

for (const [rate, pool] of [[0, 'max'], [0, 'avg'], [0.3, 'max'], [0.3, 'avg']] as const) {
  const cfg: BPConfig = { ...BP_DEFAULTS, connectivity: 'conv', window: 3, layers: [4, 6], poolAfter: [1], pool, norm: 'group', normGroups: GROUPS, dropout: rate };
  const spec = netSpecFor(cfg, image);
  const name = rate === 0
    ? (engine: string) => `BP through a conv net (${pool} pooling): FF's forward, and every gradient = finite differences (${engine})`
    : (engine: string) => `BP through a conv net with --dropout ${rate} (${pool} pooling): every gradient = finite differences through the masks (${engine})`;
  for (const e of rate === 0 ? engines() : enginesWithWebGpu()) {
    test(name(e.name), async () => {
      const rng = new Rng(5);
      const mean = Float32Array.from({ length: D }, () => 0.3 * rng.normal());
      const net = new BPNet(e, cfg, D, N, mean, spec);
      // Non-zero biases so that ReLUs are not all decided by the weights alone.
      for (const b of net.biases) e.write(b.value, Float32Array.from({ length: b.value.rows * b.value.cols }, () => 0.2 * rng.normal()));
      const x = Float32Array.from({ length: ROWS * D }, () => rng.normal());
      const labels = Uint8Array.from([0, 2, 1]);
      const ws = net.workspace(ROWS);
      const probs = await net.backward(ws, x, labels, ROWS);
      // The step's masks (it has not ended: the same counters), mask/(1−p) per output value.
      const masks = rate === 0 ? [] : await Promise.all(spec.layers.map(async (l, k) => {
        const ones = e.fromArray(new Float32Array(ROWS * l.width).fill(1), ROWS, l.width);
        net.stages.dropout(k, ones, 0);
        const m = await e.read(ones);
        assert.ok(m.some((v) => v === 0) && m.some((v) => v !== 0), `layer ${k + 1}: the mask drops some units, not all`);
        return m;
      }));
      const drop = (y: Float64Array, k: number) => (rate === 0 ? y : y.map((v, i) => v * masks[k][i]));
      const params = await Promise.all([...net.weights, ...net.biases].map(async (p) => Float64Array.from(await e.read(p.value))));
      const grads = await Promise.all([...net.gradW, ...net.gradB].map((g) => e.read(g)));
      const [g1, g2] = spec.layers.map((l) => (l.geometry.kind === 'conv' ? l.geometry.conv : assert.fail('conv layers expected')));
      const pg = spec.layers[0].pool!;
      // The image centred (channel-planar), then channels last: value (c, p) → p·C + c.
      const x0 = new Float64Array(ROWS * D);
      for (let i = 0; i < ROWS; i++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) x0[i * D + p * C + c] = x[i * D + c * H * W + p] - mean[c * H * W + p];
      const n0 = refGroupNorm({ positions: H * W, channels: C, groups: 1 }, ROWS, x0, GROUP_NORM_EPS).y;
      const forward = (p: Float64Array[]): Float64Array => {
        const [w1, w2, wo, b1, b2, bo] = p;
        const y1 = drop(refConvRelu(g1, ROWS, n0, w1, b1), 0);
        const pooled = new Float64Array(ROWS * (H / 2) * (W / 2) * 4);
        forEachWindow(pg, ROWS, (o, taps) => (pooled[o] = pool === 'max' ? y1[firstMax(y1, taps)] : taps.reduce((s, t) => s + y1[t], 0) / taps.length));
        const n1 = refGroupNorm({ positions: 9, channels: 4, groups: GROUPS }, ROWS, pooled, GROUP_NORM_EPS).y;
        const n2 = refGroupNorm({ positions: 9, channels: 6, groups: GROUPS }, ROWS, drop(refConvRelu(g2, ROWS, n1, w2, b2), 1), GROUP_NORM_EPS).y;
        const top = n2.length / ROWS;
        const z = new Float64Array(ROWS * N);
        for (let i = 0; i < ROWS; i++) for (let j = 0; j < N; j++) {
          let s = bo[j];
          for (let k = 0; k < top; k++) s += n2[i * top + k] * wo[k * N + j];
          z[i * N + j] = s;
        }
        return z;
      };
      const loss = (p: Float64Array[]) => {
        const z = forward(p);
        let L = 0;
        for (let i = 0; i < ROWS; i++) {
          const row = z.subarray(i * N, (i + 1) * N);
          const m = Math.max(...row);
          L += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[labels[i]];
        }
        return L;
      };
      // The forward: BP's probabilities are the reference's softmax.
      const z = forward(params);
      for (let i = 0; i < ROWS; i++) {
        const row = z.subarray(i * N, (i + 1) * N);
        const m = Math.max(...row);
        const sum = row.reduce((s, v) => s + Math.exp(v - m), 0);
        for (let j = 0; j < N; j++) assert.ok(Math.abs(probs[i * N + j] - Math.exp(row[j] - m) / sum) < 1e-5, `p[${i}][${j}]: BP ${probs[i * N + j]}, reference ${Math.exp(row[j] - m) / sum}`);
      }
      const names = ['layer1.weight', 'layer2.weight', 'output.weight', 'layer1.bias', 'layer2.bias', 'output.bias'];
      assert.deepEqual(params.map((a) => a.length), [3 * 3 * C * 4, 3 * 3 * 4 * 6, 54 * N, 4, 6, N]);
      params.forEach((arr, p) => {
        let largest = 0;
        for (let k = 0; k < arr.length; k++) {
          const keep = arr[k];
          arr[k] = keep + 1e-6;
          const up = loss(params);
          arr[k] = keep - 1e-6;
          const down = loss(params);
          arr[k] = keep;
          const fd = (up - down) / 2e-6;
          largest = Math.max(largest, Math.abs(fd));
          assert.ok(Math.abs(fd - grads[p][k]) <= 1e-3 * Math.max(0.1, Math.abs(fd)), `${names[p]}[${k}]: finite difference ${fd} vs backprop ${grads[p][k]}`);
        }
        assert.ok(largest > 1e-3, `${names[p]}: the gradient is not trivially zero`);
      });
    });
  }
}

test('backprop on conv nets refuses what it does not implement, in one line', () => {
  const base: BPConfig = { ...BP_DEFAULTS, connectivity: 'conv', window: 3, layers: [4], norm: 'group' };
  const e = engines()[0];
  const make = (c: BPConfig) => () => new BPNet(e, c, D, N, null, netSpecFor(c, image));
  assert.throws(make({ ...base, norm: 'rms' }), /^Error: backprop on conv nets normalizes between layers with GroupNorm only: add --norm group$/);
  assert.throws(make({ ...base, inputNorm: 'rms' }), /leave --input-norm out/);
  assert.throws(make({ ...base, boxAfter: 1 }), /^Error: --box-after needs dense hidden layers/);
  assert.throws(make({ ...base, analogAddNoise: 0.1 }), /^Error: an analog device needs dense hidden layers/);
  const dense: BPConfig = { ...BP_DEFAULTS, layers: [5], norm: 'group' };
  assert.throws(() => new BPNet(e, dense, D, N), /--norm group normalizes between conv layers/);
});
