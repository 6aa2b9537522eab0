// Hidden-unit dropout (--dropout) in FF's layer rule: with the mask of a training step fixed
// (its seed, step and rows fix it), one update moves every parameter by exactly −∂L/∂θ of a
// float64 loss whose layers' outputs are relu(z)·mask/(1−p) — the objective and the layer above
// read the dropped output — by central finite differences: a dense net through a whole FF step
// (logistic loss, positives and negatives at their rows of the step), and a conv layer with the
// channel-wise competitive objective at rows placed after others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConvGeometry } from '../../src/engine/conv-geometry.js';
import type { Engine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFLayer } from '../../src/ff/ff-layer.js';
import { FFNet, NORM_EPS } from '../../src/ff/ff-net.js';
import { emptyStats, ffTrainStep } from '../../src/ff/ff-step.js';
import { LabelledInput } from '../../src/ff/labelled-input.js';
import { NetStages } from '../../src/stages/net-stages.js';
import { refConvRelu } from '../helpers/conv-reference.js';
import { enginesWithWebGpu } from '../helpers/engines.js';
import { FD_UPDATE } from '../helpers/fd-config.js';

const RATE = 0.3;

/** mask/(1−p) of hidden layer l for `rows` rows of `width` from `firstRow`, as the step draws it. */
async function maskOf(e: Engine, stages: NetStages, l: number, rows: number, width: number, firstRow: number): Promise<Float32Array> {
  const ones = e.fromArray(new Float32Array(rows * width).fill(1), rows, width);
  stages.dropout(l, ones, firstRow);
  const m = await e.read(ones);
  const dropped = m.filter((v) => v === 0).length;
  assert.ok(dropped > 0 && dropped < m.length, `layer ${l + 1}: the mask drops some units, not all (${dropped} of ${m.length})`);
  return m;
}

/** Central finite difference of f at arr[idx]. */
function fd(f: () => number, arr: Float64Array, idx: number, h = 1e-4): number {
  const keep = arr[idx];
  arr[idx] = keep + h;
  const up = f();
  arr[idx] = keep - h;
  const down = f();
  arr[idx] = keep;
  return (up - down) / (2 * h);
}

const normalize = (x: Float64Array): Float64Array => {
  let s = 0;
  for (const v of x) s += v * v;
  const inv = 1 / (NORM_EPS + Math.sqrt(s / x.length));
  return x.map((v) => v * inv);
};

const D = 12; // the first 2 pixels hold the label
const N = 2; // two classes: the negative label is the other one
const B = 4;

/** A dense layer's dropped outputs: relu(x·W + b)·mask row by row. */
function denseDropped(W: Float64Array, b: Float64Array, xs: Float64Array[], masks: Float64Array[], width: number): Float64Array[] {
  return xs.map((x, r) => {
    const y = new Float64Array(width);
    for (let j = 0; j < width; j++) {
      let z = b[j];
      for (let i = 0; i < x.length; i++) z += x[i] * W[i * width + j];
      y[j] = Math.max(0, z) * masks[r][j];
    }
    return y;
  });
}

for (const engine of enginesWithWebGpu()) {
  for (const power of [2, 1] as const) {
    test(`--dropout ${RATE}, dense FF step (logistic): update = −∂L/∂θ through the step's masks (${engine.name}, goodness power ${power})`, async () => {
      const cfg: FFConfig = { ...FF_DEFAULTS, layers: [7, 5], seed: 3, ...FD_UPDATE, labelStrength: 1, goodnessPower: power, dropout: RATE };
      const net = new FFNet(engine, cfg, new LabelledInput(D, N, 'pixels', cfg.labelStrength, null));
      for (const bp of net.layers.map((layer) => layer.bias)) engine.write(bp.value, Float32Array.from({ length: bp.value.cols }, (_, j) => 0.1 * (j - 2)));
      const rng = new Rng(11);
      const images = Float32Array.from({ length: B * D }, () => rng.uniform());
      const labels = Uint8Array.from({ length: B }, (_, i) => i % 2);
      const tracked = [...net.weights, ...net.layers.map((layer) => layer.bias)];
      const before = await Promise.all(tracked.map((p) => engine.read(p.value)));
      ffTrainStep(net, { images, labels, count: B }, 1, emptyStats(engine, 2));
      const after = await Promise.all(tracked.map((p) => engine.read(p.value)));
      // The step's rows are [neutral | positive | negative], B each: the learned ones from B on.
      // Its masks, drawn again (the step has not ended: the same counters).
      const masks = await Promise.all(cfg.layers.map((w, l) => maskOf(engine, net.stages, l, 2 * B, w, B)));

      let inputs: Float64Array[] = [];
      for (const neg of [false, true]) {
        for (let i = 0; i < B; i++) {
          const r = Float64Array.from(images.subarray(i * D, (i + 1) * D));
          r.fill(0, 0, N);
          r[neg ? 1 - labels[i] : labels[i]] = cfg.labelStrength;
          inputs.push(normalize(r));
        }
      }
      const sizes = [D, ...cfg.layers];
      for (let l = 0; l < cfg.layers.length; l++) {
        const width = sizes[l + 1];
        const rowMasks = Array.from({ length: 2 * B }, (_, r) => Float64Array.from(masks[l].subarray(r * width, (r + 1) * width)));
        const W = Float64Array.from(before[l]);
        const b = Float64Array.from(before[cfg.layers.length + l]);
        const xs = inputs;
        const loss = () => {
          const sp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
          return denseDropped(W, b, xs, rowMasks, width).reduce((s, y, r) => {
            const g = y.reduce((a, v) => a + (power === 2 ? v * v : v), 0);
            const x = (g - cfg.threshold!) / cfg.temperature;
            return s + (r < B ? sp(-x) : sp(x));
          }, 0) / B;
        };
        const check = (arr: Float64Array, idx: number, moved: number, what: string) => {
          const want = fd(loss, arr, idx);
          assert.ok(Math.abs(want + moved) <= 2e-3 * Math.max(1, Math.abs(want)), `layer ${l + 1} ${what}: finite difference ${want} vs update ${-moved}`);
        };
        let largest = 0;
        for (let idx = 0; idx < W.length; idx++) {
          largest = Math.max(largest, Math.abs(after[l][idx] - before[l][idx]));
          check(W, idx, after[l][idx] - before[l][idx], `W[${idx}]`);
        }
        assert.ok(largest > 1e-3, `layer ${l + 1}: the step moved the weights`);
        for (let j = 0; j < width; j++) check(b, j, after[cfg.layers.length + l][j] - before[cfg.layers.length + l][j], `b[${j}]`);
        // The layer above reads this layer's dropped output, normalized.
        inputs = denseDropped(W, b, xs, rowMasks, width).map(normalize);
      }
    });
  }

  test(`--dropout ${RATE}, conv layer with --loss cwc at rows 5..7 of a step: update = −∂L/∂θ through the mask (${engine.name})`, async () => {
    // 4×4×2 maps, 3×3 kernels, pad 1 → 4×4×4; 2 classes of 2 channels each.
    const g: ConvGeometry = { height: 4, width: 4, channels: 2, kernel: 3, stride: 1, padding: 1, outChannels: 4 };
    const [rows, F, W, first, T] = [3, 4 * 4 * 2, 4 * 4 * 4, 5, 0.05];
    const cfg: FFConfig = { ...FF_DEFAULTS, layers: [4], connectivity: 'conv', window: 3, ...FD_UPDATE, loss: 'cwc', goodnessPower: 2, temperature: T, threshold: null, dropout: RATE };
    const layer = new FFLayer(engine, cfg, 0, W, [{ source: 'input', fanIn: F, conv: g }], new Rng(5), N);
    const chip = new NetStages(engine, cfg, F);
    const c = layer.connections[0];
    engine.write(layer.bias.value, Float32Array.from([0.1, -0.05, 0.2, 0]));
    const rng = new Rng(9);
    const xHost = Float32Array.from({ length: rows * F }, () => rng.normal());
    const labels = [0, 1, 1];
    const x = engine.fromArray(xHost, rows, F);
    const wBefore = Float64Array.from(await engine.read(c.weight.value));
    const bBefore = Float64Array.from(await engine.read(layer.bias.value));

    chip.beginStep();
    const y = engine.zeros(rows, W);
    layer.feedForward(x, y, chip, chip.beginPass(), undefined, first);
    const mask = await maskOf(engine, chip, 0, rows, W, first);
    const measured = layer.objective.measurement(y, engine.zeros(rows, 1));
    const tally = engine.tally(2);
    const dz = layer.inputGradient(y, measured, { positives: rows, negatives: 0, labels: engine.fromArray(Float32Array.from(labels), rows, 1) }, null, { tally, at: 0 }, { chip, firstRow: first });
    layer.accumulate(dz, new Map([['input', x]]), 1 / rows, true);
    layer.update(1);
    const wAfter = await engine.read(c.weight.value);
    const bAfter = await engine.read(layer.bias.value);

    const xs = Float64Array.from(xHost);
    const loss = () => {
      const yd = refConvRelu(g, rows, xs, wBefore, bBefore).map((v, k) => v * mask[k]);
      let L = 0;
      for (let i = 0; i < rows; i++) {
        const G = new Float64Array(N);
        for (let j = 0; j < W; j++) G[Math.floor((j % 4) / 2)] += yd[i * W + j] ** 2 / (2 * 16);
        const logits = Array.from(G, (v) => v / T);
        const max = Math.max(...logits);
        L += max + Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) - logits[labels[i]];
      }
      return L / rows;
    };
    const reported = (await engine.readTally(tally))[0] / rows;
    assert.ok(Math.abs(reported - loss()) < 1e-4, `the reported loss ${reported} is the dropped layer's ${loss()}`);
    let largest = 0;
    for (let i = 0; i < wBefore.length; i++) {
      const moved = wAfter[i] - wBefore[i];
      largest = Math.max(largest, Math.abs(moved));
      const want = fd(loss, wBefore, i);
      assert.ok(Math.abs(want + moved) <= 2e-3 * Math.max(1, Math.abs(want)), `W[${i}]: finite difference ${want} vs update ${-moved}`);
    }
    assert.ok(largest > 1e-3, `the step moved the weights (largest move ${largest})`);
    for (let j = 0; j < 4; j++) {
      const want = fd(loss, bBefore, j);
      assert.ok(Math.abs(want + (bAfter[j] - bBefore[j])) <= 2e-3 * Math.max(1, Math.abs(want)), `b[${j}]: finite difference ${want} vs update ${bBefore[j] - bAfter[j]}`);
    }
  });
}

test('--dropout acts inside training steps only, and refuses what it cannot be, in one line', async () => {
  const e = enginesWithWebGpu()[0];
  const cfg: FFConfig = { ...FF_DEFAULTS, layers: [6], dropout: 0.5 };
  const chip = new NetStages(e, cfg, 4);
  const m = e.fromArray(new Float32Array(60).fill(1), 10, 6);
  chip.dropout(0, m, 0);
  assert.ok((await e.read(m)).every((v) => v === 1), 'outside a step: nothing dropped');
  chip.beginStep();
  chip.beginInference();
  chip.dropout(0, m, 0);
  assert.ok((await e.read(m)).every((v) => v === 1), 'a prediction inside a step: nothing dropped');
  chip.endInference();
  chip.dropout(0, m, 0);
  const first = await e.read(m);
  assert.ok(first.some((v) => v === 0) && first.some((v) => v === 2), 'in a training step: dropped, the rest ×2');
  chip.endStep();
  assert.equal(chip.steps, 1);
  assert.ok(chip.counted, 'dropout makes checkpoints keep the counters');
  assert.throws(() => new NetStages(e, { ...cfg, dropout: 1 }, 4), /^Error: --dropout must be in \[0, 1\), got 1$/);
  assert.throws(() => new NetStages(e, { ...cfg, architecture: 'recurrent' }, 4), /^Error: --dropout needs a feed-forward net/);
});
