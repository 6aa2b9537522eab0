// The seeded RNG: reproducible streams, exact resume from a checkpointed state, and the
// distributions the training code relies on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Rng } from '../../src/engine/rng.js';

/** A mixed trace of every kind of draw, so a resumed stream is compared on all of them. */
function trace(r: Rng, n = 50): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(r.nextU32(), r.uniform(), r.int(10), r.normal(), r.normal(), r.normal());
    out.push(r.categorical([0.1, 0, 0.5, 0.4]));
  }
  return out;
}

test('same seed gives the same stream; different seeds differ', () => {
  assert.deepEqual(trace(new Rng(42)), trace(new Rng(42)));
  const a = Array.from({ length: 100 }, ((r) => () => r.nextU32())(new Rng(1)));
  const b = Array.from({ length: 100 }, ((r) => () => r.nextU32())(new Rng(2)));
  assert.notDeepEqual(a, b, 'nearby seeds must give different streams');
  assert.equal(new Set(a).size, a.length, 'no repeats among 100 32-bit draws');
  // Seed 0 is valid and deterministic too.
  assert.deepEqual(trace(new Rng(0), 5), trace(new Rng(0), 5));
});

test('uniform in [0, 1), int(n) in [0, n), shuffle is a permutation', () => {
  const r = new Rng(3);
  for (let i = 0; i < 10000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1, `uniform ${u} outside [0, 1)`);
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7, `int(7) gave ${k}`);
  }
  const a = Array.from({ length: 100 }, (_, i) => i);
  const s = r.shuffle(a.slice());
  assert.notDeepEqual(s, a, 'a 100-element shuffle should move something');
  assert.deepEqual(s.slice().sort((x, y) => x - y), a);
});

test('getState/setState resumes the exact stream, including a pending Box–Muller spare', () => {
  const r = new Rng(7);
  trace(r, 3);
  if (r.getState().spare !== null) r.normal();
  r.normal(); // computes a Box–Muller pair and leaves the second value pending
  const st = r.getState();
  assert.notEqual(st.spare, null, 'a spare normal should be pending after an odd number of normals');
  const expected = trace(r, 20);

  const fresh = new Rng(12345);
  fresh.setState(st);
  assert.deepEqual(trace(fresh, 20), expected, 'setState on another Rng continues identically');

  // The state survives JSON (checkpoints) and is a snapshot, not a live view.
  const viaJson = new Rng();
  viaJson.setState(JSON.parse(JSON.stringify(st)));
  assert.deepEqual(trace(viaJson, 20), expected, 'a JSON round trip of the state resumes identically');

  const r2 = new Rng(7);
  const snap = r2.getState();
  snap.s[0] ^= 1;
  snap.spare = 5;
  assert.deepEqual(trace(r2, 5), trace(new Rng(7), 5), 'mutating a getState() result must not affect the Rng');
  const st2 = new Rng(7).getState();
  const r4 = new Rng();
  r4.setState(st2);
  st2.s[1] ^= 1;
  assert.deepEqual(trace(r4, 5), trace(new Rng(7), 5), 'setState must copy, not keep, the given state');

  // Without a pending spare the state says so and still resumes.
  const r3 = new Rng(8);
  r3.normal();
  r3.normal();
  const st3 = r3.getState();
  assert.equal(st3.spare, null);
  const e3 = trace(r3, 5);
  const f3 = new Rng();
  f3.setState(st3);
  assert.deepEqual(trace(f3, 5), e3);
});

test('normal(): mean and variance over 1e5 draws', () => {
  const r = new Rng(2024);
  const n = 100_000;
  let s = 0;
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    assert.ok(Number.isFinite(x));
    s += x;
    s2 += x * x;
    s4 += x ** 4;
  }
  const mean = s / n;
  const v = s2 / n - mean * mean;
  // Standard errors: mean 1/√n ≈ 0.0032, variance √(2/n) ≈ 0.0045; bounds are ~6σ.
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean} should be within 0.02 of 0`);
  assert.ok(Math.abs(v - 1) < 0.03, `variance ${v} should be within 0.03 of 1`);
  assert.ok(Math.abs(s4 / n - 3) < 0.15, `fourth moment ${s4 / n} should be within 0.15 of 3`);

  const f = new Rng(5).fillNormal(new Float32Array(20_000), 0.5);
  let fs2 = 0;
  for (const x of f) fs2 += x * x;
  assert.ok(Math.abs(Math.sqrt(fs2 / f.length) - 0.5) < 0.01, 'fillNormal(std 0.5) has std ≈ 0.5');
});

test('categorical(): frequencies match the weights, zero weights never drawn', () => {
  const r = new Rng(11);
  const w = [0, 1, 2, 0, 7, 0];
  const total = 10;
  const n = 100_000;
  const counts = new Array(w.length).fill(0);
  for (let i = 0; i < n; i++) counts[r.categorical(w)]++;
  for (let i = 0; i < w.length; i++) {
    const p = w[i] / total;
    const f = counts[i] / n;
    if (w[i] === 0) assert.equal(counts[i], 0, `index ${i} has zero weight but was drawn ${counts[i]} times`);
    // Standard error ≤ √(0.25/n) ≈ 0.0016; bound 0.01 is > 6σ.
    else assert.ok(Math.abs(f - p) < 0.01, `index ${i}: frequency ${f} vs probability ${p}`);
  }

  // offset/n select a window; indices are relative to the offset.
  const buf = new Float32Array([5, 5, 0, 3, 1, 0, 9]);
  const c2 = new Array(4).fill(0);
  for (let i = 0; i < 40_000; i++) c2[r.categorical(buf, 2, 4)]++;
  assert.equal(c2[0], 0, 'zero weight at window index 0 never drawn');
  assert.equal(c2[3], 0, 'zero weight at window index 3 never drawn');
  assert.ok(Math.abs(c2[1] / 40_000 - 0.75) < 0.015, `window index 1 frequency ${c2[1] / 40_000} vs 0.75`);

  // A single non-zero weight at the end is always chosen, even with rounding.
  const tiny = [0, 0, 0, 1e-30];
  for (let i = 0; i < 1000; i++) assert.equal(r.categorical(tiny), 3);

  // All-zero weights fall back to a uniform index in range.
  const z = new Array(5).fill(0);
  const cz = new Array(5).fill(0);
  for (let i = 0; i < 10_000; i++) cz[r.categorical(z)]++;
  for (const c of cz) assert.ok(Math.abs(c / 10_000 - 0.2) < 0.03, `all-zero weights: frequency ${c / 10_000} vs 0.2`);
});
