// Aesop's fables as a dataset the training loop, FF, BP and every command read like the image
// datasets: each "image" is the one-hot code of a 10-symbol context as a 1×10 strip with one
// channel per symbol (30, channel-planar: value c·10 + t is 1 when symbol t is c), its label
// the next symbol (30 classes). Being many-channel, 'auto' puts FF's label in extra units (the
// candidate next character never overwrites the context) and does not centre (colour images
// only). The online softmax on the hidden layers is the linear next-character predictor of
// SPEC §6, and its samples are the teacher-forced negatives.
//
// Splits by whole strings (text-strings.ts): test = the held-out strings; validation = every
// 8th training string (27 of 217), whose windows go last so makeSplits can cut them off. The
// 'book' text split trains on every other piece of the book instead (book-strings.ts); the
// test strings are the same. Either way the leakage guard checks every training window.
import { loadAesop, AESOP_NAME } from './aesop.js';
import { makeWindows, type CharWindows } from './char-windows.js';
import type { ImageSet, LoadedDataset } from './dataset.js';
import { TEXT_SYMBOLS } from './text-alphabet.js';
import { checkNoHeldOutText, trainingStrings, type TextSplit } from './book-strings.js';

export async function loadAesopDataset(dataDir?: string, textSplit: TextSplit = 'paper'): Promise<LoadedDataset> {
  const corpus = await loadAesop({ dataDir });
  const { fit, valid, margin } = trainingStrings(corpus, textSplit);
  const strings = [...fit, ...valid];
  const trainAll = makeWindows(strings.map((s) => s.symbols));
  const heldOut = corpus.split.test.map((s) => ({ offset: s.offset, length: s.symbols.length }));
  checkNoHeldOutText(trainAll, strings.map((s) => s.offset), heldOut, corpus.text.length, margin);
  const test = makeWindows(corpus.test);
  const validCount = valid.reduce((n, s) => n + Math.max(0, s.symbols.length - trainAll.contextLength), 0);
  const asSet = (w: CharWindows): ImageSet => ({
    images: contextStrips(w),
    labels: w.targets,
    count: w.count,
    height: 1,
    width: w.contextLength,
    channels: w.alphabetSize,
    sequenceStarts: Uint32Array.from(w.position.keys()).filter((i) => w.position[i] === w.contextLength),
  });
  return {
    name: AESOP_NAME,
    numClasses: TEXT_SYMBOLS.length,
    classNames: [...TEXT_SYMBOLS].map((c) => (c === ' ' ? '␣' : c)),
    trainAll: asSet(trainAll),
    test: asSet(test),
    testDescription: `next-character windows of the ${corpus.test.length} held-out strings`,
    validCount,
    dir: corpus.file,
  };
}

/** The windows' contexts as channel-planar 1×L strips of S channels: value c·L + t = [symbol t is c]. */
export function contextStrips(w: CharWindows): Float32Array {
  const L = w.contextLength;
  const S = w.alphabetSize;
  const out = new Float32Array(w.count * L * S);
  for (let i = 0; i < w.count; i++) {
    for (let t = 0; t < L; t++) out[i * L * S + w.contexts[i * L + t] * L + t] = 1;
  }
  return out;
}
