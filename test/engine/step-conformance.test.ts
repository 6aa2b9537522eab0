// Conformance of FF's per-minibatch step kernels (engine/step-maths.ts): every backend against
// the reference on the same random inputs. The CPU engines run the reference itself on their
// memory and must give its bits; the WebGPU engine works in f32 (webgpu-backend.ts documents
// the tolerance) and may draw a different label where a uniform falls within f32 rounding of
// a boundary between two labels.
import assert from 'node:assert/strict';
import type { Engine, Mat, RowObjectiveOptions } from '../../src/engine/engine.js';
import type { Rng } from '../../src/engine/rng.js';
import { crossEntropyGradRef, drawLabelsRef, groupCoefficientsRef, peerPushRef, rowCoefficientsRef, setLabelUnitsRef } from '../../src/engine/step-maths.js';
import { dropoutRef, dropoutScale } from '../../src/engine/dropout-mask.js';
import { conformance } from '../helpers/conformance.js';

const exact = (e: Engine) => e.name !== 'webgpu';

/** got ≈ want: bit for bit on the CPU engines, to float32 accuracy on WebGPU. */
function close(e: Engine, got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 2e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (exact(e)) assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: ${got[i]} !== ${want[i]}`);
    else assert.ok(Math.abs(got[i] - want[i]) <= rel * Math.max(1, Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

function softmaxRows(rng: Rng, rows: number, n: number, spread = 3): Float32Array {
  const p = new Float32Array(rows * n);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += p[i * n + j] = Math.exp(spread * rng.normal());
    for (let j = 0; j < n; j++) p[i * n + j] /= s;
  }
  return p;
}

const labelsOf = (rng: Rng, rows: number, n: number) => Float32Array.from({ length: rows }, () => rng.int(n));
const col = (e: Engine, v: Float32Array): Mat => e.fromArray(v, v.length, 1);

conformance('crossEntropyGrad: p − onehot, the loss and the errors added to the tally', async (e, rng) => {
  const [B, N] = [37, 10];
  const probs = softmaxRows(rng, B, N);
  const labels = labelsOf(rng, B, N);
  const want = new Float32Array(B * N);
  const tallyWant = new Float64Array(3);
  crossEntropyGradRef(probs, labels, want, N, tallyWant, 1);
  const grad = e.zeros(B, N);
  const t = e.tally(3);
  e.crossEntropyGrad(e.fromArray(probs, B, N), col(e, labels), grad, t, 1);
  close(e, await e.read(grad), want, 'grad');
  const got = await e.readTally(t);
  close(e, got, tallyWant, 'tally', 1e-4);
  assert.ok(got[2] > 0 && got[2] <= B, 'misclassified rows counted');
});

conformance('drawLabels: hard (never the true label) and teacher-forced at t = 1 and 0.5, from the same draws', async (e, rng) => {
  const [B, N] = [200, 10];
  // Some rows certain of one label (a hard row certain of its truth falls back to a uniform wrong label).
  const probs = softmaxRows(rng, B, N, 4);
  const truth = labelsOf(rng, B, N);
  for (let i = 0; i < 10; i++) {
    probs.fill(0, i * N, (i + 1) * N);
    probs[i * N + truth[i]] = 1;
  }
  const draws = Uint32Array.from({ length: B }, () => rng.nextU32());
  for (const o of [{ rule: 'hard', temperature: 1 }, { rule: 'teacher-forced', temperature: 1 }, { rule: 'teacher-forced', temperature: 0.5 }] as const) {
    const want = new Float32Array(B);
    drawLabelsRef(probs, truth, draws, want, N, o);
    const out = e.zeros(B, 1);
    e.drawLabels(e.fromArray(probs, B, N), col(e, truth), draws, out, o);
    const got = await e.read(out);
    const differ = got.filter((v, i) => v !== want[i]).length;
    assert.ok(exact(e) ? differ === 0 : differ <= 2, `${o.rule} t=${o.temperature}: ${differ} of ${B} labels differ from the reference`);
    if (o.rule === 'hard') assert.ok(got.every((v, i) => v !== truth[i] && Number.isInteger(v) && v >= 0 && v < N), 'hard: a wrong label, every row');
  }
});

conformance('setLabelUnits: the label units zeroed and the label set, plain rows and channels-last', async (e, rng) => {
  const [rows, cols] = [9, 40];
  const x = Float32Array.from({ length: rows * cols }, () => rng.normal());
  const labels = labelsOf(rng, rows, 4);
  for (const u of [{ offset: 5, stride: 1, count: 4, strength: 5 }, { offset: 0, stride: 3, count: 4, strength: 1 }]) {
    const want = x.slice();
    setLabelUnitsRef(want, cols, labels, u);
    const m = e.fromArray(x, rows, cols);
    e.setLabelUnits(e.rowView(m, 0, rows), col(e, labels), u);
    close(e, await e.read(m), want, `x (stride ${u.stride})`);
  }
});

conformance('rowCoefficients: logistic (paired, unpaired, min-ssq, mean goodness) and SymBa', async (e, rng) => {
  const base: RowObjectiveOptions = { loss: 'logistic', positives: 16, negatives: 16, sign: 1, temperature: 1, threshold: 6, alpha: 4, goodnessDivisor: 1, goodnessScale: 1, dGdy: 1 };
  const cases: RowObjectiveOptions[] = [
    base,
    { ...base, negatives: 5 },
    { ...base, positives: 0 },
    { ...base, sign: -1, temperature: 0.7, dGdy: 2 },
    { ...base, goodnessDivisor: 20, goodnessScale: 1 / 20, threshold: 0.3 },
    { ...base, loss: 'symba' },
  ];
  for (const o of cases) {
    const rows = o.positives + o.negatives;
    const g = Float32Array.from({ length: rows }, () => 6 + 3 * rng.normal());
    const want = new Float32Array(rows);
    const tallyWant = new Float64Array(2);
    rowCoefficientsRef(g, want, o, tallyWant, 0);
    const coef = e.zeros(rows, 1);
    const t = e.tally(2);
    e.rowCoefficients(col(e, g), coef, o, t, 0);
    const what = `${o.loss} P=${o.positives} N=${o.negatives} sign=${o.sign}`;
    close(e, await e.read(coef), want, `${what} coef`, 1e-4);
    close(e, await e.readTally(t), tallyWant, `${what} tally`, 1e-4);
  }
  assert.throws(() => e.rowCoefficients(e.zeros(5, 1), e.zeros(5, 1), { ...base, loss: 'symba', positives: 3, negatives: 2 }, e.tally(2), 0), { message: /^--loss symba needs as many positive as negative rows/ });
});

conformance('groupCoefficients: ((softmax(G/T) − onehot)/T)·dGdy, the cross-entropy and the errors', async (e, rng) => {
  const [B, N] = [23, 10];
  const G = Float32Array.from({ length: B * N }, () => Math.abs(rng.normal()));
  const labels = labelsOf(rng, B, N);
  for (const [T, dGdy] of [[0.3, 1], [1, 2]]) {
    const want = new Float32Array(B * N);
    const tallyWant = new Float64Array(4);
    groupCoefficientsRef(G, labels, want, N, T, dGdy, tallyWant, 2);
    const coef = e.zeros(B, N);
    const t = e.tally(4);
    e.groupCoefficients(e.fromArray(G, B, N), col(e, labels), coef, T, dGdy, t, 2);
    close(e, await e.read(coef), want, `T=${T} coef`, 1e-4);
    close(e, await e.readTally(t), tallyWant, `T=${T} tally`, 1e-4);
  }
});

conformance('peerPush: the running means updated in place and the push toward their average', async (e, rng) => {
  const W = 300;
  const colSum = Float32Array.from({ length: W }, () => 10 * Math.abs(rng.normal()));
  const means = Float32Array.from({ length: W }, () => Math.abs(rng.normal()));
  const o = { rows: 17, decay: 0.9, lambda: 0.03 };
  const meansWant = means.slice();
  const pushWant = new Float32Array(W);
  peerPushRef(colSum, meansWant, pushWant, o);
  const m = e.fromArray(means, 1, W);
  const push = e.zeros(1, W);
  e.peerPush(e.fromArray(colSum, 1, W), m, push, o);
  close(e, await e.read(m), meansWant, 'means');
  close(e, await e.read(push), pushWant, 'push', 1e-4);
});

conformance('tally: addTally adds t[from]/divisor, clearTally zeroes, and slots are checked', async (e) => {
  const t = e.tally(6);
  e.crossEntropyGrad(e.fromArray(Float32Array.of(0.25, 0.75), 1, 2), e.fromArray(Float32Array.of(0), 1, 1), e.zeros(1, 2), t, 0); // loss ln 4, 1 error
  e.addTally(t, 0, 2, 2, 2);
  e.addTally(t, 0, 4, 2, 1);
  e.clearTally(t, 0, 1);
  const got = await e.readTally(t);
  const ln4 = -Math.log(1e-30 + 0.25);
  close(e, got, [0, 1, ln4 / 2, 0.5, ln4, 1], 'tally', 1e-6);
  assert.throws(() => e.addTally(t, 5, 0, 2, 1), /tally slots \[5, 7\) outside 0\.\.6/);
  assert.throws(() => e.crossEntropyGrad(e.zeros(1, 2), e.zeros(1, 1), e.zeros(1, 2), t, 5), /outside/);
});

conformance('dropout: the reference mask bit for bit on every engine, 1 − p kept, the mean kept, rows placed by offset', async (e, rng) => {
  const [rows, cols] = [250, 400]; // 10^5 elements
  const x = Float32Array.from({ length: rows * cols }, () => 1 + 0.5 * rng.normal());
  for (const rate of [0.2, 0.5]) {
    const o = { rate, seed: 12345, stream: 7, offset: 0 };
    const want = x.slice();
    dropoutRef(want, o);
    const m = e.fromArray(x, rows, cols);
    e.dropout(m, o);
    const got = await e.read(m);
    // Every engine, WebGPU too: the same integer hash and one float32 product per element.
    const differ = got.filter((v, i) => !Object.is(v, want[i])).length;
    assert.equal(differ, 0, `p = ${rate}: ${differ} elements differ from the reference`);
    const kept = got.filter((v) => v !== 0).length / got.length;
    assert.ok(Math.abs(kept - (1 - rate)) <= 0.01, `p = ${rate}: kept ${kept}, expected ${1 - rate} ± 0.01`);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(got) / mean(x) - 1) <= 0.01, `p = ${rate}: mean ${mean(got)} vs ${mean(x)} before`);
    got.forEach((v, i) => v !== 0 && assert.equal(v, Math.fround(x[i] * dropoutScale(rate)), `kept [${i}] is x/(1 − p)`));
  }
  // Rows 30..59 alone, offset by their place in the whole, get the whole's mask; the same
  // options again (a gradient through the same mask) scale by 1/(1 − p) once more.
  const o = { rate: 0.3, seed: 99, stream: 4000000000, offset: 0 };
  const whole = x.slice();
  dropoutRef(whole, o);
  const m = e.fromArray(x, rows, cols);
  const part = e.rowView(m, 30, 30);
  e.dropout(part, { ...o, offset: 30 * cols });
  const partGot = await e.read(part);
  assert.ok(partGot.every((v, i) => Object.is(v, whole[30 * cols + i])), 'a row view with its offset gets the rows of the whole mask');
  e.dropout(part, { ...o, offset: 30 * cols });
  const twice = await e.read(part);
  const s = dropoutScale(0.3);
  assert.ok(twice.every((v, i) => Object.is(v, Math.fround(partGot[i] * s)) || (v === 0 && partGot[i] === 0)), 'the same options again: the same mask');
  // Another stream, another mask; p = 0 leaves x as it is.
  const other = x.slice();
  dropoutRef(other, { ...o, stream: 4000000001 });
  const same = other.filter((v, i) => (v === 0) === (whole[i] === 0)).length / other.length;
  assert.ok(same < 0.7, `another stream agrees on ${same} of the mask (independent: 0.58)`);
  const zero = e.fromArray(x, rows, cols);
  e.dropout(zero, { ...o, rate: 0 });
  assert.ok((await e.read(zero)).every((v, i) => Object.is(v, x[i])), 'p = 0: unchanged');
  assert.throws(() => e.dropout(zero, { ...o, rate: 1 }), /^Error: dropout: rate must be in \[0, 1\), got 1$/);
  assert.throws(() => e.dropout(zero, { ...o, stream: -1 }), /dropout: stream must be an integer/);
  assert.throws(() => e.dropout(zero, { ...o, offset: 2 ** 32 - 10 }), /dropout: offset 4294967286 \+ 100000 elements exceeds/);
});
