// Every Engine kernel on a WebGPU engine against the js engine on the same seeded inputs, as a
// plain function of a GPUDevice: bundled for the page in webgpu-browser.test.ts, where the
// device comes from Chromium's navigator.gpu (Node's suites run the full conformance files).
// Bound per element: |gpu − js| ≤ 1e-4·(1 + |js|) — float32 sums in another order and WGSL's
// exp, on inputs of unit scale and sums of at most a few hundred terms.
import type { Engine, Mat } from '../../src/engine/engine.js';
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

type Case = [string, (e: Engine, r: Rng) => Mat];

const m = (e: Engine, r: Rng, rows: number, cols: number) => e.fromArray(r.fillNormal(new Float32Array(rows * cols)), rows, cols);
const lc = { height: 5, width: 6, inChannels: 2, outChannels: 3, window: 3 };
const pg = { height: 6, width: 6, channels: 3, kernel: 3, stride: 2, padding: 1 };
const pool = { height: 6, width: 6, channels: 3, window: 2, stride: 2 };
const gn = { positions: 9, channels: 4, groups: 2 };

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
];

/** Run every case on both engines (the same seed per case) and compare. */
export async function checkWebGpuKernels(device: GPUDevice): Promise<KernelCheck[]> {
  const gpu = new WebGpuEngine(device);
  const js = new JsEngine();
  const out: KernelCheck[] = [];
  for (const [kernel, run] of CASES) {
    const want = await js.read(run(js, new Rng(kernel.length * 7919)));
    const got = await gpu.read(run(gpu, new Rng(kernel.length * 7919)));
    let worst = got.length === want.length ? 0 : -1;
    for (let i = 0; worst >= 0 && i < got.length; i++) {
      const err = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
      worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
    }
    out.push({ kernel, worst, ok: worst >= 0 && worst <= TOL });
  }
  return out;
}
