// The memory estimate that lets `ff train` refuse a net too big for the machine before
// allocating it: refusals on a given machine, and the estimate checked against the tensors a
// real (small) model holds, so that it cannot drift from the models silently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import {
  estimateTrainingMemory,
  MAX_CHECKPOINT_BYTES,
  memoryRefusal,
  memoryWarning,
  type MachineMemory,
  type NetSize,
} from '../../src/train/memory-estimate.js';
import type { DatasetSplits } from '../../src/data/dataset.js';

const GB = 1e9;
const laptop: MachineMemory = { totalBytes: 24 * GB, availableBytes: 20 * GB, inUseBytes: 0.4 * GB };
const server: MachineMemory = { totalBytes: 1000 * GB, availableBytes: 900 * GB, inUseBytes: 0.4 * GB };
const mnist = { inputSize: 784, numClasses: 10, batchSize: 100 };
const ffNet = (layers: number[], optimizer = 'smooth'): NetSize => ({ algo: 'ff', layers, optimizer, ...mnist });
const bpNet = (layers: number[], optimizer = 'momentum'): NetSize => ({ algo: 'bp', layers, optimizer, ...mnist });
const refusal = (net: NetSize, m: MachineMemory) => memoryRefusal(net, estimateTrainingMemory(net), m);

test('the presets fit a small machine; 40000,40000 does not, for FF and BP alike', () => {
  for (const net of [ffNet([1000, 1000, 1000]), ffNet([2000, 2000, 2000, 2000], 'adam'), bpNet([2000, 2000, 2000, 2000])]) {
    assert.equal(refusal(net, laptop), undefined, `${net.algo} ${net.layers}`);
    assert.ok(estimateTrainingMemory(net).peakBytes < 1 * GB);
  }
  for (const net of [ffNet([40000, 40000]), bpNet([40000, 40000]), ffNet([40000, 40000], 'adam')]) {
    const why = refusal(net, laptop);
    assert.match(why ?? '', /--layers 40000,40000.* needs about \d+\.\d GB for weights, optimizer state, gradients and checkpoint copies; this machine has 24\.0 GB/);
    // 1.63e9 weights × 4 bytes: training holds value, state and gradient; a checkpoint two more copies.
    const est = estimateTrainingMemory(net);
    assert.ok(est.peakBytes > 6.5 * GB * (net.optimizer === 'adam' ? 10 : 7), `${est.peakBytes}`);
  }
  assert.match(refusal(bpNet([40000, 40000]), laptop) ?? '', /^--algo bp --layers 40000,40000 needs/);
  assert.match(refusal(ffNet([40000, 40000], 'adam'), laptop) ?? '', /^--layers 40000,40000 with --optimizer adam needs/);
});

test('a tensor longer than a typed array can be is refused whatever the memory', () => {
  for (const net of [ffNet([100000, 100000]), bpNet([100000, 100000])]) {
    assert.match(
      refusal(net, { totalBytes: 1e15, availableBytes: 1e15, inUseBytes: 0 }) ?? '',
      /--layers 100000,100000: the layer 2 weights would be 100000×100000 = 10,000,000,000 values; Node\.js arrays hold at most 4,294,967,296$/,
    );
  }
});

test('what is already in use counts against the machine', () => {
  const net = ffNet([8000, 8000]); // about 2.2 GB at its peak
  const peak = estimateTrainingMemory(net).peakBytes;
  const machine = { totalBytes: 10 * GB, availableBytes: 9 * GB, inUseBytes: 0 };
  assert.equal(refusal(net, machine), undefined);
  assert.match(refusal(net, { ...machine, inUseBytes: 8 * GB - peak + 1e6 }) ?? '', /needs about/);
});

test('a checkpoint too big to be read back is refused, even with memory to spare', () => {
  const net = ffNet([17000, 17000]);
  assert.ok(estimateTrainingMemory(net).checkpointBytes > MAX_CHECKPOINT_BYTES);
  assert.match(refusal(net, server) ?? '', /makes 2\.\d+ GB checkpoints; ff reads checkpoints of at most 2\.15 GB .*--resume, eval and predict would fail$/);
  assert.equal(refusal(ffNet([12000, 12000]), server), undefined);
});

test('a net that fits the machine but not what is free now gets a warning, not a refusal', () => {
  const net = ffNet([8000, 8000]);
  const busy = { totalBytes: 24 * GB, availableBytes: 1 * GB, inUseBytes: 0.4 * GB };
  assert.equal(refusal(net, busy), undefined);
  assert.match(memoryWarning(net, estimateTrainingMemory(net), busy) ?? '', /needs about \d\.\d\d GB, but only 1\.00 GB is free now/);
  assert.equal(memoryWarning(net, estimateTrainingMemory(net), laptop), undefined);
});

// The estimate against a real model: its checkpoint tensors (values and optimizer state) must
// be covered, and not wildly overestimated.
const shape = { height: 28, width: 28, channels: 1 };
// An empty training set of the right shape: the model is sized from it (createFF checks its fields).
const fakeData = { numClasses: 10, train: { ...shape, count: 0, images: new Float32Array(0), labels: new Uint8Array(0) } } as unknown as DatasetSplits;
for (const [algo, optimizer] of [['ff', 'smooth'], ['ff', 'adam'], ['bp', 'momentum'], ['bp', 'adam']] as const) {
  test(`the estimate covers a real ${algo} model's tensors (${optimizer})`, async () => {
    const a = getAlgorithm(algo);
    const layers = [300, 200, 100];
    const config = { ...a.presetConfig('hinton'), layers, optimizer, batchSize: 50 };
    const model = a.create(new JsEngine(), config, fakeData);
    const ck = await model.toCheckpoint();
    const bytes = [...ck.tensors.values()].reduce((s, t) => s + t.data.byteLength, 0);
    const est = estimateTrainingMemory({ algo, layers, optimizer, batchSize: 50, inputSize: 784, numClasses: 10 });
    assert.ok(est.checkpointBytes >= 0.99 * bytes, `estimate ${est.checkpointBytes} < checkpoint ${bytes}`);
    assert.ok(est.checkpointBytes <= 1.1 * bytes, `estimate ${est.checkpointBytes} ≫ checkpoint ${bytes}`);
  });
}

test('conv nets: a small estimate for cifar-conv from its maps and patch matrices; a huge map is refused', () => {
  // cifar-conv's four layers (3×3, 40-80-160-320, pooling after 1–3) as train.ts sizes them.
  const layer = (cin: number, cout: number, side: number, pooled: boolean) => ({
    weights: 9 * cin * cout,
    channels: cout,
    map: side * side * cout,
    output: (pooled ? (side / 2) ** 2 : side * side) * cout,
    patches: 9 * cin * side * side,
  });
  const cifar = { inputSize: 3072, numClasses: 10, batchSize: 128 };
  const conv = [layer(3, 40, 32, true), layer(40, 80, 16, true), layer(80, 160, 8, true), layer(160, 320, 4, false)];
  const net: NetSize = { algo: 'ff', layers: [40, 80, 160, 320], optimizer: 'adam', ...cifar, conv };
  const est = estimateTrainingMemory(net);
  // 484 rows × ~398k values per row × 4 bytes ≈ 0.77 GB of maps; weights are a few MB.
  assert.ok(est.peakBytes > 0.6 * GB && est.peakBytes < 1 * GB, `${est.peakBytes}`);
  assert.ok(est.parameters < 1e6, `${est.parameters}`);
  assert.equal(refusal(net, laptop), undefined);
  const huge: NetSize = { ...net, layers: [3000, 3000], conv: [layer(3, 3000, 32, false), layer(3000, 3000, 32, false)] };
  assert.match(refusal(huge, laptop) ?? '', /needs about \d+/);
});
