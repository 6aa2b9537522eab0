// Finite-difference gradient tests of a whole conv layer composed from the engine's kernels
// (test/helpers/conv-layer.ts: im2col → gemm → bias + ReLU → pool → GroupNorm, loss Σ r·q²)
// on every backend: the loss matches the float64 definition (test/helpers/conv-reference.ts),
// and the weight, bias and input gradients match central differences of that float64 loss at
// random coordinates. Bound: |grad − fd| ≤ 2e-3·(|fd| + 0.05·max|fd|).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { patchSize } from '../../src/engine/conv-geometry.js';
import { Rng } from '../../src/engine/rng.js';
import { assertNearDifferences, centralDifference } from '../helpers/central-difference.js';
import { engineLayerGrads } from '../helpers/conv-layer.js';
import { BACKENDS } from '../helpers/conformance.js';
import { requireOrSkip } from '../helpers/webgpu.js';
import { refLayerLoss, type RefLayer } from '../helpers/conv-reference.js';

const LAYERS: { name: string; L: RefLayer; n: number }[] = [
  { name: '3×3 pad 1, 2×2 max pool, GroupNorm(2)', n: 2, L: { conv: { height: 6, width: 6, channels: 3, kernel: 3, stride: 1, padding: 1, outChannels: 4 }, pool: { kind: 'max', window: 2, stride: 2 }, groups: 2 } },
  { name: '5×5 stride 2 pad 1, 2×2 stride 1 average pool', n: 3, L: { conv: { height: 7, width: 8, channels: 2, kernel: 5, stride: 2, padding: 1, outChannels: 3 }, pool: { kind: 'avg', window: 2, stride: 1 }, groups: null } },
  { name: '1×1, GroupNorm(1)', n: 2, L: { conv: { height: 3, width: 5, channels: 4, kernel: 1, stride: 1, padding: 0, outChannels: 2 }, pool: null, groups: 1 } },
  { name: '3×3 stride 2 no pad, overlapping 3×3 max pool', n: 2, L: { conv: { height: 11, width: 9, channels: 2, kernel: 3, stride: 2, padding: 0, outChannels: 3 }, pool: { kind: 'max', window: 3, stride: 2 }, groups: null } },
];

const EPS_NORM = 1e-5;
const H = 1e-4; // finite-difference step (float64 loss)
const PROBES = 12; // coordinates checked per parameter

for (const b of BACKENDS) {
  for (const { name, L, n } of LAYERS) {
    test(`${b.name}: conv layer gradients by finite differences (${name})`, async (t) => {
      if (!b.engine) {
        requireOrSkip(b, (why) => t.skip(why));
        return;
      }
      const g = L.conv;
      const rng = new Rng(7);
      const x = rng.fillNormal(new Float32Array(n * g.height * g.width * g.channels));
      const w = rng.fillNormal(new Float32Array(patchSize(g) * g.outChannels), 1 / Math.sqrt(patchSize(g)));
      const bias = rng.fillNormal(new Float32Array(g.outChannels), 0.3);
      // r sized generously: the loss only reads the entries the layer's output has.
      const r = Float32Array.from({ length: n * g.height * g.width * g.outChannels }, () => 0.5 + rng.uniform());
      const got = await engineLayerGrads(b.engine, L, n, x, w, bias, r, EPS_NORM);
      const loss64 = (xx: ArrayLike<number>, ww: ArrayLike<number>, bb: ArrayLike<number>) => refLayerLoss(L, n, xx, ww, bb, r, EPS_NORM);
      const base = loss64(x, w, bias);
      assert.ok(Math.abs(got.loss - base) <= 1e-4 * Math.abs(base), `loss ${got.loss}, float64 ${base}`);
      const params: [string, Float32Array, Float32Array, (p: Float64Array) => number][] = [
        ['w', w, got.dw, (p) => loss64(x, p, bias)],
        ['b', bias, got.db, (p) => loss64(x, w, p)],
        ['x', x, got.dx, (p) => loss64(p, w, bias)],
      ];
      for (const [what, value, grad, loss] of params) {
        const probes = Array.from({ length: Math.min(PROBES, value.length) }, (_, k) => (k === 0 ? 0 : rng.int(value.length)));
        const fd = probes.map((j) => centralDifference(value, j, loss, H));
        assertNearDifferences(what, 'engine', grad, probes, fd);
        assert.ok(grad.some((v) => v !== 0), `d loss / d ${what} is all zeros`);
      }
    });
  }
}
