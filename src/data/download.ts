// Downloading the official dataset files (for users who are online) and verifying files on
// disk against their published MD5 checksums (works offline).
//
// MD5 here only identifies the published files (the datasets' own publishers and mirrors list
// MD5); it is not a defence against tampering. Every problem is one line naming the file.
//
// About Fashion-MNIST from Debian (package dataset-fashion-mnist, /usr/share/datasets/
// fashion-mnist): its four .gz files do NOT have the official .gz MD5s — the gzip wrapper was
// rewritten (no stored file name, mtime 2020-06-05), but the decompressed bytes have exactly
// the published MD5s of the uncompressed official files. So a .gz passes when either its own
// MD5 is the official .gz MD5 or its decompressed content has the official uncompressed MD5.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileBoundedAsync, READ_LIMITS } from '../util/read-bounded.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { makeDir } from '../util/make-dir.js';
import { readTar } from './tar.js';
import { AESOP_FILE, AESOP_HINT, AESOP_NAME, AESOP_SHA256 } from './aesop.js';
import { sha256Hex } from '../util/sha256.js';

export { readTar, type TarEntry } from './tar.js';
import { maybeGunzip } from './idx.js';
import { CIFAR_TEST_FILE, CIFAR_TEST_PARTIAL_FILE, resolveCifarDir } from './cifar10.js';
import { parseDatasetName, type DatasetName } from './registry.js';

// ---------------------------------------------------------------------------------------------
// Checksums and sources

export interface IdxFileSpec {
  /** Uncompressed file name, e.g. train-images-idx3-ubyte; the download is `${base}.gz`. */
  base: string;
  /** MD5 of the official .gz file. */
  gzMd5: string;
  /** MD5 of the official file once decompressed. */
  rawMd5: string;
}

export const MNIST_SPECS: IdxFileSpec[] = [
  { base: 'train-images-idx3-ubyte', gzMd5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873', rawMd5: '6bbc9ace898e44ae57da46a324031adb' },
  { base: 'train-labels-idx1-ubyte', gzMd5: 'd53e105ee54ea40749a09fcbcd1e9432', rawMd5: 'a25bea736e30d166cdddb491f175f624' },
  { base: 't10k-images-idx3-ubyte', gzMd5: '9fb629c4189551a2d022fa330f9573f3', rawMd5: '2646ac647ad5339dbf082846283269ea' },
  { base: 't10k-labels-idx1-ubyte', gzMd5: 'ec29112dd5afa0611ce80d1b7f02629c', rawMd5: '27ae3e4e09519cfbb04c329615203637' },
];

export const FASHION_MNIST_SPECS: IdxFileSpec[] = [
  { base: 'train-images-idx3-ubyte', gzMd5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', rawMd5: 'f4a8712d7a061bf5bd6d2ca38dc4d50a' },
  { base: 'train-labels-idx1-ubyte', gzMd5: '25c81989df183df01b3e8a0aad5dffbe', rawMd5: '9018921c3c673c538a1fc5bad174d6f9' },
  { base: 't10k-images-idx3-ubyte', gzMd5: 'bef4ecab320f06d8554ea6380940ec79', rawMd5: '8181f5470baa50b63fa0f6fddb340f0a' },
  { base: 't10k-labels-idx1-ubyte', gzMd5: 'bb300cfdad3c16e7a12a480ee83cd310', rawMd5: '15d484375f8d13e6eb1aabb0c3f46965' },
];

/** Base URLs tried in order (each + file name). */
export const MNIST_MIRRORS = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
];
export const FASHION_MNIST_MIRRORS = [
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
];

export const CIFAR10_ARCHIVE = 'cifar-10-binary.tar.gz';
export const CIFAR10_ARCHIVE_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_URLS = ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'];
/** MD5s of the files inside the official archive (cifar-10-batches-bin/…). */
export const CIFAR10_FILE_MD5: Record<string, string> = {
  'data_batch_1.bin': '5dd7e06a14cb22eb9f671a540d1b7c25',
  'data_batch_2.bin': '5ea93a67294ea407fff1d09f752e9692',
  'data_batch_3.bin': '942cd6a4bcdd0dd3c604fbe906cb4421',
  'data_batch_4.bin': 'ae636b3ba5c66a11e91e8cb52e771fcb',
  'data_batch_5.bin': '53f37980c15c3d472c316c40844f3f0d',
  [CIFAR_TEST_FILE]: '803d5f7f4d78ea53de84dbe85f74fb6d',
};
/** Not an official file: the first 1,000 records of test_batch.bin (see shared/data/README.md). */
export const CIFAR10_PARTIAL_TEST_MD5 = '371f65da31ad652f5e24b3699a3e6515';

// ---------------------------------------------------------------------------------------------
// MD5 helpers

export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** A file's MD5; one-line error naming it when it is not a regular file of a sane size (util/read-bounded.ts). */
export async function md5File(file: string): Promise<string> {
  return md5(await readFileBoundedAsync(file, READ_LIMITS.dataset));
}

/** A data set file's bytes for a checksum; a FIFO or /dev/zero in its place is refused, not read. */
function readDataFile(file: string): Promise<Uint8Array> {
  return readFileBoundedAsync(file, READ_LIMITS.dataset);
}

/** A refusal's message without the file name it starts with (the result names the file). */
function unreadable(e: unknown, file: string): string {
  const m = (e as Error).message ?? String(e);
  return m.startsWith(`${file}: `) ? m.slice(file.length + 2) : m;
}

/**
 * Checks IDX bytes (gzipped or not) against a spec: ok when their MD5 is the official .gz or
 * uncompressed MD5, or when they gunzip to bytes with the official uncompressed MD5. `detail`
 * is one line (without the file name) saying what matched or what is wrong.
 */
export function checkIdxBytes(bytes: Uint8Array, spec: IdxFileSpec, name: string): { ok: true; detail: string } | { ok: false; detail: string } {
  const m = md5(bytes);
  if (m === spec.gzMd5) return { ok: true, detail: 'MD5 matches the official .gz' };
  if (m === spec.rawMd5) return { ok: true, detail: 'MD5 matches the official file, uncompressed' };
  let content: Uint8Array;
  try {
    content = maybeGunzip(bytes, name);
  } catch (e) {
    return { ok: false, detail: (e as Error).message.slice(name.length + 2) };
  }
  if (content === bytes) {
    return { ok: false, detail: `checksum mismatch: MD5 ${m}, expected ${spec.rawMd5} (or ${spec.gzMd5} gzipped)` };
  }
  const mc = md5(content);
  if (mc === spec.rawMd5) {
    return { ok: true, detail: 'decompressed content matches the official file (this .gz is not byte-identical to the official .gz)' };
  }
  return { ok: false, detail: `checksum mismatch: MD5 ${m} (decompressed ${mc}), expected ${spec.gzMd5} (decompressed ${spec.rawMd5})` };
}

// ---------------------------------------------------------------------------------------------
// Verifying files on disk

export interface VerifyResult {
  /** The file checked (a path), or the missing file's name pattern. */
  file: string;
  ok: boolean;
  /** One line: what matched, or what is wrong. */
  detail: string;
}

async function verifyIdxDir(specs: IdxFileSpec[], dir: string): Promise<VerifyResult[]> {
  const out: VerifyResult[] = [];
  for (const spec of specs) {
    const present = [spec.base, `${spec.base}.gz`].map((n) => path.join(dir, n)).filter((p) => existsSync(p));
    if (!present.length) {
      out.push({ file: path.join(dir, `${spec.base}[.gz]`), ok: false, detail: 'missing' });
      continue;
    }
    for (const file of present) {
      let bytes: Uint8Array;
      try {
        bytes = await readDataFile(file);
      } catch (e) {
        out.push({ file, ok: false, detail: unreadable(e, file) });
        continue;
      }
      out.push({ file, ...checkIdxBytes(bytes, spec, file) });
    }
  }
  return out;
}

async function verifyFileMd5(file: string, expected: string, what = ''): Promise<VerifyResult> {
  let m: string;
  try {
    m = await md5File(file);
  } catch (e) {
    return { file, ok: false, detail: unreadable(e, file) };
  }
  return m === expected
    ? { file, ok: true, detail: `MD5 ok${what}` }
    : { file, ok: false, detail: `checksum mismatch: MD5 ${m}, expected ${expected}` };
}

async function verifyCifarDir(dir: string): Promise<VerifyResult[]> {
  const d = resolveCifarDir(dir);
  const out: VerifyResult[] = [];
  for (const [name, sum] of Object.entries(CIFAR10_FILE_MD5)) {
    const file = path.join(d, name);
    if (name === CIFAR_TEST_FILE) {
      const partial = path.join(d, CIFAR_TEST_PARTIAL_FILE);
      if (existsSync(file)) out.push(await verifyFileMd5(file, sum));
      if (existsSync(partial)) out.push(await verifyFileMd5(partial, CIFAR10_PARTIAL_TEST_MD5, ' (first 1,000 records of the official test_batch.bin)'));
      if (!existsSync(file) && !existsSync(partial)) out.push({ file, ok: false, detail: `missing (and no ${CIFAR_TEST_PARTIAL_FILE})` });
    } else if (existsSync(file)) {
      out.push(await verifyFileMd5(file, sum));
    } else {
      out.push({ file, ok: false, detail: 'missing' });
    }
  }
  const archive = path.join(dir, CIFAR10_ARCHIVE);
  if (existsSync(archive)) out.push(await verifyFileMd5(archive, CIFAR10_ARCHIVE_MD5));
  return out;
}

/** The Aesop extract has no published checksum: its SHA-256 is the one the project recorded. */
async function verifyAesopFile(dir: string): Promise<VerifyResult> {
  const file = path.join(dir, AESOP_FILE);
  if (!existsSync(file)) return { file, ok: false, detail: 'missing' };
  let sum: string;
  try {
    sum = sha256Hex(await readDataFile(file));
  } catch (e) {
    return { file, ok: false, detail: unreadable(e, file) };
  }
  return sum === AESOP_SHA256 ? { file, ok: true, detail: 'SHA-256 ok' } : { file, ok: false, detail: `checksum mismatch: SHA-256 ${sum}, expected ${AESOP_SHA256}` };
}

/** Checks a dataset's files in dir against the published checksums. Never throws for bad files. */
export async function verifyDataset(name: string, dir: string): Promise<VerifyResult[]> {
  const n = parseDatasetName(name);
  if (!existsSync(dir)) return [{ file: dir, ok: false, detail: 'directory not found' }];
  if (n === 'aesop') return [await verifyAesopFile(dir)];
  if (n === 'cifar-10') return verifyCifarDir(dir);
  return verifyIdxDir(n === 'mnist' ? MNIST_SPECS : FASHION_MNIST_SPECS, dir);
}

/** Throws one line describing the first failure, if any. */
export function assertVerified(name: string, results: VerifyResult[]): void {
  const bad = results.filter((r) => !r.ok);
  if (!bad.length) return;
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more file${bad.length > 2 ? 's' : ''})` : '';
  throw new Error(`${name}: verification failed: ${bad[0].file}: ${bad[0].detail}${more}`);
}

// ---------------------------------------------------------------------------------------------
// Minimal tar (ustar / GNU / pax) reader: regular files only

export interface FetchResponseLike {
  ok: boolean;
  status: number;
  statusText?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export type FetchLike = (url: string) => Promise<FetchResponseLike>;

export interface DownloadOptions {
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Progress lines; default none. */
  log?: (line: string) => void;
  /** Download even when verified files are already there. */
  force?: boolean;
}

function fetchProblem(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: unknown }).cause;
  const c = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
  return `${e.message.split('\n')[0]}${c}`;
}

/** Fetches the first URL whose bytes pass `check` (null = fine, else a problem). */
async function fetchChecked(
  urls: string[],
  what: string,
  fetchFn: FetchLike,
  log: (line: string) => void,
  check: (bytes: Uint8Array, url: string) => string | null,
): Promise<Uint8Array> {
  const problems: string[] = [];
  for (const url of urls) {
    log(`downloading ${url}`);
    try {
      const res = await fetchFn(url);
      if (!res.ok) {
        problems.push(`${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const bad = check(bytes, url);
      if (bad) {
        problems.push(`${url}: ${bad}`);
        continue;
      }
      return bytes;
    } catch (e) {
      problems.push(`${url}: ${fetchProblem(e)}`);
    }
  }
  throw new Error(`could not download ${what}: ${problems.join('; ')}`);
}

async function downloadIdx(specs: IdxFileSpec[], mirrors: string[], dir: string, o: Required<DownloadOptions>): Promise<void> {
  for (const spec of specs) {
    const name = `${spec.base}.gz`;
    const target = path.join(dir, name);
    if (!o.force && existsSync(target)) {
      const r = checkIdxBytes(await readDataFile(target), spec, target);
      if (r.ok) {
        o.log(`${target}: already present, ${r.detail}`);
        continue;
      }
    }
    const bytes = await fetchChecked(mirrors.map((m) => m + name), name, o.fetch, o.log, (b) => {
      const r = checkIdxBytes(b, spec, name);
      return r.ok ? null : r.detail;
    });
    writeFileAtomic(target, bytes);
    o.log(`${target}: written, MD5 verified`);
  }
}

async function downloadCifar(dir: string, o: Required<DownloadOptions>): Promise<void> {
  if (!o.force) {
    const present = await verifyCifarDir(dir);
    if (present.every((r) => r.ok) && existsSync(path.join(resolveCifarDir(dir), CIFAR_TEST_FILE))) {
      o.log(`${dir}: CIFAR-10 already present and verified`);
      return;
    }
  }
  const archive = await fetchChecked(CIFAR10_URLS, CIFAR10_ARCHIVE, o.fetch, o.log, (b) => {
    const m = md5(b);
    return m === CIFAR10_ARCHIVE_MD5 ? null : `checksum mismatch: MD5 ${m}, expected ${CIFAR10_ARCHIVE_MD5}`;
  });
  await extractCifarArchive(archive, dir, o.log);
}

/**
 * Extracts the CIFAR-10 batches (flattened: data_batch_*.bin, test_batch.bin,
 * batches.meta.txt) from the bytes of cifar-10-binary.tar.gz into dir, checking each MD5
 * (`fileMd5`: the official ones unless a test passes its own). Nothing is written unless every
 * file is present and passes.
 */
export async function extractCifarArchive(
  archiveGz: Uint8Array,
  dir: string,
  log: (line: string) => void = () => {},
  fileMd5: Record<string, string> = CIFAR10_FILE_MD5,
): Promise<string[]> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(archiveGz);
  } catch (e) {
    throw new Error(`${CIFAR10_ARCHIVE}: corrupt gzip stream (${(e as Error).message.split('\n')[0]})`);
  }
  const entries = readTar(tar, CIFAR10_ARCHIVE);
  const byBase = new Map(entries.map((e) => [path.posix.basename(e.name), e]));
  const wanted = [...Object.keys(fileMd5), 'batches.meta.txt'];
  const missing = wanted.filter((n) => !byBase.has(n));
  if (missing.length) throw new Error(`${CIFAR10_ARCHIVE}: archive lacks ${missing.join(', ')}`);
  // Check every file before writing any, so a bad archive leaves dir untouched.
  for (const [name, sum] of Object.entries(fileMd5)) {
    const m = md5(byBase.get(name)!.data);
    if (m !== sum) throw new Error(`${CIFAR10_ARCHIVE}: ${name}: checksum mismatch: MD5 ${m}, expected ${sum}`);
  }
  makeDir(dir);
  const written: string[] = [];
  for (const name of wanted) {
    const target = path.join(dir, name);
    writeFileAtomic(target, byBase.get(name)!.data);
    written.push(target);
    log(`${target}: written${fileMd5[name] ? ', MD5 verified' : ''}`);
  }
  return written;
}

/**
 * Downloads a dataset's official files into dir (created if needed), verifying MD5s and
 * writing atomically. Files already there and verified are kept unless `force`.
 * Returns the verification of dir afterwards.
 */
export async function downloadDataset(name: string, dir: string, opts: DownloadOptions = {}): Promise<VerifyResult[]> {
  const n: DatasetName = parseDatasetName(name);
  if (n === 'aesop') throw new Error(`${AESOP_NAME}: no download exists for this extract; ${AESOP_HINT}`);
  const o: Required<DownloadOptions> = {
    fetch: opts.fetch ?? ((url: string) => fetch(url)),
    log: opts.log ?? (() => {}),
    force: opts.force ?? false,
  };
  makeDir(dir); // not mkdir's recursive mode, which can spin forever; its errors name the path
  if (n === 'cifar-10') await downloadCifar(dir, o);
  else if (n === 'mnist') await downloadIdx(MNIST_SPECS, MNIST_MIRRORS, dir, o);
  else await downloadIdx(FASHION_MNIST_SPECS, FASHION_MNIST_MIRRORS, dir, o);
  const results = await verifyDataset(n, dir);
  assertVerified(n, results);
  return results;
}
