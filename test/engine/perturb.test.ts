// perturb: seeded noise that every backend reproduces to the bit. The exact scheme is checked
// against a BigInt rebuild in conformance.test.ts; here: native = js on views, aliasing and big
// matrices, the noise's statistics, what (seed, stream) changes, and the refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Engine, Mat, PerturbOptions } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { loadNativeEngine } from '../../src/engine/native-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { restoringEnv } from '../helpers/env.js';
import { requireOrSkip, webgpuBackend } from '../helpers/webgpu.js';

const native = loadNativeEngine();
const BACKENDS: { name: string; engine?: Engine; reason: string }[] = [
  { name: 'js', engine: new JsEngine(), reason: '' },
  { name: 'native', engine: native.engine, reason: `native engine unavailable: ${native.reason}` },
  await webgpuBackend(),
];

function skipWithout(engine: Engine | undefined, reason: string, t: { skip(msg: string): void }): engine is undefined {
  if (engine) return false;
  assert.notEqual(process.env.FF_REQUIRE_NATIVE, '1', `FF_REQUIRE_NATIVE=1 but ${reason}`);
  t.skip(reason);
  return true;
}

/** One test per backend. */
function perBackend(title: string, body: (e: Engine) => void | Promise<void>): void {
  for (const b of BACKENDS) {
    test(`${b.name}: ${title}`, async (t) => {
      if (!b.engine) return requireOrSkip(b, (why) => t.skip(why));
      await body(b.engine!);
    });
  }
}

function randn(seed: number, n: number): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(n));
}

/** perturb a fresh copy of X (rows × cols) and read it back. */
async function perturbed(e: Engine, X: Float32Array, rows: number, cols: number, o: PerturbOptions): Promise<Float32Array> {
  const x = e.fromArray(X, rows, cols);
  e.perturb(x, x, o);
  return e.read(x);
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.findIndex((v, i) => !Object.is(v, b[i]));
}

const VARIANTS: [string, Omit<PerturbOptions, 'seed' | 'stream'>][] = [
  ['mul only', { mul: 0.3, add: 0 }],
  ['add only', { mul: 0, add: 0.7 }],
  ['both', { mul: -0.05, add: 2.5 }],
];

test('native: perturb equals js to the bit (shapes, row view, in place and separate, mul/add/both)', async (t) => {
  if (skipWithout(native.engine, `native engine unavailable: ${native.reason}`, t)) return;
  const engines: Engine[] = [new JsEngine(), native.engine!];
  const shapes: [number, number][] = [[1, 1], [3, 5], [37, 83], [0, 4], [4, 0], [5, 1000]];
  for (const [r, c] of shapes) {
    for (const [name, v] of VARIANTS) {
      const X = randn(r * 1009 + c, r * c);
      const o = { ...v, seed: 99, stream: r + c };
      const [js, nat] = await Promise.all(engines.map((e) => perturbed(e, X, r, c, o)));
      const bad = firstDifference(nat, js);
      assert.equal(bad, -1, `${r}×${c} ${name}: native [${bad}] ${nat[bad]}, js ${js[bad]}`);
    }
  }
  // Separate output, and a row view in place inside a bigger matrix (rows outside untouched).
  const [R, C, start, count] = [50, 33, 7, 13];
  const X = randn(5, R * C);
  for (const [name, v] of VARIANTS) {
    const got: Float32Array[] = [];
    for (const e of engines) {
      const x = e.fromArray(X, R, C);
      const out = e.zeros(R, C);
      e.perturb(x, out, { ...v, seed: 1, stream: 2 });
      const view = e.rowView(x, start, count);
      e.perturb(view, view, { ...v, seed: 3, stream: 4 });
      got.push(await e.read(out), await e.read(x));
    }
    assert.equal(firstDifference(got[2], got[0]), -1, `separate output ${name}: native ≠ js`);
    assert.equal(firstDifference(got[3], got[1]), -1, `row view ${name}: native ≠ js`);
    const outside = got[1].findIndex((val, i) => (i < start * C || i >= (start + count) * C) && !Object.is(val, X[i]));
    assert.equal(outside, -1, `row view ${name}: element ${outside} outside the view changed`);
  }
});

test('native: perturb on a big matrix gives the js bits on 1 and 3 kernel threads', async (t) => {
  if (skipWithout(native.engine, `native engine unavailable: ${native.reason}`, t)) return;
  const [r, c] = [700, 1001];
  const X = randn(11, r * c);
  const o = { mul: 0.1, add: 0.01, seed: 77, stream: 12345 };
  const reference = await perturbed(new JsEngine(), X, r, c, o);
  await restoringEnv('FF_KERNEL_THREADS', async () => {
    for (const threads of ['1', '3']) {
      process.env.FF_KERNEL_THREADS = threads;
      const got = await perturbed(native.engine!, X, r, c, o);
      const bad = firstDifference(got, reference);
      assert.equal(bad, -1, `${threads} thread(s): element ${bad} is ${got[bad]}, js gives ${reference[bad]}`);
    }
  });
});

/** Mean, std, excess kurtosis and lag-1 autocorrelation of v. */
function moments(v: Float64Array): { mean: number; std: number; kurtosis: number; lag1: number } {
  const n = v.length;
  let s = 0;
  for (const x of v) s += x;
  const mean = s / n;
  let s2 = 0, s4 = 0, lag = 0;
  for (let i = 0; i < n; i++) {
    const d = v[i] - mean;
    s2 += d * d;
    s4 += d * d * d * d;
    if (i > 0) lag += d * (v[i - 1] - mean);
  }
  const variance = s2 / n;
  return { mean, std: Math.sqrt(variance), kurtosis: s4 / n / variance ** 2 - 3, lag1: lag / s2 };
}

perBackend('perturb noise: mean ≈ 0, std ≈ 1, uncorrelated neighbours, n1 and n2 independent (200k elements)', async (e) => {
  const [r, c] = [400, 500];
  const ones = new Float32Array(r * c).fill(1);
  // x = 1, mul = 1: out − 1 = n1 (up to one float32 rounding, ≈ 1e-7).
  const mulOnly = await perturbed(e, ones, r, c, { mul: 1, add: 0, seed: 31337, stream: 0 });
  // x = 0, add = 1: out = n2.
  const addOnly = await perturbed(e, new Float32Array(r * c), r, c, { mul: 0, add: 1, seed: 31337, stream: 0 });
  const n1 = Float64Array.from(mulOnly, (v) => v - 1);
  const n2 = Float64Array.from(addOnly);
  for (const [name, n] of [['n1', n1], ['n2', n2]] as const) {
    const m = moments(n);
    assert.ok(Math.abs(m.mean) < 0.01, `${name}: mean ${m.mean}, want |mean| < 0.01`);
    assert.ok(Math.abs(m.std - 1) < 0.01, `${name}: std ${m.std}, want |std − 1| < 0.01`);
    // A sum of four uniforms: excess kurtosis −1.2/4 = −0.3 (a true normal has 0).
    assert.ok(Math.abs(m.kurtosis + 0.3) < 0.05, `${name}: excess kurtosis ${m.kurtosis}, want ≈ −0.3`);
    assert.ok(Math.abs(m.lag1) < 0.01, `${name}: neighbour correlation ${m.lag1}, want |r| < 0.01`);
    const outside = n.findIndex((v) => Math.abs(v) > 2 * Math.sqrt(3));
    assert.equal(outside, -1, `${name}: element ${outside} is ${n[outside]}, outside ±2√3`);
  }
  let cross = 0;
  for (let i = 0; i < n1.length; i++) cross += n1[i] * n2[i];
  assert.ok(Math.abs(cross / n1.length) < 0.01, `n1·n2 correlation ${cross / n1.length}, want |r| < 0.01`);
});

/** Pearson correlation of a and b. */
function correlation(a: Float32Array, b: Float32Array): number {
  let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
    sab += a[i] * b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
  }
  return (sab - (sa * sb) / n) / Math.sqrt((saa - (sa * sa) / n) * (sbb - (sb * sb) / n));
}

perBackend('perturb: the same (seed, stream) reproduces; another seed or stream gives unrelated noise', async (e) => {
  const [r, c] = [100, 200];
  const zeros = new Float32Array(r * c);
  const noise = (seed: number, stream: number) => perturbed(e, zeros, r, c, { mul: 0, add: 1, seed, stream });
  const base = await noise(17, 5);
  assert.equal(firstDifference(await noise(17, 5), base), -1, 'same seed and stream must reproduce');
  const others: [string, Float32Array][] = [
    ['stream 6', await noise(17, 6)],
    ['stream 4', await noise(17, 4)],
    ['seed 18', await noise(18, 5)],
    ['seed 5, stream 17 (swapped)', await noise(5, 17)],
    ['seed 0, stream 0', await noise(0, 0)],
  ];
  for (const [name, other] of others) {
    const same = base.filter((v, i) => v === other[i]).length;
    assert.ok(same < 20, `${name}: ${same} of ${base.length} elements equal the base noise`);
    const rho = correlation(base, other);
    assert.ok(Math.abs(rho) < 0.03, `${name}: correlation ${rho} with the base noise, want |r| < 0.03`);
  }
  // Shifted by one element (would expose a counter that is merely offset per stream).
  const shifted = correlation(base.subarray(1), others[0][1].subarray(0, base.length - 1));
  assert.ok(Math.abs(shifted) < 0.03, `stream 6 shifted by one: correlation ${shifted}`);
});

perBackend('perturb: a row view of rows [r, r+k) is perturbed like a standalone k-row matrix', async (e) => {
  const [R, C, start, count] = [40, 17, 9, 12];
  const X = randn(3, R * C);
  const o = { mul: 0.5, add: 0.25, seed: 8, stream: 9 };
  const big = e.fromArray(X, R, C);
  const view: Mat = e.rowView(big, start, count);
  e.perturb(view, view, o);
  const fromView = (await e.read(big)).subarray(start * C, (start + count) * C);
  const alone = await perturbed(e, X.slice(start * C, (start + count) * C), count, C, o);
  assert.equal(firstDifference(fromView, alone), -1, 'the view counts its elements from its own row 0');
  // …and differs from what those rows get inside the whole matrix.
  const whole = (await perturbed(e, X, R, C, o)).subarray(start * C, (start + count) * C);
  assert.ok(firstDifference(whole, alone) >= 0, 'inside the whole matrix the rows have other indices, so other noise');
});

perBackend('perturb: zero mul and add copy x (NaN, ±0, ±Infinity kept); separate output leaves x alone', async (e) => {
  const X = new Float32Array([NaN, -0, 0, Infinity, -Infinity, 1.5, -2]);
  const x = e.fromArray(X, 1, X.length);
  const out = e.zeros(1, X.length);
  e.perturb(x, out, { mul: 0, add: 0, seed: 1, stream: 1 });
  assert.equal(firstDifference(await e.read(out), X), -1, 'mul = add = 0 copies x exactly');
  e.perturb(x, out, { mul: 1, add: 1, seed: 1, stream: 1 });
  assert.equal(firstDifference(await e.read(x), X), -1, 'x must be unchanged');
});

perBackend('perturb: bad seed, stream, mul or add refused with one line, nothing written', async (e) => {
  const X = randn(1, 6);
  const x = e.fromArray(X, 2, 3);
  const ok = { mul: 1, add: 1, seed: 0, stream: 0 };
  const cases: [Partial<PerturbOptions>, string][] = [
    [{ seed: -1 }, 'perturb: seed must be an integer in [0, 4294967295], got -1'],
    [{ seed: 2 ** 32 }, 'perturb: seed must be an integer in [0, 4294967295], got 4294967296'],
    [{ seed: 1.5 }, 'perturb: seed must be an integer in [0, 4294967295], got 1.5'],
    [{ seed: NaN }, 'perturb: seed must be an integer in [0, 4294967295], got NaN'],
    [{ seed: '3' as unknown as number }, 'perturb: seed must be an integer in [0, 4294967295], got 3'],
    [{ stream: -0.5 }, 'perturb: stream must be an integer in [0, 4294967295], got -0.5'],
    [{ mul: Infinity }, 'perturb: mul must be a finite number, got Infinity'],
    [{ add: NaN }, 'perturb: add must be a finite number, got NaN'],
  ];
  for (const [bad, message] of cases) {
    assert.throws(
      () => e.perturb(x, x, { ...ok, ...bad }),
      (err: unknown) => err instanceof Error && err.message === message && !message.includes('\n'),
      `expected "${message}"`,
    );
  }
  assert.equal(firstDifference(await e.read(x), X), -1, 'a refused call must not write');
  // The largest seed and stream are fine.
  e.perturb(x, x, { ...ok, seed: 2 ** 32 - 1, stream: 2 ** 32 - 1 });
});
