// The FF layer update equals −lr·∂L/∂W of the FF loss, checked against central finite
// differences of an independent float64 implementation of that loss, for every goodness
// variant. With momentum 0, lr 1 and no weight cost, one step moves W by exactly −g/B.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { loadNativeEngine } from '../../src/engine/native-backend.js';
import { wasmSimdSupported } from '../../src/engine/wasm-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFNet, NORM_EPS } from '../../src/ff/ff-net.js';
import { LabelledInput } from '../../src/ff/labelled-input.js';
import { emptyStats, ffTrainStep } from '../../src/ff/ff-step.js';
import { enginesWithWebGpu } from '../helpers/engines.js';
import { FD_UPDATE } from '../helpers/fd-config.js';

const D = 12; // the first 2 pixels hold the label
const N = 2; // two classes: the negative label is always the other one, so it is known
const B = 4;

/** float64 reference: one layer's FF loss, mean over the batch, for fixed normalized inputs. */
function layerLoss(cfg: FFConfig, W: Float64Array, b: Float64Array, xin: Float64Array[], isPos: boolean[], width: number, theta: number): number {
  const sp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  const sign = cfg.goodness === 'max-ssq' ? 1 : -1;
  const goods = xin.map((x) => {
    let g = 0;
    for (let j = 0; j < width; j++) {
      let z = b[j];
      for (let i = 0; i < x.length; i++) z += x[i] * W[i * width + j];
      const y = Math.max(0, z);
      g += cfg.goodnessPower === 2 ? y * y : y;
    }
    return cfg.goodnessReduce === 'mean' ? g / width : g;
  });
  let loss = 0;
  if (cfg.loss === 'logistic') {
    goods.forEach((g, i) => {
      const x = (sign * (g - theta)) / cfg.temperature;
      loss += isPos[i] ? sp(-x) : sp(x);
    });
  } else {
    for (let i = 0; i < B; i++) loss += sp((-cfg.symbaAlpha * sign * (goods[i] - goods[B + i])) / cfg.temperature);
  }
  return loss / B;
}

function normalize(x: Float64Array): Float64Array {
  let s = 0;
  for (const v of x) s += v * v;
  const inv = 1 / (NORM_EPS + Math.sqrt(s / x.length));
  return x.map((v) => v * inv);
}

const variants: Partial<FFConfig>[] = [
  {},
  { goodness: 'min-ssq' },
  { goodnessPower: 1 },
  { goodnessReduce: 'mean', temperature: 0.5 },
  { loss: 'symba', symbaAlpha: 0.5 },
  // The label as extra units after a centred image (the colour-image input).
  { labelInput: 'extra', center: 'channel-mean' },
];

for (const engine of enginesWithWebGpu()) {
  for (const v of variants) {
    test(`FF update = −∂L/∂W by finite differences (${engine.name}, ${JSON.stringify(v)})`, async () => {
      const cfg: FFConfig = {
        ...FF_DEFAULTS,
        layers: [7, 5],
        seed: 3,
        ...FD_UPDATE,
        labelStrength: 1,
        ...v,
      };
      const extra = cfg.labelInput === 'extra';
      const mean = cfg.center === 'channel-mean' ? new Float32Array(D).fill(0.3) : null;
      const net = new FFNet(engine, cfg, new LabelledInput(D, N, extra ? 'extra' : 'pixels', cfg.labelStrength, mean));
      // Non-zero biases so every code path (bias gradient included) is exercised.
      for (const bp of net.layers.map((layer) => layer.bias)) engine.write(bp.value, Float32Array.from({ length: bp.value.cols }, (_, j) => 0.1 * (j - 2)));
      const rng = new Rng(11);
      const images = Float32Array.from({ length: B * D }, () => rng.uniform());
      const labels = Uint8Array.from({ length: B }, (_, i) => i % 2);
      const tracked = [...net.weights, ...net.layers.map((layer) => layer.bias)]; // [W…, b…]
      const before = await Promise.all(tracked.map((p) => engine.read(p.value)));
      ffTrainStep(net, { images, labels, count: B }, 1, emptyStats(engine, 2));
      const after = await Promise.all(tracked.map((p) => engine.read(p.value)));

      // Reference inputs: positive rows then negative rows, normalized, through unchanged weights.
      const rows: Float64Array[] = [];
      for (const neg of [false, true]) {
        for (let i = 0; i < B; i++) {
          const r = new Float64Array(net.inputSize);
          for (let p = 0; p < D; p++) r[p] = images[i * D + p] - (mean ? mean[p] : 0);
          const lab = neg ? 1 - labels[i] : labels[i];
          const at = extra ? D : 0;
          r.fill(0, at, at + N);
          r[at + lab] = cfg.labelStrength;
          rows.push(normalize(r));
        }
      }
      const isPos = rows.map((_, i) => i < B);
      let inputs = rows;
      const sizes = [net.inputSize, ...cfg.layers];
      for (let l = 0; l < cfg.layers.length; l++) {
        const width = sizes[l + 1];
        const W = Float64Array.from(before[l]);
        const b = Float64Array.from(before[cfg.layers.length + l]);
        const theta = cfg.threshold!;
        const check = (arr: Float64Array, idx: number, moved: number, what: string) => {
          const h = 1e-4;
          const keep = arr[idx];
          arr[idx] = keep + h;
          const up = layerLoss(cfg, W, b, inputs, isPos, width, theta);
          arr[idx] = keep - h;
          const down = layerLoss(cfg, W, b, inputs, isPos, width, theta);
          arr[idx] = keep;
          const fd = (up - down) / (2 * h);
          const analytic = -moved; // W_new = W − ∂L/∂W (mean over the batch)
          const tol = 2e-3 * Math.max(1, Math.abs(fd));
          assert.ok(Math.abs(fd - analytic) <= tol, `layer ${l + 1} ${what}: finite difference ${fd} vs update ${analytic} (tolerance ${tol})`);
        };
        for (let idx = 0; idx < W.length; idx++) check(W, idx, after[l][idx] - before[l][idx], `W[${idx}]`);
        for (let j = 0; j < width; j++) check(b, j, after[cfg.layers.length + l][j] - before[cfg.layers.length + l][j], `b[${j}]`);
        // Next layer's inputs: normalized ReLU states of this layer (no gradient crosses).
        inputs = inputs.map((x) => {
          const y = new Float64Array(width);
          for (let j = 0; j < width; j++) {
            let z = b[j];
            for (let i = 0; i < x.length; i++) z += x[i] * W[i * width + j];
            y[j] = Math.max(0, z);
          }
          return normalize(y);
        });
      }
    });
  }
}

test('the default engine is the native one when its addon loads, else WebAssembly (else TypeScript)', () => {
  const expected = loadNativeEngine().engine ? 'native' : wasmSimdSupported() ? 'wasm' : 'js';
  assert.equal(getEngine().name, expected);
});
