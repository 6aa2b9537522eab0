// ONNX round trips of feed-forward FF and backprop runs: the exported graph's outputs equal the
// run's own classifiers (test/helpers/onnx-roundtrip.ts) on held-out images, for the label
// placements (MNIST-style label pixels, extra label units), centred colour images, and the
// goodness options that change the arithmetic (min-ssq, Σ y, mean goodness, L2 norm).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertRoundTrip, syntheticSplits, tinyRun } from '../helpers/onnx-roundtrip.js';

const gray = syntheticSplits(7, 7, 1, 10);
const colour = syntheticSplits(5, 5, 3, 4);

test('FF, label pixels (one-channel images): softmax and goodness for every label', async () => {
  const run = await tinyRun('ff', { layers: [30, 20, 20] }, gray);
  assert.equal(run.model.algo, 'ff');
  assert.deepEqual(await assertRoundTrip(run, gray.test), ['softmax', 'goodness']);
});

test('FF, centred colour images with extra label units', async () => {
  const run = await tinyRun('ff', { layers: [24, 16] }, colour);
  assert.deepEqual(await assertRoundTrip(run, colour.test), ['softmax', 'goodness']);
});

test('FF with min-ssq goodness, Σ y, mean goodness, L2 norm and chosen layers', async () => {
  const cfg = { layers: [20, 20, 16], goodness: 'min-ssq', goodnessPower: 1, goodnessReduce: 'mean', norm: 'l2', softmaxLayers: [1, 3], goodnessLayers: [1, 2] };
  const run = await tinyRun('ff', cfg, gray, 1);
  await assertRoundTrip(run, gray.test);
});

test('backprop: plain and centred, RMS-normalized input', async () => {
  assert.deepEqual(await assertRoundTrip(await tinyRun('bp', { layers: [30, 20] }, gray), gray.test), ['output']);
  await assertRoundTrip(await tinyRun('bp', { layers: [16], inputNorm: 'rms' }, colour), colour.test);
});
