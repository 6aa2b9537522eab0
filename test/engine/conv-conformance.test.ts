// Conformance of the convolution kernels (im2col, col2im, max/avg pooling, GroupNorm, the
// channel-layout conversion) on every backend against float64 references written from the
// definitions (test/helpers/conv-reference.ts), plus: every backend gives the js engine's bits,
// and bad operands throw one-line errors. The native engine runs when its addon is built
// (FF_REQUIRE_NATIVE=1 makes a missing addon a failure).
//
// Bounds: im2col, max pooling and the layout conversion are copies: exact. col2im, average
// pooling and the pool backwards: |err| ≤ 1e-6·Σ|terms|. GroupNorm: |err| ≤ 1e-5·(1 + |ref|).
import assert from 'node:assert/strict';

import { patchInputSize, patchPositions, patchSize, poolInputSize, poolOutputSize, type GroupNormGeometry, type PatchGeometry, type PoolGeometry } from '../../src/engine/conv-geometry.js';
import type { Engine } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { restoringEnv } from '../helpers/env.js';
import { conformance } from '../helpers/conformance.js';
import { firstMax, forEachWindow, refCol2im, refGroupNorm, refIm2col } from '../helpers/conv-reference.js';

const JS = new JsEngine();


const randn = (rng: Rng, n: number) => rng.fillNormal(new Float32Array(n));
/** Small integers: many ties in every pooling window. */
const ties = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.int(4) - 1);

function assertClose(what: string, got: Float32Array, want: ArrayLike<number>, scale: (i: number) => number, tol: number): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const lim = tol * scale(i);
    if (!(Math.abs(got[i] - want[i]) <= lim)) assert.fail(`${what}: [${i}] got ${got[i]}, want ${want[i]} (bound ${lim.toExponential(2)})`);
  }
}

function assertExact(what: string, got: Float32Array, want: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, expected ${want.length}`);
  const bad = Array.prototype.findIndex.call(got, (v: number, i: number) => !Object.is(v, want[i]));
  assert.equal(bad, -1, `${what}: [${bad}] got ${got[bad]}, want ${want[bad]}`);
}

/** The same call on the js engine, for the bit-for-bit comparison. */
async function jsBits(run: (e: Engine) => import('../../src/engine/engine.js').Mat): Promise<Float32Array> {
  return JS.read(run(JS));
}

// ---- im2col / col2im -------------------------------------------------------------------------

// Odd and even maps, stride 1 and 2, padding 0/1/2, kernels 1/3/5; channel counts that leave
// SIMD remainders (1, 3, 5) and fill them (16).
const PATCH_CASES: { g: PatchGeometry; n: number }[] = [
  { g: { height: 5, width: 7, channels: 3, kernel: 3, stride: 1, padding: 1 }, n: 3 },
  { g: { height: 6, width: 4, channels: 2, kernel: 3, stride: 2, padding: 1 }, n: 2 },
  { g: { height: 8, width: 8, channels: 5, kernel: 5, stride: 1, padding: 2 }, n: 2 },
  { g: { height: 7, width: 6, channels: 4, kernel: 1, stride: 2, padding: 0 }, n: 3 },
  { g: { height: 4, width: 5, channels: 1, kernel: 5, stride: 2, padding: 1 }, n: 4 },
  { g: { height: 9, width: 9, channels: 16, kernel: 3, stride: 1, padding: 0 }, n: 2 },
  { g: { height: 6, width: 6, channels: 3, kernel: 3, stride: 2, padding: 0 }, n: 1 },
];

for (const { g, n } of PATCH_CASES) {
  const tag = `${g.height}×${g.width}×${g.channels} K=${g.kernel} stride ${g.stride} pad ${g.padding}, ${n} rows`;
  conformance(`im2col / col2im ${tag}`, async (e, rng) => {
    const fin = patchInputSize(g);
    const rowsP = n * patchPositions(g);
    const x = randn(rng, n * fin);
    const cols = e.fromArray(new Float32Array(rowsP * patchSize(g)).fill(NaN), rowsP, patchSize(g));
    e.im2col(e.fromArray(x, n, fin), cols, g);
    assertExact('im2col', await e.read(cols), refIm2col(g, n, x));

    const c = randn(rng, rowsP * patchSize(g));
    for (const { alpha, beta, nan } of [{ alpha: 1, beta: 0, nan: true }, { alpha: -0.7, beta: 0.4, nan: false }, { alpha: 1, beta: 1, nan: false }]) {
      const x0 = nan ? new Float32Array(n * fin).fill(NaN) : randn(rng, n * fin);
      const dx = e.fromArray(x0, n, fin);
      e.col2im(e.fromArray(c, rowsP, patchSize(g)), dx, g, { alpha, beta });
      const ref = refCol2im(g, n, c, alpha, beta, x0);
      const what = `col2im alpha ${alpha} beta ${beta}`;
      const got = await e.read(dx);
      assertClose(what, got, ref.val, (i) => ref.scale[i], 1e-6);
      assertExact(`${what} (bits of the js engine)`, got, await jsBits((j) => {
        const m = j.fromArray(x0, n, fin);
        j.col2im(j.fromArray(c, rowsP, patchSize(g)), m, g, { alpha, beta });
        return m;
      }));
    }
  });
}

// ---- pooling -----------------------------------------------------------------------------------

// Non-overlapping 2×2, overlapping 3×3 stride 2, stride 1, a window the size of the map, and
// windows that leave the last row and column out.
const POOL_CASES: { g: PoolGeometry; n: number }[] = [
  { g: { height: 6, width: 6, channels: 3, window: 2, stride: 2 }, n: 3 },
  { g: { height: 7, width: 5, channels: 4, window: 3, stride: 2 }, n: 2 },
  { g: { height: 5, width: 8, channels: 17, window: 2, stride: 1 }, n: 2 },
  { g: { height: 4, width: 4, channels: 2, window: 4, stride: 3 }, n: 2 },
  { g: { height: 5, width: 5, channels: 1, window: 2, stride: 2 }, n: 4 },
];

for (const { g, n } of POOL_CASES) {
  const tag = `${g.height}×${g.width}×${g.channels} window ${g.window} stride ${g.stride}, ${n} rows`;
  conformance(`max and average pooling ${tag}`, async (e, rng) => {
    const fin = poolInputSize(g);
    const fout = poolOutputSize(g);
    for (const [kind, x] of [['normal', randn(rng, n * fin)], ['ties', ties(rng, n * fin)], ['NaN', randn(rng, n * fin).fill(NaN, 3, 4)]] as const) {
      const dy = randn(rng, n * fout);
      const X = e.fromArray(x, n, fin);
      const y = e.fromArray(new Float32Array(n * fout).fill(7), n, fout);
      e.maxPoolForward(X, y, g);
      const wantY = new Float64Array(n * fout);
      const wantDx = new Float64Array(n * fin);
      const scaleDx = new Float64Array(n * fin);
      forEachWindow(g, n, (o, taps) => {
        const t = firstMax(x, taps);
        wantY[o] = x[t];
        wantDx[t] += dy[o];
        scaleDx[t] += Math.abs(dy[o]);
      });
      assertExact(`maxPoolForward (${kind})`, await e.read(y), wantY);
      const dx = e.fromArray(new Float32Array(n * fin).fill(NaN), n, fin);
      e.maxPoolBackward(X, e.fromArray(dy, n, fout), dx, g);
      const gotDx = await e.read(dx);
      assertClose(`maxPoolBackward (${kind})`, gotDx, wantDx, (i) => scaleDx[i], 1e-6);
      assertExact(`maxPoolBackward (${kind}, bits of the js engine)`, gotDx, await jsBits((j) => {
        const m = j.zeros(n, fin);
        j.maxPoolBackward(j.fromArray(x, n, fin), j.fromArray(dy, n, fout), m, g);
        return m;
      }));
      if (kind === 'NaN') continue;

      e.avgPoolForward(X, y, g);
      const avg = new Float64Array(n * fout);
      const avgScale = new Float64Array(n * fout);
      const spread = new Float64Array(n * fin);
      const spreadScale = new Float64Array(n * fin);
      forEachWindow(g, n, (o, taps) => {
        for (const t of taps) {
          avg[o] += x[t] / taps.length;
          avgScale[o] += Math.abs(x[t]) / taps.length;
          spread[t] += dy[o] / taps.length;
          spreadScale[t] += Math.abs(dy[o]) / taps.length;
        }
      });
      const gotY = await e.read(y);
      assertClose(`avgPoolForward (${kind})`, gotY, avg, (i) => avgScale[i], 1e-6);
      e.avgPoolBackward(e.fromArray(dy, n, fout), dx, g);
      const gotAvgDx = await e.read(dx);
      assertClose(`avgPoolBackward (${kind})`, gotAvgDx, spread, (i) => spreadScale[i], 1e-6);
      assertExact(`avgPoolForward (${kind}, bits of the js engine)`, gotY, await jsBits((j) => {
        const m = j.zeros(n, fout);
        j.avgPoolForward(j.fromArray(x, n, fin), m, g);
        return m;
      }));
      assertExact(`avgPoolBackward (${kind}, bits of the js engine)`, gotAvgDx, await jsBits((j) => {
        const m = j.zeros(n, fin);
        j.avgPoolBackward(j.fromArray(dy, n, fout), m, g);
        return m;
      }));
    }
  });
}

// ---- GroupNorm ----------------------------------------------------------------------------------

const NORM_CASES: { g: GroupNormGeometry; n: number }[] = [
  { g: { positions: 12, channels: 6, groups: 3 }, n: 3 },
  { g: { positions: 1, channels: 4, groups: 4 }, n: 2 },
  { g: { positions: 25, channels: 20, groups: 10 }, n: 2 },
  { g: { positions: 7, channels: 5, groups: 1 }, n: 4 },
];

for (const { g, n } of NORM_CASES) {
  conformance(`groupNormForward / groupNormBackward ${g.positions} positions × ${g.channels} channels, ${g.groups} groups, ${n} rows`, async (e, rng) => {
    const len = n * g.positions * g.channels;
    const eps = 1e-5;
    // Offset and scaled per row, so the mean and variance matter; one group constant (var 0).
    const x = randn(rng, len).map((v, j) => 3 + 2 * v + (j % 5 === 0 ? 1 : 0));
    if (g.positions * g.channels / g.groups > 1) x.fill(2.5, 0, g.channels / g.groups);
    const dy = randn(rng, len);
    const X = e.fromArray(x, n, g.positions * g.channels);
    const y = e.zeros(n, g.positions * g.channels);
    const stats = e.zeros(n, 2 * g.groups);
    e.groupNormForward(X, y, stats, g, eps);
    const ref = refGroupNorm(g, n, x, eps);
    const gotY = await e.read(y);
    assertClose('groupNormForward y', gotY, ref.y, (i) => 1 + Math.abs(ref.y[i]), 1e-5);
    const st = await e.read(stats);
    const wantStats = Array.from({ length: 2 * n * g.groups }, (_, k) => (k % 2 === 0 ? ref.mean : ref.rstd)[k >> 1]);
    assertClose('groupNormForward stats', st, wantStats, (i) => Math.abs(wantStats[i]), 1e-6);
    // dx = rstd·(dy − mean(dy) − ŷ·mean(dy·ŷ)), written out with the float64 ŷ.
    const dx = e.zeros(n, g.positions * g.channels);
    e.groupNormBackward(y, e.fromArray(dy, n, g.positions * g.channels), stats, dx, g);
    const cg = g.channels / g.groups;
    const want = new Float64Array(len);
    for (let i = 0; i < n; i++)
      for (let grp = 0; grp < g.groups; grp++) {
        const idx: number[] = [];
        for (let p = 0; p < g.positions; p++) for (let c = 0; c < cg; c++) idx.push((i * g.positions + p) * g.channels + grp * cg + c);
        const md = idx.reduce((s, j) => s + dy[j], 0) / idx.length;
        const mdy = idx.reduce((s, j) => s + dy[j] * ref.y[j], 0) / idx.length;
        for (const j of idx) want[j] = ref.rstd[i * g.groups + grp] * (dy[j] - md - ref.y[j] * mdy);
      }
    const gotDx = await e.read(dx);
    assertClose('groupNormBackward dx', gotDx, want, (i) => 1 + Math.abs(want[i]), 1e-4);
    // In place (y = x, dx = dy) gives the same bits, and so does the js engine.
    const inPlace = e.fromArray(x, n, g.positions * g.channels);
    e.groupNormForward(inPlace, inPlace, stats, g, eps);
    assertExact('groupNormForward in place', await e.read(inPlace), gotY);
    const d = e.fromArray(dy, n, g.positions * g.channels);
    e.groupNormBackward(y, d, stats, d, g);
    assertExact('groupNormBackward in place', await e.read(d), gotDx);
    // WGSL has no double for the statistics: the webgpu engine meets the float64 bounds above, not js's bits.
    if (e.name === 'webgpu') return;
    assertExact('groupNormForward (bits of the js engine)', gotY, await jsBits((j) => {
      const m = j.zeros(n, g.positions * g.channels);
      j.groupNormForward(j.fromArray(x, n, g.positions * g.channels), m, j.zeros(n, 2 * g.groups), g, eps);
      return m;
    }));
    assertExact('groupNormBackward (bits of the js engine)', gotDx, await jsBits((j) => {
      const m = j.zeros(n, g.positions * g.channels);
      j.groupNormBackward(j.fromArray(gotY, n, g.positions * g.channels), j.fromArray(dy, n, g.positions * g.channels), j.fromArray(st, n, 2 * g.groups), m, g);
      return m;
    }));
  });
}

// ---- threads ---------------------------------------------------------------------------------

// The native kernels split the images over FF_KERNEL_THREADS threads (small batches stay on
// one): a batch big enough to split must give the js engine's bits on 1 and 3 threads.
conformance("conv kernels on a batch big enough to split: the js engine's bits on 1 and 3 kernel threads", async (e, rng) => {
  const n = 48;
  const g: PatchGeometry = { height: 12, width: 12, channels: 8, kernel: 3, stride: 1, padding: 1 };
  const pg: PoolGeometry = { height: 12, width: 12, channels: 8, window: 2, stride: 2 };
  const gn: GroupNormGeometry = { positions: 144, channels: 8, groups: 4 };
  const fin = patchInputSize(g);
  const rowsP = n * patchPositions(g);
  const x = randn(rng, n * fin);
  const c = randn(rng, rowsP * patchSize(g));
  const dy = randn(rng, n * poolOutputSize(pg));
  const all = async (eng: Engine): Promise<Float32Array[]> => {
    const X = eng.fromArray(x, n, fin);
    const cols = eng.zeros(rowsP, patchSize(g));
    eng.im2col(X, cols, g);
    const back = eng.fromArray(x, n, fin);
    eng.col2im(eng.fromArray(c, rowsP, patchSize(g)), back, g, { alpha: 0.5, beta: 0.25 });
    const y = eng.zeros(n, poolOutputSize(pg));
    eng.maxPoolForward(X, y, pg);
    const dx = eng.zeros(n, fin);
    eng.maxPoolBackward(X, eng.fromArray(dy, n, poolOutputSize(pg)), dx, pg);
    const a = eng.zeros(n, poolOutputSize(pg));
    eng.avgPoolForward(X, a, pg);
    const da = eng.zeros(n, fin);
    eng.avgPoolBackward(eng.fromArray(dy, n, poolOutputSize(pg)), da, pg);
    const z = eng.zeros(n, fin);
    const stats = eng.zeros(n, 2 * gn.groups);
    eng.groupNormForward(X, z, stats, gn, 1e-5);
    const dz = eng.zeros(n, fin);
    eng.groupNormBackward(z, back, stats, dz, gn);
    const t = eng.zeros(n, fin);
    eng.toChannelsFirst(X, t, 8);
    return Promise.all([cols, back, y, dx, a, da, z, stats, dz, t].map((m) => eng.read(m)));
  };
  const want = await all(JS);
  await restoringEnv('FF_KERNEL_THREADS', async () => {
    for (const threads of ['1', '3']) {
      process.env.FF_KERNEL_THREADS = threads;
      const got = await all(e);
      ['im2col', 'col2im', 'maxPoolForward', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'groupNormForward', 'groupNorm stats', 'groupNormBackward', 'toChannelsFirst'].forEach((name, k) => {
        // GroupNorm's statistics are f32 on webgpu (no double in WGSL): the groupNorm tests' bound, not the bits.
        if (e.name === 'webgpu' && name.startsWith('groupNorm')) assertClose(`${name} on webgpu`, got[k], want[k], (i) => 1 + Math.abs(want[k][i]), 1e-4);
        else assertExact(`${name} on ${threads} thread(s)`, got[k], want[k]);
      });
    }
  });
});

// ---- layout conversion, reshape, errors --------------------------------------------------------

conformance('toChannelsLast / toChannelsFirst and reshape', async (e, rng) => {
  const [n, C, H, W] = [3, 5, 4, 3];
  const x = randn(rng, n * C * H * W);
  const last = e.zeros(n, C * H * W);
  e.toChannelsLast(e.fromArray(x, n, C * H * W), last, C);
  const got = await e.read(last);
  const want = new Float32Array(n * C * H * W);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) want[(i * H * W + p) * C + c] = x[(i * C + c) * H * W + p];
  assertExact('toChannelsLast', got, want);
  const back = e.zeros(n, C * H * W);
  e.toChannelsFirst(last, back, C);
  assertExact('toChannelsFirst', await e.read(back), x);
  const view = e.reshape(last, n * H * W, C);
  e.fill(e.rowView(view, 1, 1), 9); // writes through to pixel 1 of row 0
  assertExact('reshape writes through', (await e.read(last)).subarray(C, 2 * C), new Float32Array(C).fill(9));
  assert.throws(() => e.reshape(last, 7, 9), /^Error: reshape: 3×60 cannot be read as 7×9$/);
});

conformance('copyChannels: a run of channels out of and into channels-last maps, overwritten or added, into a row view', async (e, rng) => {
  const [n, P, Cs, Cd] = [3, 7, 6, 4];
  const src = randn(rng, n * P * Cs);
  const dst = randn(rng, (n + 1) * P * Cd);
  for (const beta of [0, 1] as const) {
    const o = { srcChannels: Cs, dstChannels: Cd, srcStart: 3, dstStart: 1, count: 3, beta };
    const want = dst.slice();
    for (let q = 0; q < n * P; q++) for (let k = 0; k < o.count; k++) want[P * Cd + q * Cd + o.dstStart + k] = (beta ? want[P * Cd + q * Cd + o.dstStart + k] : 0) + src[q * Cs + o.srcStart + k];
    const d = e.fromArray(dst, n + 1, P * Cd);
    e.copyChannels(e.fromArray(src, n, P * Cs), e.rowView(d, 1, n), o);
    assertExact(`copyChannels beta ${beta}`, await e.read(d), want);
  }
  const x = e.zeros(2, 12);
  assert.throws(() => e.copyChannels(x, e.zeros(2, 12), { srcChannels: 4, dstChannels: 4, srcStart: 2, dstStart: 0, count: 3, beta: 0 }), /^Error: copyChannels: channels \[2, 5\) → \[0, 3\) outside 4 \/ 4$/);
  assert.throws(() => e.copyChannels(x, e.zeros(2, 9), { srcChannels: 4, dstChannels: 4, srcStart: 0, dstStart: 0, count: 2, beta: 0 }), /^Error: copyChannels destination: expected 2×12, got 2×9$/);
  assert.throws(() => e.copyChannels(x, x, { srcChannels: 4, dstChannels: 4, srcStart: 0, dstStart: 2, count: 2, beta: 0 }), /must not share memory/);
});

conformance('conv kernels: bad geometry, shapes and aliasing throw one-line errors', (e) => {
  const g: PatchGeometry = { height: 4, width: 4, channels: 2, kernel: 3, stride: 1, padding: 1 };
  const x = e.zeros(2, 32);
  const cols = e.zeros(32, 18);
  assert.throws(() => e.im2col(x, cols, { ...g, stride: 0 }), /^Error: conv geometry: sizes, channels, kernel and stride must be positive integers/);
  assert.throws(() => e.im2col(x, cols, { ...g, padding: 3 }), /^Error: conv geometry: padding 3 must be smaller than the kernel 3$/);
  assert.throws(() => e.im2col(x, cols, { ...g, height: 1, padding: 0 }), /does not fit the padded 1×4 map/);
  assert.throws(() => e.im2col(x, e.zeros(31, 18), g), /^Error: im2col cols: expected 32×18, got 31×18$/);
  assert.throws(() => e.col2im(cols, e.zeros(2, 33), g), /^Error: col2im x: expected 2×32, got 2×33$/);
  const shared = e.zeros(32, 18); // cols, and its first 64 values read as a 2×32 x
  assert.throws(() => e.im2col(e.rowView(e.reshape(shared, 18, 32), 0, 2), shared, g), /^Error: im2col: the output cols must not share memory with x$/);
  const p: PoolGeometry = { height: 4, width: 4, channels: 2, window: 2, stride: 2 };
  assert.throws(() => e.maxPoolForward(x, e.zeros(2, 9), p), /^Error: maxPoolForward y: expected 2×8, got 2×9$/);
  assert.throws(() => e.avgPoolForward(x, e.zeros(2, 8), { ...p, window: 5 }), /^Error: pool geometry: the 5×5 window does not fit the 4×4 map$/);
  assert.throws(() => e.maxPoolBackward(x, e.zeros(2, 8), x, p), /^Error: maxPoolBackward: the output dx must not share memory with x$/);
  const gn: GroupNormGeometry = { positions: 16, channels: 2, groups: 2 };
  assert.throws(() => e.groupNormForward(x, x, e.zeros(2, 4), { ...gn, groups: 3 }, 1e-5), /^Error: group norm geometry: 2 channels do not split into 3 equal groups$/);
  assert.throws(() => e.groupNormForward(x, x, e.zeros(2, 3), gn, 1e-5), /^Error: groupNormForward stats: expected 2×4, got 2×3$/);
  assert.throws(() => e.groupNormForward(x, x, e.zeros(2, 4), gn, 0), /^Error: groupNormForward: eps must be a positive number, got 0$/);
  assert.throws(() => e.toChannelsLast(x, e.zeros(2, 32), 5), /^Error: toChannelsLast: 32 columns do not split into 5 channels$/);
  assert.throws(() => e.toChannelsFirst(x, x, 2), /^Error: toChannelsFirst: the output out must not share memory with x$/);
});
