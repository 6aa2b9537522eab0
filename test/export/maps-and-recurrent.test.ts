// ONNX round trips of the other run kinds (test/helpers/onnx-roundtrip.ts): locally-connected
// and grid nets (FF with separate label units, and backprop), the recurrent net with its
// iterations unrolled (dense with lateral connections, and locally connected), unsupervised
// runs' probes, and an Aesop-shaped sequence model (1×10 strips of 30 one-hot channels,
// next-character softmax).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/engine/rng.js';
import type { DatasetSplits, ImageSet } from '../../src/data/dataset.js';
import { assertRoundTrip, syntheticSplits, tinyRun } from '../helpers/onnx-roundtrip.js';

const maps = syntheticSplits(5, 5, 3, 4);
const gray = syntheticSplits(6, 6, 1, 10);
const LOCAL = { connectivity: 'local', window: 3, mapChannels: 2, layers: [50, 50] };

test('FF and backprop on locally-connected maps (dense equivalents, separate label units)', async () => {
  const ff = await tinyRun('ff', LOCAL, maps);
  assert.equal(ff.config.connectivity, 'local');
  assert.deepEqual(await assertRoundTrip(ff, maps.test), ['softmax', 'goodness']);
  await assertRoundTrip(await tinyRun('bp', LOCAL, maps, 1), maps.test);
});

test('FF on a grid of local receptive fields (masked dense weights)', async () => {
  // 6×6 image: 2×2 grid of 3×3 windows (stride 3, 4 channels), then one 2×2 window (5 channels).
  const run = await tinyRun('ff', { connectivity: 'grid', grid: '3/3/4,2/1/5', layers: [16, 5] }, gray);
  await assertRoundTrip(run, gray.test);
});

test('recurrent FF, unrolled: dense with lateral connections, and locally connected', async () => {
  const dense = { architecture: 'recurrent', layers: [20, 20, 16], iterations: 4, testFrom: 2, testTo: 4, lateral: true, damping: 0.3 };
  assert.deepEqual(await assertRoundTrip(await tinyRun('ff', dense, gray), gray.test), ['softmax', 'goodness']);
  const local = { ...LOCAL, architecture: 'recurrent', iterations: 3, testFrom: 1, testTo: 3 };
  await assertRoundTrip(await tinyRun('ff', local, maps, 1), maps.test);
});

test('unsupervised FF (hybrid negatives): every linear probe', async () => {
  const run = await tinyRun('ff', { negativeData: 'hybrid', layers: [20, 20, 20], probeLayers: [2, 3] }, gray);
  assert.deepEqual(await assertRoundTrip(run, gray.test), ['probe', 'probe-layer2', 'probe-layer3']);
});

/** Aesop's windows as the dataset makes them (data/aesop-dataset.ts): 1×10 strips, one channel per symbol. */
function strips(count: number, rng: Rng): ImageSet {
  const L = 10;
  const S = 30;
  const images = new Float32Array(count * L * S);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const symbols = Array.from({ length: L }, () => rng.int(S));
    symbols.forEach((c, t) => (images[i * L * S + c * L + t] = 1));
    labels[i] = (symbols[L - 1] + 1) % S; // the next symbol follows the last
  }
  return { images, labels, count, height: 1, width: L, channels: S };
}

test('the Aesop sequence model: next-character softmax and goodness over the 30 symbols', async () => {
  const rng = new Rng(9);
  const data: DatasetSplits = {
    name: 'aesop-shaped',
    numClasses: 30,
    classNames: Array.from({ length: 30 }, (_, k) => String(k)),
    train: strips(150, rng),
    valid: strips(30, rng),
    test: strips(40, rng),
    testDescription: '',
    validDescription: '',
    validOverlapsTrain: false,
    dir: '',
  };
  // The aesop preset's net, smaller: teacher-forced negatives, label units after the context.
  const run = await tinyRun('ff', { layers: [40, 40, 40], negatives: 'teacher-forced', labelInput: 'extra', lr: 0.001, softmaxLr: 0.03 }, data);
  assert.deepEqual(await assertRoundTrip(run, data.test), ['softmax', 'goodness']);
});
