// Negative sources (negative-source.ts): teacher-forced negatives are the positive row with
// another label part, drawn from the softmax over ALL labels (the true one with probability ≈
// its p); hard negatives never draw the true label; hybrids read no head. The config picks the
// source, and a teacher-forced run's checkpoint loads back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CpuMat } from '../../src/engine/cpu-mat.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { FFNet } from '../../src/ff/ff-net.js';
import { emptyStats, ffTrainStep, type Batch } from '../../src/ff/ff-step.js';
import { hybridNegatives } from '../../src/ff/hybrid-negatives.js';
import { hardNegatives, randomNegatives, teacherForcedNegatives } from '../../src/ff/label-negatives.js';
import { LabelledInput, NEUTRAL } from '../../src/ff/labelled-input.js';
import { sampleHardNegatives } from '../../src/ff/labels.js';
import { negativeSourceFor, type NegativeSource } from '../../src/ff/negative-source.js';
import { labelledLayout } from '../../src/ff/row-layout.js';
import { engines } from '../helpers/engines.js';

const N = 4;
const shape = { height: 4, width: 5, channels: 1 };
const D = 20; // the first N pixels hold the label

function randomBatch(count: number, seed: number): Batch {
  const rng = new Rng(seed);
  return { images: Float32Array.from({ length: count * D }, () => rng.uniform()), labels: Uint8Array.from({ length: count }, (_, i) => i % N), count };
}

/** n rows of probabilities: p(true) = pTrue, the rest of `rest` over the following labels (cyclically). */
function rotatedProbs(labels: Uint8Array, pTrue: number, rest: number[]): Float32Array {
  const probs = new Float32Array(labels.length * N);
  labels.forEach((y, i) => {
    probs[i * N + y] = pTrue;
    rest.forEach((p, k) => (probs[i * N + ((y + 1 + k) % N)] = p));
  });
  return probs;
}

/** The labels `source` draws for `batch` on the js engine from host probabilities (null: no head yet). */
function drawn(source: NegativeSource, batch: Batch, probs: Float32Array | null, rng: Rng): Int32Array {
  const e = new JsEngine();
  const head = probs ? { engine: e, probs: e.fromArray(probs, batch.count, N), truth: e.fromArray(Float32Array.from(batch.labels), batch.count, 1), out: e.zeros(batch.count, 1) } : null;
  const made = source.draw(batch, head, rng);
  assert.equal(made.images, batch.images, 'the image stays; only the label changes');
  return made.labels ?? Int32Array.from((made.onEngine as CpuMat).data);
}

const frequency = (drawn: Int32Array, labels: Uint8Array, offset: number) => drawn.filter((v, i) => v === (labels[i] + offset) % N).length / drawn.length;

test('teacher-forced labels come from the softmax over all labels, the true one included; hard ones never are the true label', { timeout: 30_000 }, () => {
  const n = 20000;
  const batch = randomBatch(n, 3);
  // p(true) 0.3, then 0.5, 0.2 and 0 on the other labels.
  const probs = rotatedProbs(batch.labels, 0.3, [0.5, 0.2, 0]);
  const tolerance = 0.02; // > 5 standard deviations of a frequency over 20,000 draws
  const teacher = drawn(teacherForcedNegatives(N), batch, probs, new Rng(7));
  assert.ok(Math.abs(frequency(teacher, batch.labels, 0) - 0.3) < tolerance, `true label drawn ${frequency(teacher, batch.labels, 0)} of the time, p = 0.3`);
  assert.ok(Math.abs(frequency(teacher, batch.labels, 1) - 0.5) < tolerance);
  assert.equal(frequency(teacher, batch.labels, 3), 0, 'a label of probability 0 is never drawn');
  // Temperature 0.5: p² renormalized, 0.09 / 0.38 for the true label.
  const sharp = drawn(teacherForcedNegatives(N, 0.5), batch, probs, new Rng(7));
  assert.ok(Math.abs(frequency(sharp, batch.labels, 0) - 0.09 / 0.38) < tolerance);

  const hard = drawn(hardNegatives(N), batch, probs, new Rng(7));
  assert.equal(frequency(hard, batch.labels, 0), 0, 'hard negatives never draw the true label');
  assert.ok(Math.abs(frequency(hard, batch.labels, 1) - 0.5 / 0.7) < tolerance);
  // The engine's draw is the host's, number for number (labels.ts's sampleHardNegatives).
  const host = new Int32Array(n);
  sampleHardNegatives(probs, batch.labels, N, new Rng(7), host);
  assert.deepEqual(hard, host);

  // No head yet (greedy layer 1): hard falls back to random wrong labels, teacher-forced to uniform ones.
  assert.equal(frequency(drawn(hardNegatives(N), batch, null, new Rng(8)), batch.labels, 0), 0);
  assert.equal(frequency(drawn(randomNegatives(N), batch, probs, new Rng(8)), batch.labels, 0), 0);
  assert.ok(Math.abs(frequency(drawn(teacherForcedNegatives(N), batch, null, new Rng(8)), batch.labels, 0) - 1 / N) < tolerance);
  assert.throws(() => teacherForcedNegatives(N, 0), /temperature > 0/);
});

for (const engine of engines()) {
  test(`a teacher-forced negative row is its positive row with another label part (${engine.name})`, { timeout: 30_000 }, async () => {
    const cfg: FFConfig = { ...FF_DEFAULTS, layers: [10, 8], seed: 2, negatives: 'teacher-forced', labelStrength: 5 };
    const net = new FFNet(engine, cfg, new LabelledInput(D, N, 'pixels', cfg.labelStrength, null), shape);
    assert.equal(net.negatives.name, 'teacher-forced');
    const B = 64;
    const batch = randomBatch(B, 4);
    ffTrainStep(net, batch, 1, emptyStats(engine, 2));
    const layout = labelledLayout(B);
    // What the net learned from: its input rows on the engine (negative labels are set there).
    const input = await engine.read(net.workspace(layout.rows).x);
    const row = (r: number) => input.subarray(r * D, (r + 1) * D);
    let same = 0;
    for (let i = 0; i < B; i++) {
      const pos = row(layout.positive.start + i);
      const neg = row(layout.negative.start + i);
      assert.deepEqual(neg.subarray(N), pos.subarray(N), `case ${i}: the image part is the positive's`);
      const hot = [...neg.subarray(0, N)].flatMap((v, j) => (v === 0 ? [] : [[j, v]]));
      assert.equal(hot.length, 1, `case ${i}: one label`);
      assert.equal(hot[0][1], cfg.labelStrength);
      if (hot[0][0] === batch.labels[i]) same++;
    }
    // An untrained softmax is near uniform: the true label is drawn about a quarter of the time.
    assert.ok(same > 0 && same < B / 2, `negatives equal to their positive: ${same} of ${B}`);
  });
}

test('the config picks the source; hybrids read no head and need two images', { timeout: 30_000 }, async () => {
  for (const negatives of ['hard', 'random', 'teacher-forced'] as const) {
    const source = negativeSourceFor({ negativeData: 'wrong-label', negatives, blurPasses: 6 }, N, shape);
    assert.equal(source.name, negatives);
    assert.equal(source.readsHead, true);
  }
  const hybrid = negativeSourceFor({ negativeData: 'hybrid', negatives: 'teacher-forced', blurPasses: 2 }, N, shape);
  assert.equal(hybrid.name, 'hybrid');
  assert.equal(hybrid.readsHead, false);
  assert.equal(hybrid.minCases, 2);
  const batch = randomBatch(6, 5);
  const made = hybridNegatives(shape, 2).draw(batch, null, new Rng(1));
  assert.notEqual(made.images, batch.images);
  assert.ok(made.labels!.every((l) => l === NEUTRAL));

  // A hybrid net skips a minibatch of one image instead of failing.
  const engine = engines()[0];
  const cfg: FFConfig = { ...FF_DEFAULTS, layers: [10, 8], negativeData: 'hybrid', blurPasses: 2 };
  const net = new FFNet(engine, cfg, new LabelledInput(D, N, 'none', 1, null), shape);
  const stats = emptyStats(engine, 2);
  ffTrainStep(net, randomBatch(1, 6), 1, stats);
  assert.equal(stats.cases, 0);
  ffTrainStep(net, randomBatch(4, 6), 1, stats);
  assert.equal(stats.cases, 4);
});

test("a teacher-forced run's checkpoint loads back with its source", { timeout: 30_000 }, async () => {
  const engine = engines()[0];
  const model = new FFModel(engine, { ...FF_DEFAULTS, layers: [10, 8], negatives: 'teacher-forced' }, { ...shape, numClasses: N });
  await model.trainBatch(randomBatch(8, 9), 1);
  const back = FFModel.fromCheckpoint(engine, await model.toCheckpoint());
  assert.equal(back.net.negatives.name, 'teacher-forced');
  assert.deepEqual(await engine.read(back.net.weights[0].value), await engine.read(model.net.weights[0].value));
});
