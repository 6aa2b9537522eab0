// FF on sequences (SPEC §6, issue 17): contexts are 1×L strips of one-hot channels; the sleep
// phase continues each string from its first context with the model's own softmax and learns
// from the generated windows as negatives alone. On Aesop's fables, a tiny teacher-forced run's
// softmax beats the unigram baseline on held-out strings, and a self-generated run trains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitUnigram, scoreNextChar } from '../../src/data/char-ngram-baseline.js';
import type { DatasetSplits, ImageSet } from '../../src/data/dataset.js';
import { loadAesop } from '../../src/data/aesop.js';
import { loadDataset } from '../../src/data/registry.js';
import { Rng } from '../../src/engine/rng.js';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { createFFModel } from '../../src/ff/ff-model.js';
import { generateContinuations, shiftStrip } from '../../src/ff/sleep-phase.js';
import { evaluate } from '../../src/train/evaluate.js';
import { train } from '../../src/train/trainer.js';
import { NO_AESOP } from '../helpers/optional.js';
import { testSeed } from '../helpers/seed.js';

const L = 4;
const S = 5;

/** A strip (channel-planar 1×L, S channels) of the given symbols. */
function strip(symbols: number[]): Float32Array {
  const out = new Float32Array(L * S);
  symbols.forEach((c, t) => (out[c * L + t] = 1));
  return out;
}

function symbolsOf(x: Float32Array, at = 0): number[] {
  return Array.from({ length: L }, (_, t) => [...Array(S).keys()].find((c) => x[at + c * L + t] === 1) ?? -1);
}

test('shiftStrip drops the oldest symbol and appends the new one', () => {
  const out = new Float32Array(L * S);
  shiftStrip(strip([0, 1, 2, 3]), 0, out, 0, L, S, 4);
  assert.deepEqual(symbolsOf(out), [1, 2, 3, 4]);
});

/** A synthetic sequence set: 3 strings of 6 windows each over S symbols. */
function sequenceSplits(): DatasetSplits {
  const rng = new Rng(3);
  const strings = Array.from({ length: 3 }, () => Array.from({ length: L + 6 }, () => rng.int(S)));
  const images: number[] = [];
  const labels: number[] = [];
  const starts: number[] = [];
  for (const s of strings) {
    starts.push(labels.length);
    for (let t = L; t < s.length; t++) {
      images.push(...strip(s.slice(t - L, t)));
      labels.push(s[t]);
    }
  }
  const set: ImageSet = { images: Float32Array.from(images), labels: Uint8Array.from(labels), count: labels.length, height: 1, width: L, channels: S, sequenceStarts: Uint32Array.from(starts) };
  return { name: 'synthetic', numClasses: S, classNames: ['a', 'b', 'c', 'd', 'e'], train: set, valid: set, test: set, testDescription: 't', validDescription: 'v', validOverlapsTrain: true, dir: '' };
}

test('generated continuations: as many windows as each string has, each context the last one shifted by its sampled symbol', async () => {
  const data = sequenceSplits();
  const cfg: FFConfig = { ...FF_DEFAULTS, dataset: 'synthetic', layers: [16, 16], negatives: 'self-generated', evalEvery: 0 };
  const model = createFFModel(getEngine(), cfg, data);
  const g = await generateContinuations(model.net, data.train, 1, new Rng(9));
  assert.equal(g.count, data.train.count);
  const D = L * S;
  for (let s = 0; s < 3; s++) {
    const first = s * 6;
    // Each string starts from its own first context.
    assert.deepEqual(symbolsOf(g.images, first * D), symbolsOf(data.train.images, first * D));
    for (let k = 1; k < 6; k++) {
      const prev = symbolsOf(g.images, (first + k - 1) * D);
      assert.deepEqual(symbolsOf(g.images, (first + k) * D), [...prev.slice(1), g.labels[first + k - 1]]);
    }
  }
});

test('self-generated negatives: wake minibatches and a sleep phase train; a set without sequences is refused in one line', async () => {
  const data = sequenceSplits();
  const cfg: FFConfig = { ...FF_DEFAULTS, dataset: 'synthetic', layers: [16, 16], negatives: 'self-generated', epochs: 2, batchSize: 4, evalEvery: 0 };
  const model = createFFModel(getEngine(), cfg, data);
  const before = (await model.toCheckpoint()).tensors.get('layer1.weight')!.data.slice();
  const result = await train(model, data);
  assert.equal(result.epochs, 2);
  const after = (await model.toCheckpoint()).tensors.get('layer1.weight')!.data;
  assert.ok(after.some((v, i) => v !== before[i]), 'the layers learned');
  // Shorter wake/sleep cycles: a sleep phase every 2 minibatches, on strings drawn at random.
  const cycled = createFFModel(getEngine(), { ...cfg, sleepCycles: 2 }, data);
  assert.equal((await train(cycled, data)).epochs, 2);
  const images = { ...data.train, sequenceStarts: undefined };
  assert.throws(() => createFFModel(getEngine(), cfg, { ...data, train: images }), /^Error: self-generated negatives need a dataset of sequences \(--dataset aesop\); synthetic has none$/);
  assert.throws(() => createFFModel(getEngine(), { ...cfg, architecture: 'recurrent' }, data), /self-generated negatives \(a sleep phase\) train the feed-forward net/);
});

test('Aesop: a tiny teacher-forced run’s softmax beats the unigram baseline on held-out strings', { skip: NO_AESOP, timeout: 300_000 }, async (ctx) => {
  const data = await loadDataset('aesop');
  const corpus = await loadAesop();
  const unigram = scoreNextChar(fitUnigram(corpus.train, 30), corpus.testWindows).accuracy;
  const cfg: FFConfig = { ...FF_DEFAULTS, dataset: 'aesop', layers: [100, 100], negatives: 'teacher-forced', labelInput: 'extra', epochs: 2, evalEvery: 0, seed: testSeed(17) };
  const model = createFFModel(getEngine(), cfg, data);
  await train(model, data);
  const accuracy = 1 - (await evaluate(model, data.test, data.numClasses, 'softmax')).errorRate;
  ctx.diagnostic(`accuracy ${JSON.stringify({ softmax: accuracy, unigram })}`);
  assert.ok(accuracy > unigram + 0.03, `softmax accuracy ${accuracy} should beat the unigram's ${unigram}`);
});
