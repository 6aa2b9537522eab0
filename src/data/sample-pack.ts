// A small labelled image sample in one file — what the browser explorer loads to draw test
// images and to train live (`npm run build:web` and `ff serve` write it from a dataset).
// Layout: "FFSP" magic, then uint32 LE version 1, height, width, channels, numClasses, train
// count, test count; then the images as bytes (value·255, rounded), train then test; then the
// labels, train then test. MNIST's pixels are bytes to begin with, so nothing is lost there.
import type { ImageSet } from './dataset.js';

const MAGIC = 0x50534646; // "FFSP" read as little-endian uint32
const HEADER_WORDS = 8;

export interface SamplePack {
  numClasses: number;
  train: ImageSet;
  test: ImageSet;
}

function first(set: ImageSet, count: number): { images: Float32Array; labels: Uint8Array } {
  const D = set.height * set.width * set.channels;
  return { images: set.images.subarray(0, count * D), labels: set.labels.subarray(0, count) };
}

/** The first trainCount training and testCount test images of a dataset as pack bytes. */
export function encodeSamplePack(train: ImageSet, test: ImageSet, numClasses: number, trainCount: number, testCount: number): Uint8Array {
  if (trainCount > train.count || testCount > test.count) throw new Error(`sample pack: asked for ${trainCount}/${testCount} images of ${train.count}/${test.count}`);
  const D = train.height * train.width * train.channels;
  const n = trainCount + testCount;
  const out = new Uint8Array(HEADER_WORDS * 4 + n * D + n);
  const h = new DataView(out.buffer);
  [MAGIC, 1, train.height, train.width, train.channels, numClasses, trainCount, testCount].forEach((v, i) => h.setUint32(i * 4, v, true));
  let at = HEADER_WORDS * 4;
  for (const { images } of [first(train, trainCount), first(test, testCount)]) {
    for (let i = 0; i < images.length; i++) out[at++] = Math.round(Math.min(1, Math.max(0, images[i])) * 255);
  }
  for (const { labels } of [first(train, trainCount), first(test, testCount)]) {
    out.set(labels, at);
    at += labels.length;
  }
  return out;
}

export function decodeSamplePack(bytes: Uint8Array): SamplePack {
  if (bytes.length < HEADER_WORDS * 4) throw new Error('sample pack: file too short');
  const h = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = Array.from({ length: HEADER_WORDS }, (_, i) => h.getUint32(i * 4, true));
  const [magic, version, height, width, channels, numClasses, trainCount, testCount] = w;
  if (magic !== MAGIC || version !== 1) throw new Error('sample pack: not a forward-forward sample pack (version 1)');
  const D = height * width * channels;
  const n = trainCount + testCount;
  if (bytes.length !== HEADER_WORDS * 4 + n * D + n) throw new Error(`sample pack: ${bytes.length} bytes, expected ${HEADER_WORDS * 4 + n * D + n}`);
  const pixels = bytes.subarray(HEADER_WORDS * 4, HEADER_WORDS * 4 + n * D);
  const labels = bytes.subarray(HEADER_WORDS * 4 + n * D);
  const set = (from: number, count: number): ImageSet => {
    const images = new Float32Array(count * D);
    for (let i = 0; i < images.length; i++) images[i] = pixels[from * D + i] / 255;
    return { images, labels: labels.slice(from, from + count), count, height, width, channels };
  };
  return { numClasses, train: set(0, trainCount), test: set(trainCount, testCount) };
}
