// Every Engine kernel on a WebGPU engine against the js engine on the same seeded inputs, as a
// plain function of a GPUDevice: bundled for the page in webgpu-browser.test.ts, where the
// device comes from Chromium's navigator.gpu (Node's suites run the full conformance files).
// Bound per element: |gpu − js| ≤ 1e-4·(1 + |js|) — float32 sums in another order and WGSL's
// exp, on inputs of unit scale and sums of at most a few hundred terms.
import type { Engine, Mat, Tally } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { WebGpuEngine } from '../../src/engine/webgpu-backend.js';

export interface KernelCheck {
  kernel: string;
  /** The worst |gpu − js| / (1 + |js|), or -1 when the lengths differ. */
  worst: number;
  ok: boolean;
}

const TOL = 1e-4;

type Case = [string, (e: Engine, r: Rng) => Mat | Tally];

const m = (e: Engine, r: Rng, rows: number, cols: number) => e.fromArray(r.fillNormal(new Float32Array(rows * cols)), rows, cols);
const lc = { height: 5, width: 6, inChannels: 2, outChannels: 3, window: 3 };
const pg = { height: 6, width: 6, channels: 3, kernel: 3, stride: 2, padding: 1 };
const pool = { height: 6, width: 6, channels: 3, window: 2, stride: 2 };
const gn = { positions: 9, channels: 4, groups: 2 };
/** Rows of probabilities made on the host (the same numbers on both engines). */
const probs = (e: Engine, r: Rng, rows: number, n: number) => {
  const p = r.fillNormal(new Float32Array(rows * n), 2).map(Math.exp);
  for (let i = 0; i < rows; i++) {
    const row = p.subarray(i * n, (i + 1) * n);
    const s = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => (row[j] = v / s));
  }
  return e.fromArray(p, rows, n);
};
const labels = (e: Engine, r: Rng, rows: number, n: number) => e.fromArray(Float32Array.from({ length: rows }, () => r.int(n)), rows, 1);
const draws = (r: Rng, n: number) => Uint32Array.from({ length: n }, () => r.nextU32());
const rowObjective = { loss: 'logistic', positives: 6, negatives: 6, sign: 1, temperature: 1, threshold: 6, alpha: 4, goodnessDivisor: 1, goodnessScale: 1, dGdy: 1 } as const;
const goodness = (e: Engine, r: Rng, rows: number) => e.fromArray(Float32Array.from({ length: rows }, () => 6 + 3 * r.normal()), rows, 1);

const CASES: Case[] = [
  ['gemm NN', (e, r) => { const c = m(e, r, 33, 17); e.gemm(m(e, r, 33, 70), m(e, r, 70, 17), c, { alpha: -1.25, beta: 0.5 }); return c; }],
  ['gemm TN', (e, r) => { const c = e.zeros(17, 19); e.gemm(m(e, r, 40, 17), m(e, r, 40, 19), c, { transA: true }); return c; }],
  ['gemm NT', (e, r) => { const c = e.zeros(9, 21); e.gemm(m(e, r, 9, 31), m(e, r, 21, 31), c, { transB: true }); return c; }],
  // Row views share their parent's buffer at an element offset no binding could take (not 256-byte aligned):
  // the product of the top rows written into the bottom rows of the same matrix.
  ['gemm on row views of one matrix', (e, r) => { const x = m(e, r, 10, 7); e.gemm(e.rowView(x, 1, 3), m(e, r, 7, 7), e.rowView(x, 5, 3), { beta: 1 }); return x; }],
  ['addBias + ReLU', (e, r) => { const x = m(e, r, 7, 13); e.addBias(x, m(e, r, 1, 13), true); return x; }],
  ['rowPowerSum', (e, r) => { const o = e.zeros(7, 1); e.rowPowerSum(m(e, r, 7, 100), o, 2); return o; }],
  ['normalizeRows', (e, r) => { const x = m(e, r, 7, 100); const s = e.zeros(7, 1); e.normalizeRows(x, x, 'rms', 1e-8, s); return e.rowView(x, 2, 3); }],
  ['scaleRows', (e, r) => { const o = m(e, r, 7, 13); e.scaleRows(m(e, r, 7, 13), m(e, r, 7, 1), o, 1, 0.5); return o; }],
  ['addRowVector', (e, r) => { const x = m(e, r, 7, 13); e.addRowVector(x, m(e, r, 1, 13), -0.3); return x; }],
  ['colSum', (e, r) => { const o = m(e, r, 1, 13); e.colSum(m(e, r, 50, 13), o, 0.5, 2); return o; }],
  ['softmaxRows', (e, r) => { const x = m(e, r, 7, 10); e.softmaxRows(x, x); return x; }],
  ['reluBackward', (e, r) => { const d = m(e, r, 7, 13); e.reluBackward(d, m(e, r, 7, 13), d); return d; }],
  ['axpby', (e, r) => { const x = m(e, r, 7, 13); e.axpby(0.3, x, -2, m(e, r, 7, 13), x); return x; }],
  ['multiply', (e, r) => { const x = m(e, r, 7, 13); e.multiply(x, m(e, r, 7, 13), x); return x; }],
  ['perturb', (e, r) => { const x = m(e, r, 7, 13); e.perturb(x, x, { mul: 0.1, add: 0.05, seed: 9, stream: 4 }); return x; }],
  ['localForward', (e, r) => { const y = e.zeros(4, 90); e.localForward(m(e, r, 4, 60), m(e, r, 5 * 3 * 2 * 9, 6), y, lc); return y; }],
  ['localWeightGrad', (e, r) => { const dw = m(e, r, 5 * 3 * 2 * 9, 6); e.localWeightGrad(m(e, r, 4, 60), m(e, r, 4, 90), dw, lc, { alpha: 0.5, beta: 0.5 }); return dw; }],
  ['localInputGrad', (e, r) => { const dx = e.zeros(4, 60); e.localInputGrad(m(e, r, 4, 90), m(e, r, 5 * 3 * 2 * 9, 6), dx, lc); return dx; }],
  ['im2col', (e, r) => { const c = e.zeros(2 * 9, 27); e.im2col(m(e, r, 2, 108), c, pg); return c; }],
  ['col2im', (e, r) => { const x = m(e, r, 2, 108); e.col2im(m(e, r, 2 * 9, 27), x, pg, { alpha: 0.5, beta: 0.25 }); return x; }],
  ['maxPoolForward', (e, r) => { const y = e.zeros(2, 27); e.maxPoolForward(m(e, r, 2, 108), y, pool); return y; }],
  ['maxPoolBackward', (e, r) => { const dx = e.zeros(2, 108); e.maxPoolBackward(m(e, r, 2, 108), m(e, r, 2, 27), dx, pool); return dx; }],
  ['avgPoolForward', (e, r) => { const y = e.zeros(2, 27); e.avgPoolForward(m(e, r, 2, 108), y, pool); return y; }],
  ['avgPoolBackward', (e, r) => { const dx = e.zeros(2, 108); e.avgPoolBackward(m(e, r, 2, 27), dx, pool); return dx; }],
  ['groupNormForward', (e, r) => { const x = m(e, r, 3, 36); const s = e.zeros(3, 4); e.groupNormForward(x, x, s, gn, 1e-5); return x; }],
  ['groupNormBackward', (e, r) => { const y = m(e, r, 3, 36); const dy = m(e, r, 3, 36); const s = m(e, r, 3, 4); e.groupNormBackward(y, dy, s, dy, gn); return dy; }],
  ['toChannelsLast', (e, r) => { const o = e.zeros(2, 108); e.toChannelsLast(m(e, r, 2, 108), o, 3); return o; }],
  ['toChannelsFirst', (e, r) => { const o = e.zeros(2, 108); e.toChannelsFirst(m(e, r, 2, 108), o, 3); return o; }],
  ['copy/fill/reshape', (e, r) => { const o = e.zeros(6, 4); e.copy(m(e, r, 6, 4), o); e.fill(e.rowView(e.reshape(o, 12, 2), 3, 2), 7); return o; }],
  ['smoothStep', (e, r) => { const w = m(e, r, 5, 9); e.smoothStep(w, m(e, r, 5, 9), m(e, r, 5, 9), { gradScale: 0.1, smoothing: 0.9, lr: 0.1, weightCost: 1e-3 }); return w; }],
  ['smoothApply', (e, r) => { const w = m(e, r, 5, 9); e.smoothApply(w, m(e, r, 5, 9), 0.1, 1e-3); return w; }],
  ['momentumStep', (e, r) => { const w = m(e, r, 5, 9); e.momentumStep(w, m(e, r, 5, 9), m(e, r, 5, 9), { gradScale: 0.1, momentum: 0.9, lr: 0.1, weightCost: 1e-3 }); return w; }],
  ['adamStep', (e, r) => { const w = m(e, r, 5, 9); const v = e.fromArray(new Float32Array(45).fill(0.5), 5, 9); e.adamStep(w, m(e, r, 5, 9), v, m(e, r, 5, 9), { gradScale: 0.1, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 2, weightCost: 1e-2 }); return w; }],
  // FF's per-minibatch maths (step-wgsl.ts): outputs and the tallies they add to.
  ['crossEntropyGrad', (e, r) => { const g = e.zeros(9, 10); e.crossEntropyGrad(probs(e, r, 9, 10), labels(e, r, 9, 10), g, e.tally(2), 0); return g; }],
  ['crossEntropyGrad tally', (e, r) => { const t = e.tally(3); e.crossEntropyGrad(probs(e, r, 9, 10), labels(e, r, 9, 10), e.zeros(9, 10), t, 1); return t; }],
  ['drawLabels hard', (e, r) => { const o = e.zeros(20, 1); e.drawLabels(probs(e, r, 20, 10), labels(e, r, 20, 10), draws(r, 20), o, { rule: 'hard', temperature: 1 }); return o; }],
  ['drawLabels teacher-forced t=0.5', (e, r) => { const o = e.zeros(20, 1); e.drawLabels(probs(e, r, 20, 10), labels(e, r, 20, 10), draws(r, 20), o, { rule: 'teacher-forced', temperature: 0.5 }); return o; }],
  ['setLabelUnits', (e, r) => { const x = m(e, r, 5, 30); e.setLabelUnits(e.rowView(x, 1, 3), labels(e, r, 3, 4), { offset: 2, stride: 3, count: 4, strength: 5 }); return x; }],
  ['rowCoefficients logistic', (e, r) => { const c = e.zeros(12, 1); e.rowCoefficients(goodness(e, r, 12), c, rowObjective, e.tally(2), 0); return c; }],
  ['rowCoefficients logistic tally', (e, r) => { const t = e.tally(2); e.rowCoefficients(goodness(e, r, 12), e.zeros(12, 1), rowObjective, t, 0); return t; }],
  ['rowCoefficients symba', (e, r) => { const c = e.zeros(12, 1); e.rowCoefficients(goodness(e, r, 12), c, { ...rowObjective, loss: 'symba', sign: -1 }, e.tally(2), 0); return c; }],
  ['groupCoefficients', (e, r) => { const c = e.zeros(7, 10); e.groupCoefficients(probs(e, r, 7, 10), labels(e, r, 7, 10), c, 0.3, 1, e.tally(2), 0); return c; }],
  ['groupCoefficients tally', (e, r) => { const t = e.tally(2); e.groupCoefficients(probs(e, r, 7, 10), labels(e, r, 7, 10), e.zeros(7, 10), 0.3, 1, t, 0); return t; }],
  ['peerPush', (e, r) => { const push = e.zeros(1, 40); e.peerPush(m(e, r, 1, 40), m(e, r, 1, 40), push, { rows: 7, decay: 0.9, lambda: 0.03 }); return push; }],
  ['dropout (a row view, placed by its offset)', (e, r) => { const x = m(e, r, 30, 50); e.dropout(e.rowView(x, 4, 20), { rate: 0.3, seed: 7, stream: 11, offset: 4 * 50 }); return x; }],
  ['addTally/clearTally', (e, r) => { const t = e.tally(4); e.crossEntropyGrad(probs(e, r, 3, 4), labels(e, r, 3, 4), e.zeros(3, 4), t, 0); e.addTally(t, 0, 2, 2, 3); e.clearTally(t, 1, 1); return t; }],
];

/** A case's result on the host. */
const resultOf = (e: Engine, x: Mat | Tally): Promise<ArrayLike<number>> => ('rows' in x ? e.read(x) : e.readTally(x));

/** Run every case on both engines (the same seed per case) and compare. */
export async function checkWebGpuKernels(device: GPUDevice): Promise<KernelCheck[]> {
  const gpu = new WebGpuEngine(device);
  const js = new JsEngine();
  const out: KernelCheck[] = [];
  for (const [kernel, run] of CASES) {
    const want = await resultOf(js, run(js, new Rng(kernel.length * 7919)));
    const got = await resultOf(gpu, run(gpu, new Rng(kernel.length * 7919)));
    let worst = got.length === want.length ? 0 : -1;
    for (let i = 0; worst >= 0 && i < got.length; i++) {
      const err = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
      worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
    }
    out.push({ kernel, worst, ok: worst >= 0 && worst <= TOL });
  }
  return out;
}
