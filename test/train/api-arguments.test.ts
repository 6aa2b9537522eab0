// The library API refuses bad arguments at once with one clear line (src/train/api-checks.ts),
// where it used to hang (batchSize 0), throw a RangeError from a typed array (layers [-5]),
// report a wrong label as "training diverged", or return predictions for input of the wrong
// size or with NaN in it. Every call goes through the public entry points (src/index.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, createFF, evaluate, FF_DEFAULTS, FFModel, getEngine, loadFF, MemoryRunStore, saveModel, subset, train, type DatasetSplits, type ImageSet } from '../../src/index.js';
import { oneLine } from '../helpers/one-line-error.js';

/** 28×28 images (a 784-input net, as MNIST's), ten classes: class k brightens row k + 9. */
function split(count: number, seed: number): ImageSet {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = 0.1 * rand() + (Math.floor(p / 28) === labels[i] + 9 ? 0.9 : 0);
  }
  return { images, labels, count, height: 28, width: 28, channels: 1 };
}

function splits(train = split(300, 1)): DatasetSplits {
  return {
    name: 'mnist', numClasses: 10, classNames: [...'0123456789'], train, valid: split(50, 2), test: split(50, 3),
    testDescription: 'synthetic', validDescription: 'synthetic', validOverlapsTrain: false, dir: '',
  };
}

const data = splits();
const small = { preset: 'quick', layers: [20, 20], epochs: 1, batchSize: 100 };

/** A plain Error (not a RangeError or TypeError) of one line matching `re`. */
const clear = (re: RegExp) => (e: unknown) => {
  assert.equal((e as Error).constructor, Error, `a plain Error, got ${(e as Error).name}: ${(e as Error).message}`);
  return oneLine(e, re);
};

test('createFF refuses options outside the ranges ff train accepts, naming the option', () => {
  for (const [bad, re] of [
    [{ batchSize: 0 }, /^FF config: batchSize must be an integer in \[1, 100000\], got 0 \(as --batch-size on the command line\)$/],
    [{ layers: [-5] }, /^FF config: layers must be a list of positive integers, got \[-5\]$/],
    [{ layers: [0, 10] }, /^FF config: layers must be a list of positive integers, got \[0,10\]$/],
    [{ layers: [] }, /layers must be a list of positive integers, got \[\]/],
    [{ layers: [2.5] }, /layers must be a list of positive integers/],
    [{ layers: [1e9] }, /layers must list integers in 1\.\.100000/],
    [{ epochs: -1 }, /^FF config: epochs must be an integer in \[1, 100000\], got -1/],
    [{ epochs: 0 }, /epochs must be an integer in \[1, 100000\], got 0/],
    [{ epochs: 1.5 }, /epochs must be an integer, got 1\.5/],
    [{ lr: -1 }, /^FF config: lr must be a number in \[0, 100\], got -1/],
    [{ lr: NaN }, /lr must be a number, got NaN/],
    [{ seed: -3 }, /seed must be an integer in \[0, 4294967295\]/],
    [{ negatives: 'bogus' }, /negatives must be one of hard, random, teacher-forced, self-generated, got bogus/],
    [{ batchsize: 10 }, /^createFF: unknown option batchsize \(options are config fields such as dataset, layers, epochs, batchSize\)$/],
  ] as const) {
    assert.throws(() => createFF({ ...small, ...bad } as Parameters<typeof createFF>[0], data), clear(re), JSON.stringify(bad));
  }
});

test('createFF refuses an option that does nothing for the data, as ff train does', () => {
  assert.throws(() => createFF({ ...small, sleepCycles: 3 }, data), clear(/^createFF: sleepCycles sets the wake\/sleep cycles of negatives self-generated; this run's negatives are 'hard' and nothing sleeps$/));
});

test('createFF refuses data that is not a dataset', () => {
  assert.throws(() => createFF(small, undefined as unknown as DatasetSplits), clear(/^createFF: data must be dataset splits/));
  assert.throws(() => createFF(small, { ...data, numClasses: 1 }), clear(/^createFF: data: numClasses must be an integer in \[2, 256\], got 1$/));
});

test('train with batchSize 0 (a model built without createFF) fails at once instead of hanging', { timeout: 30_000 }, async () => {
  const model = new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [20], epochs: 1, batchSize: 0 }, { height: 28, width: 28, channels: 1, numClasses: 10 });
  await assert.rejects(train(model, data), clear(/^train: batchSize must be an integer ≥ 1, got 0$/));
});

test('train refuses labels that do not match the images, or lie outside the classes', { timeout: 30_000 }, async () => {
  const model = createFF(small, data);
  const tooFew = { ...data.train, labels: data.train.labels.slice(0, 10) };
  await assert.rejects(train(model, { ...data, train: tooFew }), clear(/^train: data\.train: 300 images need 300 labels, got 10 labels$/));
  const labels = data.train.labels.slice();
  labels[7] = 11;
  // Before: the softmax loss of label 11 was NaN, reported as "training diverged … try a smaller learning rate".
  await assert.rejects(train(model, { ...data, train: { ...data.train, labels } }), clear(/^train: data\.train: label 7 is 11, but the data has 10 classes \(0\.\.9\)$/));
  const short = { ...data.train, images: data.train.images.subarray(0, 299 * 784) };
  await assert.rejects(train(model, { ...data, train: short }), clear(/^train: data\.train: 300 images of 28×28×1 need 235200 values in images, got 234416 values$/));
  const images = data.train.images.slice();
  images[5 * 784 + 3] = NaN;
  await assert.rejects(train(model, { ...data, train: { ...data.train, images } }), clear(/^train: data\.train image 5 holds NaN at value 3 \(inputs must be finite\)$/));
  await assert.rejects(train(model, { ...data, valid: subset(data.valid, 0, 0) }), clear(/^train: data\.valid has no images/));
  await assert.rejects(train(model, data, { stopAfter: 0 }), clear(/^train: stopAfter must be an integer ≥ 1, got 0$/));
});

test('train refuses data of another shape than the model reads', { timeout: 30_000 }, async () => {
  const model = createFF(small, data);
  const tiny = (s: ImageSet): ImageSet => ({ ...s, images: s.images.subarray(0, s.count * 64), height: 8, width: 8 });
  const other = { ...data, train: tiny(data.train), valid: tiny(data.valid) };
  await assert.rejects(train(model, other), clear(/^train: data\.train holds 8×8×1 images, but the model reads 28×28×1$/));
});

test('classify refuses input of the wrong length or with non-finite values', async () => {
  const model = createFF(small, data);
  // 100 floats for a 784-input net: before, a prediction came back.
  await assert.rejects(model.classify(new Float32Array(100), 1, 'softmax'), clear(/^classify: 1 image of 784 values need 784 values, got 100 /));
  await assert.rejects(classify(model.net, new Float32Array(100), 1, 'goodness'), clear(/^classify: 1 image of 784 values need 784 values, got 100 /));
  const nan = new Float32Array(2 * 784);
  nan[784 + 10] = NaN;
  await assert.rejects(model.predict(nan, 2, 'softmax'), clear(/^classify: image 1 holds NaN at value 10 \(inputs must be finite\)$/));
  nan[784 + 10] = Infinity;
  await assert.rejects(model.classify(nan, 2, 'goodness'), clear(/^classify: image 1 holds Infinity at value 10/));
  await assert.rejects(model.classify(new Float32Array(784), -1, 'softmax'), clear(/^classify: count must be a non-negative integer, got -1$/));
  await assert.rejects(model.classify([0, 1] as unknown as Float32Array, 1, 'softmax'), clear(/^classify: images must be a Float32Array, got Array$/));
  // A longer set with a smaller count is fine (callers pass data.test.images and a count).
  assert.equal((await model.classify(data.test.images, 3, 'softmax')).predictions.length, 3);
});

test('evaluate refuses labels outside the classes and sets whose sizes disagree', async () => {
  const model = createFF(small, data);
  const labels = data.test.labels.slice();
  labels[2] = 10;
  await assert.rejects(evaluate(model, { ...data.test, labels }, 10, 'softmax'), clear(/^evaluate: set: label 2 is 10, but the data has 10 classes/));
  await assert.rejects(evaluate(model, { ...data.test, count: 60 }, 10, 'softmax'), clear(/^evaluate: set: 60 images of 28×28×1 need 47040 values in images, got 39200 values$/));
  await assert.rejects(evaluate(model, data.test, 0, 'softmax'), clear(/^evaluate: numClasses must be an integer in \[2, 256\], got 0$/));
});

test('valid calls still train and classify', { timeout: 60_000 }, async () => {
  const model = createFF(small, data);
  const r = await train(model, data);
  assert.equal(r.epochs, 1);
  const ev = await evaluate(model, data.test, 10, 'softmax');
  assert.equal(ev.count, 50);
});

test('saveModel and loadFF refuse what is neither a run directory nor a store', async () => {
  const model = createFF(small, data);
  await assert.rejects(saveModel(model, ''), clear(/^saveModel: give a run directory \(a non-empty path\) or a RunStore, got an empty path$/));
  await assert.rejects(saveModel(model, new MemoryRunStore(), -1), clear(/^saveModel: epoch must be an integer ≥ 0, got -1$/));
  assert.throws(() => loadFF(42 as unknown as string), clear(/^loadFF: give a run directory \(a non-empty path\) or a RunStore, got number$/));
  const circular: unknown[] = [];
  circular.push(circular);
  assert.throws(() => createFF({ ...small, layers: circular as unknown as number[] }, data), clear(/^FF config: layers must be a list of positive integers, got object$/));
});
