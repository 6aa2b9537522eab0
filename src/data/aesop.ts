// Aesop's fables as the sequence experiment's data (SPEC §6): the file aesop-fables.txt (the 313
// fables of Townsend's translation, Project Gutenberg #21, fables only, UTF-8, 192,556 bytes),
// normalised to the 30 symbols (text-alphabet.ts), cut into 248 strings of 100 symbols and
// split by whole strings (text-strings.ts), then into 10-symbol-context windows (char-windows.ts).
//
// Where the file is looked for (first that applies):
//   1. opts.dataDir (the CLI's --data-dir D): D/aesop if that folder exists, else D;
//   2. $FF_AESOP_DIR;
//   3. $FF_DATA_DIR, read like --data-dir;
//   4. the per-user data cache, ~/.cache/forward-forward/aesop (data-home.ts).
// An explicit option beats the environment, and the dataset's own variable beats the
// all-datasets one, so FF_DATA_DIR pointing at the image datasets does not hide FF_AESOP_DIR.
//
// There is no download: no published URL serves this exact extract with a checksum. Instead
// the file is checked against the SHA-256 of the expected content; another file (another
// edition, other line endings) still loads, with a one-line warning, because any English text
// works for the experiment but its numbers are then not comparable with recorded ones.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { cachedDatasetDir } from './data-home.js';
import { encodeText, normaliseText, TEXT_ALPHABET_SIZE } from './text-alphabet.js';
import { cutStrings, DEFAULT_TEST_EVERY, PAPER_STRING_COUNT, PAPER_STRING_LENGTH, splitStrings, type StringSplit, type TextString } from './text-strings.js';
import { makeWindows, PAPER_CONTEXT_LENGTH, type CharWindows } from './char-windows.js';
import { sha256Hex } from '../util/sha256.js';
import { readFileBoundedAsync, READ_LIMITS } from '../util/read-bounded.js';
import { notTextBecause } from './text-file-check.js';

export const AESOP_NAME = 'aesop';
export const AESOP_FILE = 'aesop-fables.txt';
/** SHA-256 of the expected aesop-fables.txt (192,556 bytes). */
export const AESOP_SHA256 = 'd0771be8ead7337be6a139c547c9c232b4bbbc86707b7ed55f8fa74946df77ff';
export const AESOP_HINT = `set FF_AESOP_DIR or pass --data-dir D (a folder holding ${AESOP_FILE}, or D/${AESOP_NAME}/ holding it)`;

export interface AesopOptions {
  /** A folder holding aesop-fables.txt, or holding an aesop/ subfolder with it. */
  dataDir?: string;
  /** Every testEvery-th string is held out (default 8: 217 train, 31 test). */
  testEvery?: number;
  /** Where the one-line warning about an unexpected file goes (default: stderr as 'ff: warning: …'). */
  warn?: (line: string) => void;
}

/** The sequence experiment's data, ready for a net. */
export interface TextCorpus {
  /** The file read ('' for text given in memory). */
  file: string;
  /** SHA-256 of the bytes read, and whether it is the expected file's. */
  sha256: string;
  verified: boolean;
  /** The warnings given (empty for the expected file). */
  warnings: string[];
  /** The whole normalised text as symbol indices. */
  text: Uint8Array;
  /** All strings (248 × 100 symbols), in book order, with their offsets in `text`. */
  strings: TextString[];
  split: StringSplit;
  /** The training and test strings as symbol-index arrays (the sleep phase starts from their first 10 symbols). */
  train: Uint8Array[];
  test: Uint8Array[];
  /** Windows of the training and test strings: one-hot contexts, context symbols, targets. */
  trainWindows: CharWindows;
  testWindows: CharWindows;
  alphabetSize: number;
  contextLength: number;
  /** One line for reports: what the data is and how it was cut. */
  description: string;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function underBase(base: string): string {
  const sub = path.resolve(base, AESOP_NAME);
  return isDir(sub) ? sub : path.resolve(base);
}

/** The folder loadAesop reads aesop-fables.txt from (the rules at the top of this file). */
export function aesopDir(dataDir?: string): string {
  if (dataDir !== undefined) return underBase(dataDir);
  const own = process.env.FF_AESOP_DIR;
  if (own) return path.resolve(own);
  const all = process.env.FF_DATA_DIR;
  if (all) return underBase(all);
  return cachedDatasetDir(AESOP_NAME);
}


/** Normalises, cuts, splits and windows a text (what loadAesop does after reading the file). */
export function textCorpusFromString(raw: string, opts: { testEvery?: number; file?: string; sha256?: string; verified?: boolean; warnings?: string[] } = {}): TextCorpus {
  const text = encodeText(normaliseText(raw));
  const testEvery = opts.testEvery ?? DEFAULT_TEST_EVERY;
  const where = opts.file || 'text';
  let strings: TextString[];
  try {
    strings = cutStrings(text, PAPER_STRING_COUNT, PAPER_STRING_LENGTH);
  } catch (e) {
    throw new Error(`${where}: too short for the sequence experiment: ${(e as Error).message.replace(/^cutStrings: /, '')}`);
  }
  const split = splitStrings(strings, testEvery);
  const train = split.train.map((s) => s.symbols);
  const test = split.test.map((s) => s.symbols);
  return {
    file: opts.file ?? '',
    sha256: opts.sha256 ?? '',
    verified: opts.verified ?? false,
    warnings: opts.warnings ?? [],
    text,
    strings,
    split,
    train,
    test,
    trainWindows: makeWindows(train, PAPER_CONTEXT_LENGTH, TEXT_ALPHABET_SIZE),
    testWindows: makeWindows(test, PAPER_CONTEXT_LENGTH, TEXT_ALPHABET_SIZE),
    alphabetSize: TEXT_ALPHABET_SIZE,
    contextLength: PAPER_CONTEXT_LENGTH,
    description:
      `${strings.length} strings × ${PAPER_STRING_LENGTH} symbols evenly spaced through ${text.length} normalised characters, ` +
      `${train.length} train / ${test.length} test (1 string in ${testEvery} held out), ${PAPER_CONTEXT_LENGTH}-symbol contexts`,
  };
}

/** The fables text may be any English text, but not a disk image (nor a FIFO, nor /dev/zero). */
const AESOP_LIMIT = { ...READ_LIMITS.text, what: 'the fables text' };

async function readAesopBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFileBoundedAsync(file, AESOP_LIMIT);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT') throw new Error(`${file}: file not found: ${AESOP_HINT}`);
    if (code === 'EISDIR') throw new Error(`${file}: is a directory, not the fables text: ${AESOP_HINT}`);
    throw e; // one line naming the file already (util/read-bounded.ts)
  }
}

/** Reads, checks and prepares aesop-fables.txt; a different file loads with one warning line. */
export async function loadAesop(opts: AesopOptions = {}): Promise<TextCorpus> {
  const file = path.join(aesopDir(opts.dataDir), AESOP_FILE);
  return textCorpusFromBytes(await readAesopBytes(file), file, opts);
}

/** What loadAesop does with the file's bytes (`file` names it in messages). */
export function textCorpusFromBytes(bytes: Uint8Array, file: string, opts: Omit<AesopOptions, 'dataDir'> = {}): TextCorpus {
  const notText = notTextBecause(bytes);
  if (notText) throw new Error(`${file}: ${notText}`);
  const sha256 = sha256Hex(bytes);
  const verified = sha256 === AESOP_SHA256;
  const warnings: string[] = [];
  if (!verified) {
    warnings.push(`${file}: not the expected fables text (${bytes.length} bytes, SHA-256 ${sha256.slice(0, 12)}…, expected 192556 bytes, ${AESOP_SHA256.slice(0, 12)}…); results are not comparable with recorded ones`);
    const warn = opts.warn ?? ((line: string) => process.stderr.write(`ff: warning: ${line}\n`));
    for (const w of warnings) warn(w);
  }
  // Non-fatal decoding: a stray invalid byte becomes U+FFFD, which normalisation maps to a space.
  const raw = new TextDecoder('utf-8').decode(bytes);
  return textCorpusFromString(raw, { testEvery: opts.testEvery, file, sha256, verified, warnings });
}
