// Text from a run trained on Aesop's fables: the run's next-character predictor — FF's linear
// softmax on its hidden layers, or BP's output layer — sampled one symbol at a time at a
// temperature, each sample shifted into the context. `ff generate` and the browser explorer
// both run it (no Node module here).
import { decodeSymbols, encodeText, normaliseText, SPACE_SYMBOL, TEXT_ALPHABET_SIZE } from '../data/text-alphabet.js';
import type { Rng } from '../engine/rng.js';
import type { TrainableModel } from '../train/model.js';
import { sampleAtTemperature } from './sample-at-temperature.js';
import { shiftStrip } from './sleep-phase.js';

/** The classifier that gives the next-character distribution: FF's softmax, BP's output. */
export function nextCharacterMode(model: TrainableModel): string {
  return model.classifiers.includes('softmax') ? 'softmax' : 'output';
}

/** The one-hot context strip (L × S, symbol-major) of a normalised prime: its last L symbols, padded in front with spaces. */
export function contextStrip(normalised: string, L: number): Float32Array {
  const S = TEXT_ALPHABET_SIZE;
  const symbols = encodeText(normalised);
  const context = [...new Array(Math.max(0, L - symbols.length)).fill(SPACE_SYMBOL), ...symbols].slice(-L);
  const ctx = new Float32Array(L * S);
  context.forEach((c, t) => (ctx[c * L + t] = 1));
  return ctx;
}

/** The prime as the model reads it (normalised), and `length` sampled characters after it. */
export async function generateText(model: TrainableModel, prime: string, L: number, length: number, temperature: number, rng: Rng): Promise<{ prime: string; generated: string }> {
  const S = TEXT_ALPHABET_SIZE;
  const normalised = normaliseText(prime);
  let ctx: Float32Array = contextStrip(normalised, L);
  let next: Float32Array = new Float32Array(L * S);
  const mode = nextCharacterMode(model);
  const out: number[] = [];
  const w = new Float64Array(S);
  for (let k = 0; k < length; k++) {
    const { scores } = await model.predict(ctx, 1, mode);
    const c = sampleAtTemperature(scores, 0, S, temperature, rng, w);
    out.push(c);
    shiftStrip(ctx, 0, next, 0, L, S, c);
    [ctx, next] = [next, ctx];
  }
  return { prime: normalised, generated: decodeSymbols(out) };
}
