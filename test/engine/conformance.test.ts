// Engine conformance: every kernel of every available backend against a float64 reference
// written here, on seeded random inputs of awkward sizes. The js and wasm backends always run;
// the native one runs when its addon is built (otherwise its tests are skipped with the reason).
//
// Set FF_REQUIRE_NATIVE=1 (CI with OpenBLAS) to make a missing addon a failure, not a skip.
//
// Error bounds, stated in every assertion message:
//   gemm           |got − ref| ≤ 1e-4·(|alpha|·(|op(A)|·|op(B)|)ij + |beta·C0ij|)
//   everything else |got − ref| ≤ 1e-6·(Σ |terms| that make up the element), or 1e-6·|ref|
//                   (float32 storage alone costs ≈6e-8 relative per rounding)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Engine, LocalGeometry, Mat, RowNorm } from '../../src/engine/engine.js';
import { describeLocal, localInputSize, localOutputSize, localTapInside, localWeightIndex, localWeightShape } from '../../src/engine/local-geometry.js';
import { restoringEnv } from '../helpers/env.js';
import { denseFromLocal } from '../helpers/local-reference.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { loadNativeEngine, NativeEngine } from '../../src/engine/native-backend.js';
import { WasmEngine } from '../../src/engine/wasm-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { PERTURB_TOLERANCE } from '../../src/engine/webgpu-backend.js';
import { conformance } from '../helpers/conformance.js';

const native = loadNativeEngine();
const GEMM_TOL = 1e-4;
const ELEM_TOL = 1e-6;

/** WebGPU runs on SwiftShader here: the big cases shrink there to keep the suite's time. */
const onGpu = (e: Engine) => e.name === 'webgpu';

// ---- helpers ------------------------------------------------------------------------------

function randn(rng: Rng, n: number, std = 1): Float32Array {
  return rng.fillNormal(new Float32Array(n), std);
}

/** Normals with about a third clamped to exactly 0 and a few exact negatives kept. */
function reluish(rng: Rng, n: number): Float32Array {
  const a = randn(rng, n);
  for (let i = 0; i < n; i++) if (a[i] < -0.3) a[i] = 0;
  return a;
}

function nanArray(n: number): Float32Array {
  return new Float32Array(n).fill(NaN);
}

/**
 * Assert |got[i] − want[i]| ≤ tol·scale[i] + abs for every i, naming the bound and the
 * worst element in the message.
 */
function assertClose(
  what: string,
  got: Float32Array,
  want: Float64Array,
  scale: Float64Array | null,
  tol: number,
  bound: string,
  abs = 0,
): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, expected ${want.length}`);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const lim = tol * (scale ? scale[i] : Math.abs(want[i])) + abs;
    if (!(err <= lim)) {
      const ratio = Number.isNaN(err) ? Infinity : err / Math.max(lim, 1e-300);
      if (worst < 0 || ratio > worstRatio) {
        worst = i;
        worstRatio = ratio;
      }
    }
  }
  if (worst >= 0) {
    const i = worst;
    const s = scale ? scale[i] : Math.abs(want[i]);
    assert.fail(
      `${what}: bound ${bound} violated at [${i}]: got ${got[i]}, want ${want[i]}, ` +
        `|err| ${Math.abs(got[i] - want[i]).toExponential(3)} > ${tol}·${s.toExponential(3)}` +
        (abs ? ` + ${abs}` : ''),
    );
  }
}

const ELEM_BOUND = `|err| ≤ ${ELEM_TOL}·Σ|terms|`;

// ---- gemm -----------------------------------------------------------------------------------

interface GemmRef {
  val: Float64Array;
  scale: Float64Array;
}

function refGemm(
  A: Float32Array, B: Float32Array, C0: Float32Array,
  m: number, n: number, k: number, ta: boolean, tb: boolean, alpha: number, beta: number,
): GemmRef {
  // Materialise op(A) (m×k) and op(B)ᵀ (n×k) so the inner loop is contiguous.
  const a = new Float64Array(m * k);
  const bt = new Float64Array(n * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[i * k + p] = ta ? A[p * m + i] : A[i * k + p];
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bt[j * k + p] = tb ? B[j * k + p] : B[p * n + j];
  const val = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let sa = 0;
      const ai = i * k;
      const bj = j * k;
      for (let p = 0; p < k; p++) {
        const x = a[ai + p] * bt[bj + p];
        s += x;
        sa += Math.abs(x);
      }
      const c0 = beta === 0 ? 0 : C0[i * n + j];
      val[i * n + j] = alpha * s + beta * c0;
      scale[i * n + j] = Math.abs(alpha) * sa + Math.abs(beta * c0);
    }
  }
  return { val, scale };
}

const GEMM_SIZES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [3, 5, 7], [17, 33, 9], [31, 64, 65], [63, 127, 129], [9, 1, 13],
  [2, 0, 3], [0, 3, 2], [4, 3, 0],
];
const GEMM_SCALARS: { alpha?: number; beta?: number; nanC?: boolean }[] = [
  {}, // defaults: alpha 1, beta 0
  { alpha: 1, beta: 1 },
  { alpha: -1.25, beta: 0.75 },
  { alpha: 0.5, beta: 0, nanC: true }, // beta 0 must overwrite c, NaNs included
  { alpha: 0, beta: -2 },
];

async function runGemm(
  e: Engine, rng: Rng, m: number, k: number, n: number, ta: boolean, tb: boolean,
  s: { alpha?: number; beta?: number; nanC?: boolean },
): Promise<void> {
  const A = randn(rng, m * k);
  const B = randn(rng, k * n);
  const C0 = s.nanC ? nanArray(m * n) : randn(rng, m * n);
  const a = ta ? e.fromArray(A, k, m) : e.fromArray(A, m, k);
  const b = tb ? e.fromArray(B, n, k) : e.fromArray(B, k, n);
  const c = e.fromArray(C0, m, n);
  const opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {};
  if (ta) opts.transA = true;
  if (tb) opts.transB = true;
  if (s.alpha !== undefined) opts.alpha = s.alpha;
  if (s.beta !== undefined) opts.beta = s.beta;
  if (!ta && !tb && s.alpha === undefined && s.beta === undefined) e.gemm(a, b, c);
  else e.gemm(a, b, c, opts);
  const alpha = s.alpha ?? 1;
  const beta = s.beta ?? 0;
  const ref = refGemm(A, B, C0, m, n, k, ta, tb, alpha, beta);
  const got = await e.read(c);
  assertClose(
    `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${k}·${k}×${n} alpha ${alpha} beta ${beta}${s.nanC ? ' (c was NaN)' : ''}`,
    got, ref.val, ref.scale, GEMM_TOL,
    `|err| ≤ ${GEMM_TOL}·(|alpha|·(|op(A)||op(B)|)ij + |beta·C0ij|)`,
  );
}

for (const ta of [false, true]) {
  for (const tb of [false, true]) {
    const tag = `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`;
    conformance(`gemm ${tag}: awkward sizes × alpha/beta variants`, async (e, rng) => {
      for (const [m, k, n] of GEMM_SIZES) for (const s of GEMM_SCALARS) await runGemm(e, rng, m, k, n, ta, tb, s);
    });
    conformance(`gemm ${tag}: 257×1000·1000×301, alpha −1.25, beta 0.75`, async (e, rng) => {
      await runGemm(e, rng, 257, 1000, 301, ta, tb, { alpha: -1.25, beta: 0.75 });
    });
  }
}

// ---- elementwise and reductions ------------------------------------------------------------

const SHAPES: [number, number][] = [[1, 1], [1, 9], [7, 1], [13, 31], [33, 257], [5, 1000]];

conformance('addBias with and without ReLU', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const relu of [false, true]) {
      const X = randn(rng, r * c);
      const Bv = randn(rng, c);
      const x = e.fromArray(X, r, c);
      e.addBias(x, e.fromArray(Bv, 1, c), relu);
      const want = new Float64Array(r * c);
      const scale = new Float64Array(r * c);
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          const v = X[i * c + j] + Bv[j];
          want[i * c + j] = relu && v < 0 ? 0 : v;
          scale[i * c + j] = Math.abs(X[i * c + j]) + Math.abs(Bv[j]);
        }
      }
      assertClose(`addBias ${r}×${c} relu=${relu}`, await e.read(x), want, scale, ELEM_TOL, ELEM_BOUND);
    }
  }
});

conformance('rowPowerSum, power 1 and 2', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const power of [1, 2] as const) {
      const X = randn(rng, r * c, 3);
      const out = e.fromArray(nanArray(r), r, 1);
      e.rowPowerSum(e.fromArray(X, r, c), out, power);
      const want = new Float64Array(r);
      const scale = new Float64Array(r);
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          const v = X[i * c + j];
          want[i] += power === 2 ? v * v : v;
          scale[i] += power === 2 ? v * v : Math.abs(v);
        }
      }
      assertClose(`rowPowerSum ${r}×${c} power ${power}`, await e.read(out), want, scale, ELEM_TOL, ELEM_BOUND);
    }
  }
});

conformance('normalizeRows rms/l2, separate and in-place output, with and without row sums of squares', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const mode of ['rms', 'l2'] as RowNorm[]) {
      for (const eps of [1e-8, 0.5]) {
        for (const inPlace of [false, true]) {
          const X = randn(rng, r * c);
          if (r > 2) {
            X.fill(0, 0, c); // a zero row stays zero
            for (let j = 0; j < c; j++) X[c + j] *= 1000; // a large row
          }
          const x = e.fromArray(X, r, c);
          const out = inPlace ? x : e.fromArray(nanArray(r * c), r, c);
          // The fused goodness output is exercised on the separate-output runs.
          const sumSq = inPlace ? undefined : e.fromArray(nanArray(r), r, 1);
          e.normalizeRows(x, out, mode, eps, sumSq);
          const want = new Float64Array(r * c);
          const wantSumSq = new Float64Array(r);
          for (let i = 0; i < r; i++) {
            let s = 0;
            for (let j = 0; j < c; j++) s += X[i * c + j] ** 2;
            wantSumSq[i] = s;
            const len = mode === 'rms' ? Math.sqrt(s / c) : Math.sqrt(s);
            for (let j = 0; j < c; j++) want[i * c + j] = X[i * c + j] / (eps + len);
          }
          assertClose(
            `normalizeRows ${r}×${c} ${mode} eps ${eps}${inPlace ? ' in place' : ''}`,
            await e.read(out), want, null, ELEM_TOL, `|err| ≤ ${ELEM_TOL}·|ref|`,
          );
          if (!inPlace) assert.deepEqual(await e.read(x), X, 'normalizeRows must not modify its input');
          if (sumSq) {
            assertClose(`normalizeRows ${r}×${c} row sums of squares`, await e.read(sumSq), wantSumSq, null, ELEM_TOL, `|err| ≤ ${ELEM_TOL}·|ref|`);
          }
        }
      }
    }
  }
});

conformance('scaleRows power 1/2 with beta undefined, 0, 0.5, −1', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const power of [1, 2] as const) {
      for (const beta of [undefined, 0, 0.5, -1]) {
        const Y = reluish(rng, r * c);
        const C = randn(rng, r);
        const O0 = beta ? randn(rng, r * c) : nanArray(r * c);
        const out = e.fromArray(O0, r, c);
        if (beta === undefined) e.scaleRows(e.fromArray(Y, r, c), e.fromArray(C, r, 1), out, power);
        else e.scaleRows(e.fromArray(Y, r, c), e.fromArray(C, r, 1), out, power, beta);
        const want = new Float64Array(r * c);
        const scale = new Float64Array(r * c);
        for (let i = 0; i < r; i++) {
          for (let j = 0; j < c; j++) {
            const y = Y[i * c + j];
            const g = power === 2 ? C[i] * y : y > 0 ? C[i] : 0;
            const prev = beta ? beta * O0[i * c + j] : 0;
            want[i * c + j] = prev + g;
            scale[i * c + j] = Math.abs(prev) + Math.abs(g);
          }
        }
        assertClose(
          `scaleRows ${r}×${c} power ${power} beta ${beta}`,
          await e.read(out), want, scale, ELEM_TOL, ELEM_BOUND,
        );
      }
    }
  }
});

conformance('addRowVector with alpha 1, −0.3, 0', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const alpha of [1, -0.3, 0]) {
      const X = randn(rng, r * c);
      const V = randn(rng, c);
      const x = e.fromArray(X, r, c);
      e.addRowVector(x, e.fromArray(V, 1, c), alpha);
      const want = new Float64Array(r * c);
      const scale = new Float64Array(r * c);
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          want[i * c + j] = X[i * c + j] + alpha * V[j];
          scale[i * c + j] = Math.abs(X[i * c + j]) + Math.abs(alpha * V[j]);
        }
      }
      assertClose(`addRowVector ${r}×${c} alpha ${alpha}`, await e.read(x), want, scale, ELEM_TOL, ELEM_BOUND);
    }
  }
});

conformance('colSum with alpha/beta variants (beta 0 overwrites NaN)', async (e, rng) => {
  for (const [r, c] of [...SHAPES, [1000, 33] as [number, number]]) {
    for (const [alpha, beta] of [[1, 0], [0.5, 1], [-2, 0.25]]) {
      const X = randn(rng, r * c);
      const O0 = beta === 0 ? nanArray(c) : randn(rng, c);
      const out = e.fromArray(O0, 1, c);
      e.colSum(e.fromArray(X, r, c), out, alpha, beta);
      const want = new Float64Array(c);
      const scale = new Float64Array(c);
      for (let j = 0; j < c; j++) {
        let s = 0;
        let sa = 0;
        for (let i = 0; i < r; i++) {
          s += X[i * c + j];
          sa += Math.abs(X[i * c + j]);
        }
        const prev = beta === 0 ? 0 : beta * O0[j];
        want[j] = prev + alpha * s;
        scale[j] = Math.abs(prev) + Math.abs(alpha) * sa;
      }
      assertClose(`colSum ${r}×${c} alpha ${alpha} beta ${beta}`, await e.read(out), want, scale, ELEM_TOL, ELEM_BOUND);
    }
  }
});

conformance('softmaxRows, separate and in-place, with extreme rows', async (e, rng) => {
  for (const [r, c] of [...SHAPES, [64, 10] as [number, number]]) {
    for (const inPlace of [false, true]) {
      const X = randn(rng, r * c, 4);
      if (r > 2 && c > 2) {
        X[0] = 1000; // huge logits: stable only if the row max is subtracted
        X[1] = 999;
        X[2] = -1000;
        for (let j = 0; j < c; j++) X[c + j] = 88 + j; // exp(88+) overflows float32
      }
      const x = e.fromArray(X, r, c);
      const out = inPlace ? x : e.fromArray(nanArray(r * c), r, c);
      e.softmaxRows(x, out);
      const want = new Float64Array(r * c);
      const gpuScale = new Float64Array(r * c);
      for (let i = 0; i < r; i++) {
        let mx = -Infinity;
        for (let j = 0; j < c; j++) mx = Math.max(mx, X[i * c + j]);
        let s = 0;
        for (let j = 0; j < c; j++) s += Math.exp(X[i * c + j] - mx);
        for (let j = 0; j < c; j++) want[i * c + j] = Math.exp(X[i * c + j] - mx) / s;
        // WGSL's f32 exp is within (3 + 2|x|) ulp: the webgpu engine's bound grows with x − max.
        if (onGpu(e)) for (let j = 0; j < c; j++) gpuScale[i * c + j] = Math.abs(want[i * c + j]) * (1 + ((4 + 2 * Math.abs(X[i * c + j] - mx)) * 2 ** -23) / ELEM_TOL);
      }
      if (onGpu(e)) {
        assertClose(`softmaxRows ${r}×${c}${inPlace ? ' in place' : ''}`, await e.read(out), want, gpuScale, ELEM_TOL, `|err| ≤ (${ELEM_TOL} + (4 + 2|x − max|)·2⁻²³)·|ref| + 1e-37`, 1e-37);
        continue;
      }
      assertClose(
        `softmaxRows ${r}×${c}${inPlace ? ' in place' : ''}`,
        await e.read(out), want, null, ELEM_TOL, `|err| ≤ ${ELEM_TOL}·|ref| + 1e-37`, 1e-37,
      );
    }
  }
});

conformance('reluBackward, separate and in-place (out = dy)', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const inPlace of [false, true]) {
      const D = randn(rng, r * c);
      const Y = reluish(rng, r * c);
      for (let i = 0; i < Y.length; i += 5) Y[i] = -Math.abs(Y[i]) - 0.1; // some strictly negative
      const dy = e.fromArray(D, r, c);
      const out = inPlace ? dy : e.fromArray(nanArray(r * c), r, c);
      e.reluBackward(dy, e.fromArray(Y, r, c), out);
      const want = new Float32Array(r * c);
      for (let i = 0; i < want.length; i++) want[i] = Y[i] > 0 ? D[i] : 0;
      assert.deepEqual(await e.read(out), want, `reluBackward ${r}×${c}${inPlace ? ' in place' : ''}: must be exact`);
    }
  }
});

conformance('axpby with out separate, out = x and out = y', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const [a, b] of [[1, 1], [0.5, -2], [0, 1], [-0.9, 0]]) {
      for (const alias of ['none', 'x', 'y'] as const) {
        const X = randn(rng, r * c);
        const Y = randn(rng, r * c);
        const x = e.fromArray(X, r, c);
        const y = e.fromArray(Y, r, c);
        const out = alias === 'x' ? x : alias === 'y' ? y : e.fromArray(nanArray(r * c), r, c);
        e.axpby(a, x, b, y, out);
        const want = new Float64Array(r * c);
        const scale = new Float64Array(r * c);
        for (let i = 0; i < want.length; i++) {
          want[i] = a * X[i] + b * Y[i];
          scale[i] = Math.abs(a * X[i]) + Math.abs(b * Y[i]);
        }
        assertClose(`axpby ${r}×${c} a ${a} b ${b} out=${alias}`, await e.read(out), want, scale, ELEM_TOL, ELEM_BOUND);
      }
    }
  }
});

conformance('multiply is the float32 product exactly, with out separate, out = x and out = y', async (e, rng) => {
  for (const [r, c] of SHAPES) {
    for (const alias of ['none', 'x', 'y'] as const) {
      const X = randn(rng, r * c);
      const Y = randn(rng, r * c);
      for (let i = 0; i < Y.length; i += 3) Y[i] = 0; // masks are mostly 0/1; zeros must stay exact
      const x = e.fromArray(X, r, c);
      const y = e.fromArray(Y, r, c);
      const out = alias === 'x' ? x : alias === 'y' ? y : e.fromArray(nanArray(r * c), r, c);
      e.multiply(x, y, out);
      const got = await e.read(out);
      const want = new Float32Array(r * c);
      for (let i = 0; i < want.length; i++) want[i] = Math.fround(X[i]) * Math.fround(Y[i]);
      const bad = got.findIndex((v, i) => !Object.is(v, want[i]));
      assert.equal(bad, -1, `multiply ${r}×${c} out=${alias}: element ${bad} is ${got[bad]}, want ${want[bad]}`);
    }
  }
});

// perturb's noise, rebuilt here in BigInt from the documented scheme (js-backend.ts,
// perturbNoise) rather than with the backends' Math.imul / uint32 tricks.
const M32 = 0xffffffffn;
function fmix32Big(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  return h ^ (h >> 16n);
}
function refNoise(seed: number, stream: number, e: number): [number, number] {
  const golden = 0x9e3779b9n;
  const key = fmix32Big(fmix32Big(BigInt(seed) ^ golden) ^ BigInt(stream));
  const b = BigInt(Math.floor(e / 2 ** 29));
  const bk = fmix32Big((key + b * golden) & M32);
  const n: number[] = [];
  for (const k0 of [0, 4]) {
    let s = 0n;
    for (let k = k0; k < k0 + 4; k++) {
      const c = BigInt(e % 2 ** 29) * 8n + BigInt(k);
      s += fmix32Big((fmix32Big(c ^ bk) + bk) & M32) >> 8n;
    }
    n.push(Number(s - 2n ** 25n) * (Math.sqrt(3) / 2 ** 24));
  }
  return [n[0], n[1]];
}

conformance('perturb is the documented hash noise to the bit: mul only, add only, both, separate and in place', async (e, rng) => {
  const variants = [
    { mul: 0.25, add: 0, seed: 0, stream: 0 },
    { mul: 0, add: 1.5, seed: 4294967295, stream: 7 },
    { mul: -0.1, add: 0.03, seed: 123456789, stream: 4294967295 },
    { mul: 0, add: 0, seed: 1, stream: 1 },
  ];
  for (const [r, c] of SHAPES.slice(0, 5)) {
    for (const o of variants) {
      for (const inPlace of [false, true]) {
        const X = randn(rng, r * c);
        const x = e.fromArray(X, r, c);
        const out = inPlace ? x : e.fromArray(nanArray(r * c), r, c);
        e.perturb(x, out, o);
        const got = await e.read(out);
        const want = new Float32Array(r * c);
        const exact = new Float64Array(r * c);
        const scale = new Float64Array(r * c);
        for (let i = 0; i < want.length; i++) {
          const [n1, n2] = refNoise(o.seed, o.stream, i);
          const v = X[i] * (o.mul === 0 ? 1 : 1 + o.mul * n1);
          want[i] = o.add === 0 ? v : v + o.add * n2;
          exact[i] = want[i];
          scale[i] = Math.abs(X[i]) * (1 + Math.abs(o.mul * n1)) + Math.abs(o.add * n2);
        }
        if (onGpu(e)) {
          // WGSL has no double: the same draws, scaled in f32 (webgpu-backend.ts).
          assertClose(`perturb ${r}×${c} ${JSON.stringify(o)} inPlace=${inPlace}`, got, exact, scale, PERTURB_TOLERANCE, '|err| ≤ 4·2⁻²⁴·(|x|(1+|mul·n1|)+|add·n2|)');
          continue;
        }
        const bad = got.findIndex((v, i) => !Object.is(v, want[i]));
        assert.equal(bad, -1, `perturb ${r}×${c} ${JSON.stringify(o)} inPlace=${inPlace}: element ${bad} is ${got[bad]}, want ${want[bad]}`);
      }
    }
  }
});

// ---- locally-connected kernels vs a float64 dense masked reference --------------------------

// Awkward geometries: windows of 1, 3, 5 and one wider than the map, a map row wider than the
// native kernels' 16-unit blocks, row counts that leave partial row blocks and chunks.
const LOCAL_CASES: { g: LocalGeometry; rows: number }[] = [
  { g: { height: 5, width: 7, inChannels: 3, outChannels: 2, window: 3 }, rows: 5 },
  { g: { height: 5, width: 7, inChannels: 3, outChannels: 2, window: 5 }, rows: 37 },
  { g: { height: 4, width: 3, inChannels: 2, outChannels: 3, window: 5 }, rows: 1 },
  { g: { height: 3, width: 19, inChannels: 1, outChannels: 2, window: 3 }, rows: 6 },
  { g: { height: 6, width: 5, inChannels: 2, outChannels: 1, window: 11 }, rows: 3 },
  { g: { height: 2, width: 2, inChannels: 1, outChannels: 1, window: 1 }, rows: 2 },
  // Channel blocks of 3 + 2 and tap blocks of 6 + 6 + 1 (AVX-512) or 3 + 3 + 3 + 3 + 1 (AVX2).
  { g: { height: 4, width: 18, inChannels: 2, outChannels: 5, window: 13 }, rows: 29 },
];
const LOCAL_SCALARS: { alpha?: number; beta?: number; nanOut?: boolean }[] = [{}, { alpha: -0.7, beta: 0.4 }, { beta: 0, nanOut: true }];

/** ref = alpha·Σ_k a[i,k]·b[k,j] + beta·old, with scale = |alpha|·Σ|terms| + |beta·old|. */
function refProduct(a: (i: number, k: number) => number, b: (k: number, j: number) => number, m: number, n: number, kk: number, alpha: number, beta: number, old: Float32Array): GemmRef {
  const val = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let k = 0; k < kk; k++) {
        const p = a(i, k) * b(k, j);
        s += p;
        t += Math.abs(p);
      }
      const o = beta === 0 ? 0 : beta * old[i * n + j];
      val[i * n + j] = alpha * s + o;
      scale[i * n + j] = Math.abs(alpha) * t + Math.abs(o);
    }
  return { val, scale };
}

for (const { g, rows } of LOCAL_CASES) {
  const tag = `${g.height}×${g.width}×${g.inChannels}→${g.outChannels}, K=${g.window}, ${rows} rows`;
  conformance(`localForward / localWeightGrad / localInputGrad ${tag} vs dense masked float64`, async (e, rng) => {
    const fin = localInputSize(g);
    const fout = localOutputSize(g);
    const ws = localWeightShape(g);
    const nw = ws.rows * ws.cols;
    // Weights outside the map are random too: the kernels must ignore them (and give them 0).
    const w = randn(rng, nw);
    const x = randn(rng, rows * fin);
    const dy = reluish(rng, rows * fout);
    const M = denseFromLocal(g, w);
    const inside = new Float64Array(nw);
    for (let co = 0; co < g.outChannels; co++)
      for (let py = 0; py < g.height; py++)
        for (let px = 0; px < g.width; px++)
          for (let ci = 0; ci < g.inChannels; ci++)
            for (let a = 0; a < g.window; a++)
              for (let b = 0; b < g.window; b++) inside[localWeightIndex(g, co, py, px, ci, a, b)] = localTapInside(g, py, px, a, b) ? 1 : 0;
    const r = (g.window - 1) / 2;
    for (const { alpha = 1, beta = 0, nanOut } of LOCAL_SCALARS) {
      const what = `alpha ${alpha}, beta ${beta}${nanOut ? ', NaN in out' : ''}`;
      const bound = `|err| ≤ ${GEMM_TOL}·(|alpha|·Σ|terms| + |beta·old|)`;
      const start = (n: number) => (nanOut ? nanArray(n) : randn(rng, n));
      const opts = { alpha, beta };

      const y0 = start(rows * fout);
      const y = e.fromArray(y0, rows, fout);
      e.localForward(e.fromArray(x, rows, fin), e.fromArray(w, ws.rows, ws.cols), y, g, opts);
      const yr = refProduct((i, k) => x[i * fin + k], (k, j) => M[k * fout + j], rows, fout, fin, alpha, beta, y0);
      assertClose(`localForward ${what}`, await e.read(y), yr.val, yr.scale, GEMM_TOL, bound);

      const dw0 = start(nw);
      const dw = e.fromArray(dw0, ws.rows, ws.cols);
      e.localWeightGrad(e.fromArray(x, rows, fin), e.fromArray(dy, rows, fout), dw, g, opts);
      // dw[unit, tap] = Σ_i x[i, src(tap)]·dy[i, unit]; taps outside the map: alpha·0 + beta·old.
      const dwr = new Float64Array(nw);
      const dws = new Float64Array(nw);
      for (let co = 0; co < g.outChannels; co++)
        for (let py = 0; py < g.height; py++)
          for (let px = 0; px < g.width; px++)
            for (let ci = 0; ci < g.inChannels; ci++)
              for (let a = 0; a < g.window; a++)
                for (let b = 0; b < g.window; b++) {
                  const idx = localWeightIndex(g, co, py, px, ci, a, b);
                  const unit = (co * g.height + py) * g.width + px;
                  const src = (ci * g.height + py + a - r) * g.width + px + b - r;
                  let s = 0;
                  let t = 0;
                  if (inside[idx]) for (let i = 0; i < rows; i++) {
                    const p = x[i * fin + src] * dy[i * fout + unit];
                    s += p;
                    t += Math.abs(p);
                  }
                  const o = beta === 0 ? 0 : beta * dw0[idx];
                  dwr[idx] = alpha * s + o;
                  dws[idx] = Math.abs(alpha) * t + Math.abs(o);
                }
      assertClose(`localWeightGrad ${what}`, await e.read(dw), dwr, dws, GEMM_TOL, bound);

      const dx0 = start(rows * fin);
      const dx = e.fromArray(dx0, rows, fin);
      e.localInputGrad(e.fromArray(dy, rows, fout), e.fromArray(w, ws.rows, ws.cols), dx, g, opts);
      const dxr = refProduct((i, k) => dy[i * fout + k], (k, j) => M[j * fout + k], rows, fin, fout, alpha, beta, dx0);
      assertClose(`localInputGrad ${what}`, await e.read(dx), dxr.val, dxr.scale, GEMM_TOL, bound);
    }
  });
}

// The native LC kernels split their outputs over FF_KERNEL_THREADS threads; every output is summed
// by one thread in the same order, so the thread count must not change a single bit.
conformance('local kernels give the same bits on 1, 2 and 3 threads (FF_KERNEL_THREADS)', async (e, rng) => {
  const g: LocalGeometry = { height: 9, width: 21, inChannels: 2, outChannels: 3, window: 5 };
  const rows = 37;
  const fin = localInputSize(g);
  const fout = localOutputSize(g);
  const ws = localWeightShape(g);
  const x = e.fromArray(randn(rng, rows * fin), rows, fin);
  const dy = e.fromArray(randn(rng, rows * fout), rows, fout);
  const w = e.fromArray(randn(rng, ws.rows * ws.cols), ws.rows, ws.cols);
  const old = randn(rng, ws.rows * ws.cols);
  const results: Float32Array[][] = [];
  await restoringEnv('FF_KERNEL_THREADS', async () => {
    for (const threads of ['1', '2', '3']) {
      process.env.FF_KERNEL_THREADS = threads;
      const y = e.zeros(rows, fout);
      const dw = e.fromArray(old, ws.rows, ws.cols);
      const dx = e.zeros(rows, fin);
      e.localForward(x, w, y, g);
      e.localWeightGrad(x, dy, dw, g, { alpha: 0.3, beta: 0.9 });
      e.localInputGrad(dy, w, dx, g);
      results.push([await e.read(y), await e.read(dw), await e.read(dx)]);
    }
  });
  for (const k of [1, 2]) {
    for (const [i, name] of ['localForward', 'localWeightGrad', 'localInputGrad'].entries()) {
      assert.deepEqual(results[k][i], results[0][i], `${name}: ${k + 1} threads differ from 1`);
    }
  }
});

// smoothApply and multiply on a big matrix (700k values): the js twin's bits (float32
// arithmetic, exactly), whatever FF_KERNEL_THREADS says.
conformance('smoothApply and multiply on a big matrix: the same bits on 1 and 3 kernel threads, and as the js engine', async (e, rng) => {
  const [r, c] = [700, 1001];
  const W = randn(rng, r * c);
  const S = randn(rng, r * c, 0.01);
  const M = Float32Array.from(randn(rng, r * c), (v) => (v > 0 ? 1 : 0));
  const js = new JsEngine();
  const want = async (eng: Engine) => {
    const w = eng.fromArray(W, r, c);
    eng.smoothApply(w, eng.fromArray(S, r, c), 0.02, 0.001);
    eng.multiply(w, eng.fromArray(M, r, c), w);
    return eng.read(w);
  };
  const reference = await want(js);
  await restoringEnv('FF_KERNEL_THREADS', async () => {
    for (const threads of ['1', '3']) {
      process.env.FF_KERNEL_THREADS = threads;
      const got = await want(e);
      if (onGpu(e)) {
        // A shader compiler may fuse a·b + c in smoothApply (webgpu-backend.ts): one rounding apart.
        const scale = Float64Array.from(W, (w, i) => Math.abs(w) + 0.02 * (Math.abs(S[i]) + Math.abs(0.001 * w)));
        assertClose('smoothApply then multiply', got, Float64Array.from(reference), scale, 2 ** -23, '|err| ≤ 2⁻²³·(|w| + lr·(|s| + |wc·w|))');
        continue;
      }
      const bad = got.findIndex((v, i) => !Object.is(v, reference[i]));
      assert.equal(bad, -1, `${threads} thread(s): element ${bad} is ${got[bad]}, the js engine gives ${reference[bad]}`);
    }
  });
});

conformance('local kernels: bad geometry and shape mismatches throw one-line errors', async (e) => {
  const g: LocalGeometry = { height: 3, width: 4, inChannels: 2, outChannels: 1, window: 3 };
  const ws = localWeightShape(g);
  const x = e.zeros(2, localInputSize(g));
  const w = e.zeros(ws.rows, ws.cols);
  const y = e.zeros(2, localOutputSize(g));
  assert.throws(() => e.localForward(x, w, y, { ...g, window: 2 }), /window must be odd/);
  assert.throws(() => e.localForward(x, w, e.zeros(3, localOutputSize(g)), g), /^Error: localForward y: expected 2×12, got 3×12$/);
  assert.throws(() => e.localWeightGrad(x, y, e.zeros(ws.rows, ws.cols + 1), g), /localWeightGrad dw: expected/);
  assert.throws(() => e.localInputGrad(y, w, e.zeros(2, 5), g), /localInputGrad dx: expected 2×24, got 2×5/);
});

// ---- optimizers: three steps, each checked against float64 from the state before it ------

const OPT_SHAPES: [number, number][] = [[1, 1], [7, 13], [61, 33]];

conformance('smoothStep (3 steps, weightCost 0 and 1e-3)', async (e, rng) => {
  for (const [r, c] of OPT_SHAPES) {
    for (const weightCost of [0, 1e-3]) {
      const w = e.fromArray(randn(rng, r * c), r, c);
      const st = e.fromArray(randn(rng, r * c, 0.1), r, c);
      const o = { gradScale: 1 / 64, smoothing: 0.9, lr: 0.1, weightCost };
      for (let step = 1; step <= 3; step++) {
        const W = await e.read(w);
        const S = await e.read(st);
        const G = randn(rng, r * c, 8);
        e.smoothStep(w, st, e.fromArray(G, r, c), o);
        const n = r * c;
        const [ws, wsc, ss, ssc] = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
        for (let i = 0; i < n; i++) {
          const keep = o.smoothing * S[i];
          const take = (1 - o.smoothing) * o.gradScale * G[i];
          ss[i] = keep + take;
          ssc[i] = Math.abs(keep) + Math.abs(take);
          const upd = o.lr * (ss[i] + weightCost * W[i]);
          ws[i] = W[i] - upd;
          wsc[i] = Math.abs(W[i]) + o.lr * (ssc[i] + Math.abs(weightCost * W[i]));
        }
        const tag = `smoothStep ${r}×${c} wc ${weightCost} step ${step}`;
        assertClose(`${tag} state`, await e.read(st), ss, ssc, ELEM_TOL, ELEM_BOUND);
        assertClose(`${tag} w`, await e.read(w), ws, wsc, ELEM_TOL, ELEM_BOUND);
      }
    }
  }
});

conformance('smoothApply: w ← w − lr·(state + weightCost·w) in float32 (3 steps)', async (e, rng) => {
  for (const [r, c] of [...OPT_SHAPES, [1, 1003] as [number, number]]) {
    for (const weightCost of [0, 1e-3]) {
      const w = e.fromArray(randn(rng, r * c), r, c);
      const lr = 0.1;
      for (let step = 1; step <= 3; step++) {
        const W = await e.read(w);
        const S = randn(rng, r * c, 0.1);
        const st = e.fromArray(S, r, c);
        e.smoothApply(w, st, lr, weightCost);
        const n = r * c;
        const [ws, wsc] = [new Float64Array(n), new Float64Array(n)];
        for (let i = 0; i < n; i++) {
          ws[i] = W[i] - lr * (S[i] + weightCost * W[i]);
          wsc[i] = Math.abs(W[i]) + lr * (Math.abs(S[i]) + Math.abs(weightCost * W[i]));
        }
        const tag = `smoothApply ${r}×${c} wc ${weightCost} step ${step}`;
        assert.deepEqual(await e.read(st), S, `${tag}: state is read only`);
        assertClose(`${tag} w`, await e.read(w), ws, wsc, ELEM_TOL, ELEM_BOUND);
      }
    }
  }
  const w = e.zeros(2, 3);
  assert.throws(() => e.smoothApply(w, e.zeros(3, 2), 0.1, 0), /smoothApply state: expected 2×3, got 3×2/);
  assert.throws(() => e.smoothApply(w, w, 0.1, 0), /must not overlap/);
});

conformance('fused smooth step: gemm (alpha, beta) into the state, then smoothApply, = smoothStep of the product', async (e, rng) => {
  // Param.stepProduct for the 'smooth' optimizer: state ← s·state + (1 − s)·gs·AᵀB by one
  // gemm, then w ← w − lr·(state + wc·w). State within the gemm bound, w within the
  // elementwise bound of the update computed from the state the engine produced.
  for (const [k, m, n] of [[7, 5, 3], [40, 33, 61], [200, 17, 129]] as [number, number, number][]) {
    const s = 0.9;
    const gs = 1 / k;
    const lr = 0.01;
    const wc = 1e-3;
    const w = e.fromArray(randn(rng, m * n), m, n);
    const st = e.fromArray(randn(rng, m * n, 0.1), m, n);
    for (let step = 1; step <= 2; step++) {
      const W = await e.read(w);
      const S0 = await e.read(st);
      const A = randn(rng, k * m);
      const Bm = randn(rng, k * n);
      e.gemm(e.fromArray(A, k, m), e.fromArray(Bm, k, n), st, { transA: true, alpha: (1 - s) * gs, beta: s });
      e.smoothApply(w, st, lr, wc);
      const ref = refGemm(A, Bm, S0, m, n, k, true, false, (1 - s) * gs, s);
      const tag = `fused smooth ${k}:${m}×${n} step ${step}`;
      const S1 = await e.read(st);
      assertClose(`${tag} state`, S1, ref.val, ref.scale, GEMM_TOL, `|err| ≤ ${GEMM_TOL}·(Σ|terms|)`);
      const [ws, wsc] = [new Float64Array(m * n), new Float64Array(m * n)];
      for (let i = 0; i < m * n; i++) {
        ws[i] = W[i] - lr * (S1[i] + wc * W[i]);
        wsc[i] = Math.abs(W[i]) + lr * (Math.abs(S1[i]) + Math.abs(wc * W[i]));
      }
      assertClose(`${tag} w`, await e.read(w), ws, wsc, ELEM_TOL, ELEM_BOUND);
    }
  }
});

conformance('momentumStep (3 steps; weightCost·w goes into the velocity)', async (e, rng) => {
  for (const [r, c] of OPT_SHAPES) {
    for (const weightCost of [0, 1e-3]) {
      const w = e.fromArray(randn(rng, r * c), r, c);
      const vel = e.fromArray(randn(rng, r * c, 0.1), r, c);
      const o = { gradScale: 1 / 64, momentum: 0.9, lr: 0.1, weightCost };
      for (let step = 1; step <= 3; step++) {
        const W = await e.read(w);
        const V = await e.read(vel);
        const G = randn(rng, r * c, 8);
        e.momentumStep(w, vel, e.fromArray(G, r, c), o);
        const n = r * c;
        const [ws, wsc, vs, vsc] = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
        for (let i = 0; i < n; i++) {
          const t1 = o.momentum * V[i];
          const t2 = o.gradScale * G[i];
          const t3 = weightCost * W[i];
          vs[i] = t1 + t2 + t3;
          vsc[i] = Math.abs(t1) + Math.abs(t2) + Math.abs(t3);
          ws[i] = W[i] - o.lr * vs[i];
          wsc[i] = Math.abs(W[i]) + o.lr * vsc[i];
        }
        const tag = `momentumStep ${r}×${c} wc ${weightCost} step ${step}`;
        assertClose(`${tag} velocity`, await e.read(vel), vs, vsc, ELEM_TOL, ELEM_BOUND);
        assertClose(`${tag} w`, await e.read(w), ws, wsc, ELEM_TOL, ELEM_BOUND);
      }
    }
  }
});

conformance('adamStep (steps 1–3 with bias correction, decoupled weight decay)', async (e, rng) => {
  for (const [r, c] of OPT_SHAPES) {
    for (const weightCost of [0, 1e-2]) {
      const w = e.fromArray(randn(rng, r * c), r, c);
      const m = e.zeros(r, c);
      const v = e.zeros(r, c);
      for (let step = 1; step <= 3; step++) {
        const o = { gradScale: 1 / 64, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, weightCost };
        const W = await e.read(w);
        const M = await e.read(m);
        const V = await e.read(v);
        const G = randn(rng, r * c, 8);
        e.adamStep(w, m, v, e.fromArray(G, r, c), o);
        const n = r * c;
        const c1 = 1 / (1 - o.beta1 ** step);
        const c2 = 1 / (1 - o.beta2 ** step);
        const out = Array.from({ length: 6 }, () => new Float64Array(n));
        const [ms, msc, vs, vsc, ws, wsc] = out;
        for (let i = 0; i < n; i++) {
          const g = o.gradScale * G[i];
          ms[i] = o.beta1 * M[i] + (1 - o.beta1) * g;
          msc[i] = Math.abs(o.beta1 * M[i]) + Math.abs((1 - o.beta1) * g);
          vs[i] = o.beta2 * V[i] + (1 - o.beta2) * g * g;
          vsc[i] = vs[i]; // both terms ≥ 0
          const dir = (ms[i] * c1) / (Math.sqrt(vs[i] * c2) + o.eps);
          ws[i] = W[i] - o.lr * (dir + weightCost * W[i]);
          wsc[i] = Math.abs(W[i]) + o.lr * (Math.abs(dir) + Math.abs(weightCost * W[i]));
        }
        const tag = `adamStep ${r}×${c} wc ${weightCost} step ${step}`;
        assertClose(`${tag} m`, await e.read(m), ms, msc, ELEM_TOL, ELEM_BOUND);
        assertClose(`${tag} v`, await e.read(v), vs, vsc, ELEM_TOL, ELEM_BOUND);
        assertClose(`${tag} w`, await e.read(w), ws, wsc, ELEM_TOL, ELEM_BOUND);
      }
    }
  }
});

// ---- memory and errors ----------------------------------------------------------------------

conformance('read() returns a copy; fromArray/write/copy/fill/zeros', async (e) => {
  const src = new Float32Array([1, 2, 3, 4, 5, 6]);
  const m = e.fromArray(src, 2, 3);
  src[0] = 100;
  const r1 = await e.read(m);
  assert.deepEqual(r1, new Float32Array([1, 2, 3, 4, 5, 6]), 'fromArray must copy its input');
  r1[1] = -7;
  assert.deepEqual(await e.read(m), new Float32Array([1, 2, 3, 4, 5, 6]), 'mutating a read() result must not change the matrix');
  e.fill(m, 9);
  assert.deepEqual(r1, new Float32Array([1, -7, 3, 4, 5, 6]), 'a read() result must not follow later writes');
  assert.deepEqual(await e.read(m), new Float32Array(6).fill(9), 'fill');
  e.write(m, new Float32Array([6, 5, 4, 3, 2, 1]));
  const d = e.zeros(2, 3);
  assert.deepEqual(await e.read(d), new Float32Array(6), 'zeros');
  e.copy(m, d);
  assert.deepEqual(await e.read(d), new Float32Array([6, 5, 4, 3, 2, 1]), 'copy');
  assert.equal(d.rows, 2);
  assert.equal(d.cols, 3);
  assert.throws(() => e.write(m, new Float32Array(5)), /^Error: write: 5 values cannot fill 2×3$/);
  assert.throws(() => e.fromArray([1, 2, 3], 2, 2), /^Error: fromArray: 3 values cannot fill 2×2$/);
  assert.throws(() => e.copy(m, e.zeros(3, 2)), /^Error: copy: expected 2×3, got 3×2$/);
  assert.throws(() => e.zeros(1.5, 2), /bad matrix shape/);
  e.dispose(m);
});

conformance('shape mismatches throw one-line errors and leave every operand untouched', async (e, rng) => {
  const mk = (r: number, c: number): Mat => e.fromArray(randn(rng, r * c), r, c);
  const x = mk(3, 5);
  const cases: [string, (ms: Mat[]) => void, Mat[]][] = [
    ['gemm: inner dimensions differ (5 vs 4)', ([a, b, c]) => e.gemm(a, b, c), [x, mk(4, 2), mk(3, 2)]],
    ['gemm: inner dimensions differ (3 vs 5)', ([a, b, c]) => e.gemm(a, b, c, { transA: true }), [x, mk(5, 2), mk(5, 2)]],
    ['gemm output: expected 3×2, got 2×3', ([a, b, c]) => e.gemm(a, b, c), [x, mk(5, 2), mk(2, 3)]],
    ['gemm output: expected 3×4, got 3×2', ([a, b, c]) => e.gemm(a, b, c, { transB: true }), [x, mk(4, 5), mk(3, 2)]],
    ['addBias bias: expected 1×5, got 1×4', ([a, b]) => e.addBias(a, b, true), [x, mk(1, 4)]],
    ['addBias bias: expected 1×5, got 5×1', ([a, b]) => e.addBias(a, b, false), [x, mk(5, 1)]],
    ['rowPowerSum output: expected 3×1, got 2×1', ([a, b]) => e.rowPowerSum(a, b, 2), [x, mk(2, 1)]],
    ['normalizeRows output: expected 3×5, got 5×3', ([a, b]) => e.normalizeRows(a, b, 'rms', 1e-8), [x, mk(5, 3)]],
    ['scaleRows coef: expected 3×1, got 1×3', ([a, b, c]) => e.scaleRows(a, b, c, 2), [x, mk(1, 3), mk(3, 5)]],
    ['scaleRows output: expected 3×5, got 3×4', ([a, b, c]) => e.scaleRows(a, b, c, 1, 0.5), [x, mk(3, 1), mk(3, 4)]],
    ['addRowVector vector: expected 1×5, got 1×6', ([a, b]) => e.addRowVector(a, b, 1), [x, mk(1, 6)]],
    ['colSum output: expected 1×5, got 5×1', ([a, b]) => e.colSum(a, b, 1, 0), [x, mk(5, 1)]],
    ['softmaxRows output: expected 3×5, got 3×6', ([a, b]) => e.softmaxRows(a, b), [x, mk(3, 6)]],
    ['reluBackward y: expected 3×5, got 5×3', ([a, b, c]) => e.reluBackward(a, b, c), [x, mk(5, 3), mk(3, 5)]],
    ['reluBackward output: expected 3×5, got 1×15', ([a, b, c]) => e.reluBackward(a, b, c), [x, mk(3, 5), mk(1, 15)]],
    ['axpby y: expected 3×5, got 3×4', ([a, b, c]) => e.axpby(1, a, 2, b, c), [x, mk(3, 4), mk(3, 5)]],
    ['axpby output: expected 3×5, got 15×1', ([a, b, c]) => e.axpby(1, a, 2, b, c), [x, mk(3, 5), mk(15, 1)]],
    ['multiply y: expected 3×5, got 5×3', ([a, b, c]) => e.multiply(a, b, c), [x, mk(5, 3), mk(3, 5)]],
    ['multiply output: expected 3×5, got 1×15', ([a, b, c]) => e.multiply(a, b, c), [x, mk(3, 5), mk(1, 15)]],
    ['perturb output: expected 3×5, got 5×3', ([a, b]) => e.perturb(a, b, { mul: 1, add: 0, seed: 1, stream: 0 }), [x, mk(5, 3)]],
    [
      'smoothStep grad: expected 3×5, got 5×3',
      ([w, s, g]) => e.smoothStep(w, s, g, { gradScale: 1, smoothing: 0.9, lr: 0.1, weightCost: 0 }),
      [x, mk(3, 5), mk(5, 3)],
    ],
    [
      'smoothStep state: expected 3×5, got 3×4',
      ([w, s, g]) => e.smoothStep(w, s, g, { gradScale: 1, smoothing: 0.9, lr: 0.1, weightCost: 0 }),
      [x, mk(3, 4), mk(3, 5)],
    ],
    [
      'momentumStep state: expected 3×5, got 2×5',
      ([w, v, g]) => e.momentumStep(w, v, g, { gradScale: 1, momentum: 0.9, lr: 0.1, weightCost: 0 }),
      [x, mk(2, 5), mk(3, 5)],
    ],
    [
      'adamStep state: expected 3×5, got 3×1',
      ([w, m, v, g]) =>
        e.adamStep(w, m, v, g, { gradScale: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, weightCost: 0 }),
      [x, mk(3, 5), mk(3, 1), mk(3, 5)],
    ],
    [
      'adamStep grad: expected 3×5, got 1×1',
      ([w, m, v, g]) =>
        e.adamStep(w, m, v, g, { gradScale: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, weightCost: 0 }),
      [x, mk(3, 5), mk(3, 5), mk(1, 1)],
    ],
  ];
  for (const [message, call, mats] of cases) {
    const before = await Promise.all(mats.map((m) => e.read(m)));
    assert.throws(
      () => call(mats),
      (err: unknown) => err instanceof Error && err.message === message,
      `expected the error "${message}"`,
    );
    const after = await Promise.all(mats.map((m) => e.read(m)));
    assert.deepEqual(after, before, `"${message}" must not modify any operand`);
  }
  // A matrix that is not a CpuMat (another engine's handle) is refused too.
  const foreign: Mat = { rows: 3, cols: 5 };
  assert.throws(() => e.axpby(1, x, 1, foreign, x), /matrix belongs to a different engine/);
});

// ---- native only: the instruction sets of the LC kernels ------------------------------------

// AVX-512, AVX2 and the scalar fallback sum every output (all three kernels) in the same order with fused
// multiply-adds: forcing any of them (FF_LC_ISA) must not change a bit. An ISA the CPU lacks
// falls back to one it has, which the addon reports (localIsa).
test('native: local kernels give the same bits on every instruction set (FF_LC_ISA)', async (t) => {
  if (!(native.engine instanceof NativeEngine)) {
    t.skip(`native engine unavailable: ${native.reason}`);
    return;
  }
  const e = native.engine;
  const rng = new Rng(7);
  const ran = new Map<string, Float32Array[]>();
  await restoringEnv('FF_LC_ISA', async () => {
    for (const { g, rows } of [LOCAL_CASES[1], LOCAL_CASES[3], LOCAL_CASES[LOCAL_CASES.length - 1], { g: { height: 8, width: 32, inChannels: 3, outChannels: 3, window: 7 }, rows: 30 }]) {
      const fin = localInputSize(g);
      const fout = localOutputSize(g);
      const ws = localWeightShape(g);
      const x = e.fromArray(randn(rng, rows * fin), rows, fin);
      const dy = e.fromArray(randn(rng, rows * fout), rows, fout);
      const w = e.fromArray(randn(rng, ws.rows * ws.cols), ws.rows, ws.cols);
      const old = randn(rng, ws.rows * ws.cols);
      for (const isa of ['scalar', 'avx2', 'avx512']) {
        process.env.FF_LC_ISA = isa;
        const used = e.addon.localIsa();
        const y = e.zeros(rows, fout);
        const dw = e.fromArray(old, ws.rows, ws.cols);
        e.localForward(x, w, y, g);
        e.localWeightGrad(x, dy, dw, g, { alpha: 0.3, beta: 0.9 });
        const dx = e.zeros(rows, fin);
        e.localInputGrad(dy, w, dx, g, { alpha: -0.5 });
        const got = [await e.read(y), await e.read(dw), await e.read(dx)];
        const first = ran.get(describeLocal(g));
        if (!first) ran.set(describeLocal(g), got);
        else {
          assert.deepEqual(got[0], first[0], `localForward ${describeLocal(g)} on ${used} differs from scalar`);
          assert.deepEqual(got[1], first[1], `localWeightGrad ${describeLocal(g)} on ${used} differs from scalar`);
          assert.deepEqual(got[2], first[2], `localInputGrad ${describeLocal(g)} on ${used} differs from scalar`);
        }
      }
    }
  });
  assert.match(e.addon.localIsa(), /^(avx512|avx2|scalar)$/);
});

// ---- native only: the addon itself -----------------------------------------------------------

test('native: addon validates its arguments instead of crashing', (t) => {
  if (!(native.engine instanceof NativeEngine)) {
    assert.notEqual(process.env.FF_REQUIRE_NATIVE, '1', `FF_REQUIRE_NATIVE=1 but ${native.reason}`);
    t.skip(`native engine unavailable: ${native.reason}`);
    return;
  }
  const a = native.engine.addon;
  const f = (n: number) => new Float32Array(n);
  const bad: [RegExp, () => void][] = [
    [/^ff_native\.gemm: expected 10 arguments, got 3$/, () => (a.gemm as unknown as (...x: unknown[]) => void)(false, false, 1)],
    [/^ff_native\.gemm: argument 'a' must be a Float32Array$/, () => a.gemm(false, false, 1, 1, 1, 1, new Float64Array(1) as unknown as Float32Array, f(1), 0, f(1))],
    [/^ff_native\.gemm: argument 'b' must be a Float32Array$/, () => a.gemm(false, false, 1, 1, 1, 1, f(1), [1] as unknown as Float32Array, 0, f(1))],
    [/^ff_native\.gemm: 'c' has 5 elements, expected 6$/, () => a.gemm(false, false, 2, 3, 4, 1, f(8), f(12), 0, f(5))],
    [/^ff_native\.gemm: argument 'm' must be an integer/, () => a.gemm(false, false, 1.5, 1, 1, 1, f(1), f(1), 0, f(1))],
    [/^ff_native\.gemm: argument 'n' must be an integer/, () => a.gemm(false, false, 1, -1, 1, 1, f(1), f(1), 0, f(1))],
    [/^ff_native\.gemm: argument 'transA' must be a boolean$/, () => a.gemm(0 as unknown as boolean, false, 1, 1, 1, 1, f(1), f(1), 0, f(1))],
    [/^ff_native\.gemm: argument 'alpha' must be a number$/, () => a.gemm(false, false, 1, 1, 1, '1' as unknown as number, f(1), f(1), 0, f(1))],
    [/^ff_native\.rowPowerSum: argument 'power' must be 1 or 2, got 3$/, () => a.rowPowerSum(f(4), 2, 2, f(2), 3 as 2)],
    [/^ff_native\.normalizeRows: argument 'mode' must be 'rms' or 'l2'$/, () => a.normalizeRows(f(4), 2, 2, f(4), 'max' as RowNorm, 0, f(0))],
    [/^ff_native\.normalizeRows: 'sumSq' has 3 elements, expected 2$/, () => a.normalizeRows(f(4), 2, 2, f(4), 'rms', 0, f(3))],
    [/^ff_native\.addBias: 'bias' has 3 elements, expected 2$/, () => a.addBias(f(4), 2, 2, f(3), false)],
    [/^ff_native\.axpby: 'out' has 3 elements, expected 4$/, () => a.axpby(1, f(4), 1, f(4), f(3))],
    [/^ff_native\.gemm: the output c must not share memory with a or b$/, () => {
      const buf = f(8);
      a.gemm(false, false, 2, 2, 2, 1, buf.subarray(0, 4), f(4), 0, buf.subarray(2, 6));
    }],
    [/^ff_native\.smoothApply: 'state' has 3 elements, expected 4$/, () => a.smoothApply(f(4), f(3), 0.1, 0)],
    [/^ff_native\.smoothApply: w and state must not overlap$/, () => {
      const buf = f(8);
      a.smoothApply(buf.subarray(0, 4), buf.subarray(2, 6), 0.1, 0);
    }],
    [/^ff_native\.perturb: 'out' has 3 elements, expected 4$/, () => a.perturb(f(4), f(3), 1, 0, 0, 0)],
    [/^ff_native\.perturb: argument 'seed' must be an integer in \[0, 4294967295\], got 1\.5$/, () => a.perturb(f(4), f(4), 1, 0, 1.5, 0)],
    [/^ff_native\.perturb: argument 'stream' must be an integer in \[0, 4294967295\], got -1$/, () => a.perturb(f(4), f(4), 1, 0, 0, -1)],
    [/^ff_native\.perturb: mul and add must be finite, got inf and 0$/, () => a.perturb(f(4), f(4), Infinity, 0, 0, 0)],
    [/^ff_native\.adamStep: 'grad' has 1 elements, expected 4$/, () => a.adamStep(f(4), f(4), f(4), f(1), 1, 1, 0.9, 0.99, 1e-8, 1, 1, 0)],
  ];
  for (const [re, call] of bad) assert.throws(call, (err: unknown) => err instanceof Error && re.test(err.message), `expected ${re}`);
  assert.match(a.blas, /\S/, 'addon reports its BLAS');
});

for (const [name, make] of [['native', () => native.engine], ['wasm', () => new WasmEngine()]] as const) test(`${name}: elementwise kernels and optimizers agree with js to the bit`, async (t) => {
  const other: Engine | undefined = make();
  if (!other) {
    assert.notEqual(process.env.FF_REQUIRE_NATIVE, '1', `FF_REQUIRE_NATIVE=1 but ${native.reason}`);
    t.skip(`native engine unavailable: ${native.reason}`);
    return;
  }
  // All compute in double and round once to float32 (or in float32 arithmetic where the
  // reference does), so results must be identical; softmax (libm exp vs V8's exp) may differ by
  // one float32 ulp.
  const engines: Engine[] = [new JsEngine(), other];
  const [r, c] = [37, 83];
  const rng = new Rng(99);
  const X = randn(rng, r * c);
  const Y = reluish(rng, r * c);
  const V = randn(rng, c);
  const C = randn(rng, r);
  const Gd = randn(rng, r * c, 3);
  const results: Float32Array[][] = [];
  for (const e of engines) {
    const res: Float32Array[] = [];
    const x = () => e.fromArray(X, r, c);
    const y = () => e.fromArray(Y, r, c);
    let m = x();
    e.addBias(m, e.fromArray(V, 1, c), true);
    res.push(await e.read(m));
    m = e.zeros(r, 1);
    e.rowPowerSum(x(), m, 2);
    res.push(await e.read(m));
    m = x();
    e.normalizeRows(m, m, 'rms', 1e-8);
    res.push(await e.read(m));
    m = x();
    e.scaleRows(y(), e.fromArray(C, r, 1), m, 2, 0.9);
    res.push(await e.read(m));
    m = x();
    e.scaleRows(y(), e.fromArray(C, r, 1), m, 1);
    res.push(await e.read(m));
    m = x();
    e.addRowVector(m, e.fromArray(V, 1, c), -0.37);
    res.push(await e.read(m));
    m = e.fromArray(V, 1, c);
    e.colSum(x(), m, 0.3, 0.7);
    res.push(await e.read(m));
    m = x();
    e.reluBackward(m, y(), m);
    res.push(await e.read(m));
    m = y();
    e.axpby(0.3, x(), -1.7, m, m);
    res.push(await e.read(m));
    const w = x();
    const s = y();
    const g = e.fromArray(Gd, r, c);
    e.smoothStep(w, s, g, { gradScale: 0.1, smoothing: 0.9, lr: 0.03, weightCost: 1e-3 });
    e.smoothApply(w, s, 0.03, 1e-3);
    e.momentumStep(w, s, g, { gradScale: 0.1, momentum: 0.9, lr: 0.03, weightCost: 1e-3 });
    const am = e.zeros(r, c);
    const av = e.zeros(r, c);
    for (let step = 1; step <= 2; step++) {
      e.adamStep(w, am, av, g, { gradScale: 0.1, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, weightCost: 1e-2 });
    }
    res.push(await e.read(w), await e.read(s), await e.read(am), await e.read(av));
    m = x();
    e.perturb(m, m, { mul: 0.2, add: 0.05, seed: 2024, stream: 3 });
    res.push(await e.read(m));
    m = x();
    e.softmaxRows(m, m);
    res.push(await e.read(m));
    results.push(res);
  }
  const names = [
    'addBias', 'rowPowerSum', 'normalizeRows', 'scaleRows p2', 'scaleRows p1', 'addRowVector', 'colSum',
    'reluBackward', 'axpby', 'optimizer w', 'optimizer state', 'adam m', 'adam v', 'perturb', 'softmaxRows',
  ];
  for (let k = 0; k < names.length; k++) {
    const [js, nat] = [results[0][k], results[1][k]];
    if (names[k] === 'softmaxRows') {
      for (let i = 0; i < js.length; i++) {
        assert.ok(Math.abs(js[i] - nat[i]) <= 2 ** -23 * Math.abs(js[i]), `softmaxRows [${i}]: js ${js[i]} vs ${name} ${nat[i]} (≤ 1 ulp)`);
      }
    } else {
      assert.deepEqual(nat, js, `${names[k]}: ${name} must equal js bit for bit`);
    }
  }
});
