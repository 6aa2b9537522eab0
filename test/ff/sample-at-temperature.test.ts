// `ff generate --temperature t` samples p^(1/t): a temperature near 0 must be nearly greedy.
// Before, p^(1/t) was computed directly and underflowed to 0 for every symbol at t = 0.001
// (0.3^1000), and an all-zero row is sampled uniformly: the most probable symbol came out
// about 1 time in 30. Now the weights are exp((ln p − ln p_max)/t) (ff/sample-at-temperature.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateText } from '../../src/cli/generate.js';
import { decodeSymbols, TEXT_ALPHABET_SIZE } from '../../src/data/text-alphabet.js';
import { Rng } from '../../src/engine/rng.js';
import { sampleAtTemperature } from '../../src/ff/sample-at-temperature.js';
import type { TrainableModel } from '../../src/train/model.js';

const S = TEXT_ALPHABET_SIZE;
const BEST = 7;

/** A next-symbol distribution like a small model's: the best at 0.3, a close second, the rest spread thin. */
function probs(): Float32Array {
  const p = new Float32Array(S).fill(0.41 / (S - 2));
  p[BEST] = 0.3;
  p[3] = 0.29;
  return p;
}

test('a near-greedy temperature draws the most probable class almost always', () => {
  const rng = new Rng(5);
  const p = probs();
  let best = 0;
  for (let i = 0; i < 2000; i++) if (sampleAtTemperature(p, 0, S, 0.001, rng) === BEST) best++;
  assert.ok(best >= 1990, `argmax drawn ${best} of 2000 times at t = 0.001`);
  // An offset row of a larger array, with a scratch buffer.
  const rows = new Float32Array(3 * S);
  rows.set(p, 2 * S);
  assert.equal(sampleAtTemperature(rows, 2 * S, S, 1e-6, rng, new Float64Array(S)), BEST);
});

test('t = 1 draws exactly as rng.categorical; a large t flattens; a row with no mass is uniform', () => {
  const p = probs();
  const [a, b] = [new Rng(9), new Rng(9)];
  for (let i = 0; i < 500; i++) assert.equal(sampleAtTemperature(p, 0, S, 1, a), b.categorical(p));
  const rng = new Rng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 3000; i++) seen.add(sampleAtTemperature(p, 0, S, 100, rng));
  assert.equal(seen.size, S, 'every symbol comes up at t = 100');
  const zeros = new Set<number>();
  for (let i = 0; i < 3000; i++) zeros.add(sampleAtTemperature(new Float32Array(S), 0, S, 0.5, rng));
  assert.equal(zeros.size, S);
});

test('ff generate --temperature 0.001 writes the predictor’s most probable symbol every time', async () => {
  // A stand-in model whose next-symbol distribution is always probs(): generateText as ff generate runs it.
  const model = { classifiers: ['softmax'], predict: async (_x: Float32Array, count: number) => ({ scores: probs(), predictions: new Uint8Array(count).fill(BEST) }) };
  const text = await generateText(model as unknown as TrainableModel, 'the ', 10, 200, 0.001, new Rng(1));
  assert.equal(text.generated, decodeSymbols(new Array(200).fill(BEST)));
});
