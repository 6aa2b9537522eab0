// A run trained on Aesop's fables: type a prime, see the distribution of the next character
// (the run's own next-character predictor: FF's softmax on its hidden layers, BP's output) and a
// continuation sampled from it the way `ff generate` samples (generateText, the same code).
import { Rng, type TrainableModel } from '../../src/core.js';
import { normaliseText, TEXT_SYMBOLS } from '../../src/data/text-alphabet.js';
import { contextStrip, generateText, nextCharacterMode } from '../../src/ff/generate-text.js';
import { fieldForm, note, panel, percent, scoreBars, statusLine } from './view-parts.js';

/** Characters generated after the prime, and the seed they are sampled with (the same text for the same prime). */
const CONTINUATION = 80;
const SEED = 1;

/** The symbols as the bars name them (the space shown as ␣). */
const NAMES = [...TEXT_SYMBOLS].map((c) => (c === ' ' ? '␣' : c));

/** The prime as the run reads it (ASCII letters lower-cased, runs of spaces one), or a one-line message naming the first character outside its alphabet. */
export function checkPrime(raw: string): { prime: string } | { message: string } {
  if (raw.length === 0) return { message: 'Type at least one character.' };
  const prime = raw.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (const ch of prime) {
    if (!TEXT_SYMBOLS.includes(ch) || ch.length !== 1) {
      const shown = /^[\x21-\x7e]$/.test(ch) ? `"${ch}"` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      return { message: `${shown} is not in this run's alphabet: letters a–z, space, comma, semicolon and full stop.` };
    }
  }
  return { prime: normaliseText(prime) };
}

export function aesopView(model: TrainableModel, body: HTMLElement, contextLength: number): () => void {
  note(body, `This net reads the last ${contextLength} characters and predicts the next one. Type the start of a text (its last ${contextLength} characters are the context); the bars are the next character's probabilities, and the continuation samples one character at a time from them, shifting each into the context.`);
  const { form, input } = fieldForm('<label>Prime <input id="aesop-prime" value="the lion " size="24" autocomplete="off" spellcheck="false" /></label> <button type="submit">Continue</button>', (v) => void run(v));
  const message = statusLine('aesop-message');
  body.append(form, message);
  const next = panel(body, 'aesop-next', 'Next character: probabilities');
  const generated = panel(body, 'aesop-generated', `A continuation (${CONTINUATION} characters sampled at temperature 1, seed ${SEED})`, 'p');
  generated.className = 'generated';
  let generation = 0;
  let closed = false;
  const run = async (raw: string) => {
    const gen = ++generation;
    const r = checkPrime(raw);
    if ('message' in r) {
      message.textContent = r.message;
      message.dataset.invalid = '1';
      return;
    }
    delete message.dataset.invalid;
    message.textContent = `Context: "${r.prime.slice(-contextLength).padStart(contextLength, ' ')}"`;
    const { scores } = await model.predict(contextStrip(r.prime, contextLength), 1, nextCharacterMode(model));
    if (closed || gen !== generation) return;
    const best = scoreBars(next, Array.from(scores), NAMES, percent);
    next.dataset.best = TEXT_SYMBOLS[best];
    const text = await generateText(model, r.prime, contextLength, CONTINUATION, 1, new Rng(SEED));
    if (closed || gen !== generation) return;
    generated.replaceChildren();
    const prime = document.createElement('span');
    prime.className = 'prime';
    prime.textContent = text.prime;
    const more = document.createElement('strong');
    more.textContent = text.generated;
    generated.append(prime, more);
    generated.dataset.prime = text.prime;
  };
  void run(input.value);
  return () => {
    closed = true;
  };
}
