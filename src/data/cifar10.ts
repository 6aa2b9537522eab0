// CIFAR-10 in the official binary format: records of 3073 bytes, a label byte (0–9) then a
// 32×32 image as 1024 red, 1024 green, 1024 blue bytes (row-major). Images stay channel-planar.
//
// Files: data_batch_1.bin … data_batch_5.bin (10,000 records each) and test_batch.bin, or,
// when that is absent, test_batch.first1000.bin (its first 1,000 records; testDescription then
// says "official test images 0–999"). Also found in a cifar-10-batches-bin/ subfolder (the
// layout of the official archive). Split: train = first 45,000 training records, valid = last 5,000.
// Default directory: $FF_CIFAR_DIR, else the per-user data cache (data/data-home.ts).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CIFAR10_CLASS_NAMES } from './class-name-lists.js';
import { cachedDatasetDir } from './data-home.js';
import { readFileBoundedAsync, READ_LIMITS } from '../util/read-bounded.js';
import { bytesToUnitFloats, makeSplits, type DatasetSplits, type ImageSet, type LoadedDataset } from './dataset.js';

export const CIFAR_RECORD_BYTES = 3073;
export const CIFAR_IMAGE_BYTES = 3072;
export const CIFAR_BATCH_RECORDS = 10000;
export const CIFAR_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR_TEST_FILE = 'test_batch.bin';
export const CIFAR_TEST_PARTIAL_FILE = 'test_batch.first1000.bin';
export { CIFAR10_CLASS_NAMES };
const VALID_COUNT = 5000;
const HINT = 'run ff data download cifar-10, or set FF_CIFAR_DIR or pass --data-dir D';

/** $FF_CIFAR_DIR, else the per-user data cache's cifar-10/ (where `ff data download cifar-10` writes). */
export function defaultCifarDir(): string {
  const env = process.env.FF_CIFAR_DIR;
  if (env) return path.resolve(env);
  return cachedDatasetDir('cifar-10');
}

/** dir itself, or its cifar-10-batches-bin/ subfolder when the batches are there instead. */
export function resolveCifarDir(dir: string): string {
  const sub = path.join(dir, 'cifar-10-batches-bin');
  if (!existsSync(path.join(dir, CIFAR_TRAIN_FILES[0])) && existsSync(path.join(sub, CIFAR_TRAIN_FILES[0]))) return sub;
  return dir;
}

/**
 * Validates a CIFAR-10 batch (length a non-zero multiple of 3073, labels ≤ 9, optionally an
 * exact record count) and returns its number of records. Errors are one line naming `name`.
 */
export function checkCifarBatch(bytes: Uint8Array, name: string, expectedRecords?: number): number {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / CIFAR_RECORD_BYTES);
    throw new Error(
      `${name}: wrong size: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD_BYTES}-byte records (${whole} records + ${bytes.length - whole * CIFAR_RECORD_BYTES} bytes)`,
    );
  }
  const n = bytes.length / CIFAR_RECORD_BYTES;
  if (expectedRecords !== undefined && n !== expectedRecords) {
    const what = n < expectedRecords ? 'truncated' : 'wrong size';
    throw new Error(`${name}: ${what}: expected ${expectedRecords * CIFAR_RECORD_BYTES} bytes (${expectedRecords} records), found ${bytes.length}`);
  }
  for (let r = 0; r < n; r++) {
    const label = bytes[r * CIFAR_RECORD_BYTES];
    if (label > 9) throw new Error(`${name}: corrupt: record ${r} has label ${label} (expected 0–9); not a CIFAR-10 binary batch`);
  }
  return n;
}

/** Decodes validated records into images (floats in [0,1], planar) and labels at record offset `at`. */
export function decodeRecords(bytes: Uint8Array, n: number, images: Float32Array, labels: Uint8Array, at: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * CIFAR_RECORD_BYTES;
    labels[at + r] = bytes[o];
    bytesToUnitFloats(bytes.subarray(o + 1, o + CIFAR_RECORD_BYTES), images, (at + r) * CIFAR_IMAGE_BYTES);
  }
}

/** One line naming the file when it is missing, a directory, a FIFO or too big (util/read-bounded.ts). */
function readBatch(file: string): Promise<Uint8Array> {
  return readFileBoundedAsync(file, { ...READ_LIMITS.dataset, what: 'a CIFAR-10 batch file' });
}

function set(images: Float32Array, labels: Uint8Array, count: number): ImageSet {
  return { images, labels, count, height: 32, width: 32, channels: 3 };
}

/** Reads all 50,000 training records and the test file of dir (default: defaultCifarDir()). */
export async function loadCifar10Files(dir?: string): Promise<LoadedDataset> {
  const given = path.resolve(dir ?? defaultCifarDir());
  if (!existsSync(given) || !statSync(given).isDirectory()) {
    throw new Error(`CIFAR-10: directory ${given} not found (${HINT})`);
  }
  const d = resolveCifarDir(given);
  const missing = CIFAR_TRAIN_FILES.filter((f) => !existsSync(path.join(d, f)));
  const fullTest = existsSync(path.join(d, CIFAR_TEST_FILE));
  const partialTest = !fullTest && existsSync(path.join(d, CIFAR_TEST_PARTIAL_FILE));
  if (!fullTest && !partialTest) missing.push(`${CIFAR_TEST_FILE} (or ${CIFAR_TEST_PARTIAL_FILE})`);
  if (missing.length) throw new Error(`CIFAR-10: ${d} lacks ${missing.join(', ')} (${HINT})`);

  const nTrain = CIFAR_TRAIN_FILES.length * CIFAR_BATCH_RECORDS;
  const trainImages = new Float32Array(nTrain * CIFAR_IMAGE_BYTES);
  const trainLabels = new Uint8Array(nTrain);
  for (let b = 0; b < CIFAR_TRAIN_FILES.length; b++) {
    const file = path.join(d, CIFAR_TRAIN_FILES[b]);
    const bytes = await readBatch(file);
    checkCifarBatch(bytes, file, CIFAR_BATCH_RECORDS);
    decodeRecords(bytes, CIFAR_BATCH_RECORDS, trainImages, trainLabels, b * CIFAR_BATCH_RECORDS);
  }
  const testFile = path.join(d, fullTest ? CIFAR_TEST_FILE : CIFAR_TEST_PARTIAL_FILE);
  const testBytes = await readBatch(testFile);
  const nTest = checkCifarBatch(testBytes, testFile, fullTest ? CIFAR_BATCH_RECORDS : undefined);
  const testImages = new Float32Array(nTest * CIFAR_IMAGE_BYTES);
  const testLabels = new Uint8Array(nTest);
  decodeRecords(testBytes, nTest, testImages, testLabels, 0);
  return {
    name: 'cifar-10',
    numClasses: 10,
    classNames: CIFAR10_CLASS_NAMES,
    trainAll: set(trainImages, trainLabels, nTrain),
    test: set(testImages, testLabels, nTest),
    testDescription: fullTest ? 'official test set' : `official test images 0–${nTest - 1}`,
    validCount: VALID_COUNT,
    dir: d,
  };
}

export interface Cifar10Options {
  dir?: string;
  /** Train on all 50,000 training images; valid (the last 5,000) then overlaps train. */
  trainOnAll?: boolean;
}

/** Loads and splits CIFAR-10 (uncached; use registry.loadDataset for the cached form). */
export async function loadCifar10(opts: Cifar10Options = {}): Promise<DatasetSplits> {
  return makeSplits(await loadCifar10Files(opts.dir), opts.trainOnAll ?? false);
}
