// Small samples of a dataset's test images that ff serve sends the explorer (GET
// api/samples/NAME): the page shows CIFAR-10 runs on them, as it shows MNIST runs on the sample
// the build writes. Made once at start from the data on disk, held in memory with their gzip
// form; when the data are absent, the sample is the one-line reason, sent as JSON
// (sample-answer.ts), which the page shows.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR_RECORD_BYTES, CIFAR_TEST_FILE, CIFAR_TEST_PARTIAL_FILE, checkCifarBatch, decodeRecords, defaultCifarDir, resolveCifarDir } from '../data/cifar10.js';
import { encodeSamplePack } from '../data/sample-pack.js';
import { READ_LIMITS, readFileBoundedAsync } from '../util/read-bounded.js';

/** CIFAR-10 test images sent: a few dozen, enough to pick from, 120 KB before gzip. */
export const CIFAR_SAMPLE_COUNT = 40;

/** A sample as sent: sample-pack bytes (data/sample-pack.ts) and their gzip, with the time they were made (for the ETag). */
export interface ImageSample {
  bytes: Uint8Array;
  gzip: Uint8Array;
  madeMs: number;
}

/** What the server holds per sample name: the sample, or why there is none (one line). */
export type ServedSamples = ReadonlyMap<string, ImageSample | string>;

/** The first `count` test images of CIFAR-10 in `dir` (default $FF_CIFAR_DIR, else the data cache), or why not. */
export async function cifarTestSample(dir = defaultCifarDir(), count = CIFAR_SAMPLE_COUNT): Promise<ImageSample | string> {
  const d = resolveCifarDir(dir);
  const file = [CIFAR_TEST_FILE, CIFAR_TEST_PARTIAL_FILE].map((f) => path.join(d, f)).find((f) => existsSync(f));
  if (!file) return `no CIFAR-10 test images: ff serve found no ${CIFAR_TEST_FILE} in ${shortPath(d)} (set FF_CIFAR_DIR)`;
  try {
    const bytes = await readFileBoundedAsync(file, { ...READ_LIMITS.dataset, what: 'a CIFAR-10 batch file' });
    const n = Math.min(count, checkCifarBatch(bytes, file));
    const images = new Float32Array(n * (CIFAR_RECORD_BYTES - 1));
    const labels = new Uint8Array(n);
    decodeRecords(bytes.subarray(0, n * CIFAR_RECORD_BYTES), n, images, labels, 0);
    const set = { images, labels, count: n, height: 32, width: 32, channels: 3 };
    const pack = encodeSamplePack(set, set, 10, 0, n);
    return { bytes: pack, gzip: gzipSync(pack, { level: 9 }), madeMs: Date.now() };
  } catch (e) {
    return `no CIFAR-10 test images: ${shortPath(file)} could not be read (${(e as Error).message.split('\n')[0].slice(0, 60)})`;
  }
}

/** The samples ff serve offers: CIFAR-10's, or why not. */
export async function servedSamples(): Promise<ServedSamples> {
  return new Map([['cifar-10', await cifarTestSample()]]);
}

/** A path short enough for a one-line refusal. */
function shortPath(p: string): string {
  return p.length > 80 ? `…${p.slice(-79)}` : p;
}
