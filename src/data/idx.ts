// Reader for IDX files (the MNIST / Fashion-MNIST format), raw or gzipped.
//
// Layout: magic 00 00 <type> <ndim>, then ndim big-endian uint32 dimensions, then the data.
// Only type 0x08 (unsigned byte) is supported, which is all these datasets use. Gzip is
// detected by its magic bytes (1f 8b), not by the file name. Every problem is reported as ONE
// line that names the file: "<file>: <problem>".
import { constants as zlibConstants, gunzipSync, inflateRawSync } from 'node:zlib';
import { readFileBounded, readFileBoundedAsync, READ_LIMITS } from '../util/read-bounded.js';

export interface IdxArray {
  /** Dimensions, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** prod(dims) bytes, a view into the file's buffer. */
  data: Uint8Array;
}

const IDX_UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'sbyte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Most bytes a gzipped IDX file may decompress to (MNIST's largest file is 47 MB): a header
 * declaring more is refused before anything is decompressed.
 */
export const MAX_IDX_BYTES = 2 ** 30;
/** The longest IDX header: magic, then 8 dimensions of 4 bytes. */
const MAX_HEADER_BYTES = 4 + 4 * 8;

/** What a caller needs of the dimensions; throws a one-line error (naming the file) for others. */
export type IdxDimsCheck = (dims: number[]) => void;

/**
 * Gunzips when `bytes` is gzip (by magic), else returns them unchanged. The IDX header is
 * read first and the output capped at the size it declares (MAX_IDX_BYTES when it is not an
 * IDX header), so a small file cannot expand to gigabytes. Problems: one line naming `name`.
 */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const head = gunzipHead(bytes, name);
  let limit = MAX_IDX_BYTES;
  try {
    limit = Math.min(limit, declaredSize(parseIdxHeader(head, name), name));
  } catch {
    /* not IDX: let the caller say what is wrong with the content */
  }
  return gunzipAtMost(bytes, name, limit);
}

/** Parses IDX bytes (gzipped or not); `name` is used in error messages. */
export function parseIdx(raw: Uint8Array, name: string, checkDims?: IdxDimsCheck): IdxArray {
  // Gzip: the header first, so a lying or unwanted size is refused before the stream is decompressed.
  const gz = isGzip(raw);
  const header = parseIdxHeader(gz ? gunzipHead(raw, name) : raw, name);
  checkDims?.(header.dims);
  if (gz) refuseImpossibleExpansion(raw, declaredSize(header, name), name);
  const bytes = gz ? gunzipAtMost(raw, name, declaredSize(header, name)) : raw;
  const { dims, headerLen, total } = header;
  const expected = headerLen + total;
  if (bytes.length < expected) {
    throw new Error(`${name}: truncated: expected ${expected} bytes, found ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new Error(`${name}: wrong size: expected ${expected} bytes for dimensions ${dims.join('×')}, found ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerLen) };
}

interface IdxHeader {
  dims: number[];
  headerLen: number;
  /** prod(dims): the number of data bytes. */
  total: number;
}

/** Magic, type and dimensions of IDX bytes (which may hold only the header). */
function parseIdxHeader(bytes: Uint8Array, name: string): IdxHeader {
  if (bytes.length < 4) {
    throw new Error(`${name}: truncated: ${bytes.length} bytes is too short for an IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${name}: not an IDX file: wrong magic number ${hex} (expected 00 00 08 <ndim>)`);
  }
  const type = bytes[2];
  if (type !== IDX_UBYTE) {
    const tname = TYPE_NAMES[type];
    throw new Error(
      `${name}: ${tname ? `unsupported IDX data type ${tname}` : 'not an IDX file: unknown data type'} 0x${type.toString(16).padStart(2, '0')} (only ubyte 0x08 is supported)`,
    );
  }
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 8) throw new Error(`${name}: corrupt IDX header: ${ndim} dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new Error(`${name}: truncated: expected at least ${headerLen} header bytes, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let total = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    total *= n;
  }
  if (total > Number.MAX_SAFE_INTEGER) throw new Error(`${name}: corrupt IDX header: dimensions ${dims.join('×')} are too large`);
  return { dims, headerLen, total };
}

/** Deflate expands at most 1032:1 (a 258-byte match in about 2 bits), so a stream can hold no more. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * A gzip stream too short to hold what its header declares is truncated: said at once, not
 * after inflating hundreds of megabytes to find the end (the fuzzer's 311 KB file declaring
 * 720 MB took 3.3 s and 680 MB before).
 */
function refuseImpossibleExpansion(raw: Uint8Array, size: number, name: string): void {
  const most = raw.length * MAX_DEFLATE_RATIO;
  if (size > most) throw new Error(`${name}: truncated: its ${raw.length}-byte gzip stream cannot hold the ${size} bytes its IDX header declares`);
}

/** The decompressed size a header declares, refused over MAX_IDX_BYTES. */
function declaredSize({ dims, headerLen, total }: IdxHeader, name: string): number {
  const size = headerLen + total;
  if (size > MAX_IDX_BYTES) {
    throw new Error(`${name}: IDX header declares dimensions ${dims.join('×')} (${size} bytes), more than the ${MAX_IDX_BYTES}-byte limit for a gzipped file`);
  }
  return size;
}

function corruptGzip(name: string, e: unknown): Error {
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new Error(`${name}: corrupt gzip stream (${why})`);
}

/** Where the deflate data of a gzip member starts (RFC 1952: fixed 10 bytes, then optional fields). */
function deflateStart(bytes: Uint8Array, name: string): number {
  const end = () => corruptGzip(name, 'unexpected end of file');
  if (bytes.length < 10) throw end();
  if (bytes[2] !== 8) throw corruptGzip(name, `unknown compression method ${bytes[2]}`);
  const flags = bytes[3];
  let p = 10;
  if (flags & 0x04) {
    if (p + 2 > bytes.length) throw end();
    p += 2 + (bytes[p] | (bytes[p + 1] << 8)); // FEXTRA
  }
  for (const flag of [0x08, 0x10]) {
    if (!(flags & flag)) continue; // FNAME, FCOMMENT: zero-terminated
    while (p < bytes.length && bytes[p] !== 0) p++;
    p++;
  }
  if (flags & 0x02) p += 2; // FHCRC
  if (p > bytes.length) throw end();
  return p;
}

/**
 * The first MAX_HEADER_BYTES (or fewer, when the content is shorter) decompressed bytes,
 * inflating growing prefixes of the stream: each prefix bounds the output (deflate expands at
 * most ~1032×), so a bomb is never decompressed here.
 */
function gunzipHead(bytes: Uint8Array, name: string): Uint8Array {
  const deflate = bytes.subarray(deflateStart(bytes, name));
  for (let k = 256; ; k *= 4) {
    let out: Buffer;
    try {
      out = inflateRawSync(deflate.subarray(0, k), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw corruptGzip(name, e);
    }
    if (out.length >= MAX_HEADER_BYTES || k >= deflate.length) return out.subarray(0, MAX_HEADER_BYTES);
    if (k >= 65536) throw corruptGzip(name, 'no IDX header in its first 64 KiB');
  }
}

/** The whole gunzipped content, refused (without decompressing further) once it passes `limit` bytes. */
function gunzipAtMost(bytes: Uint8Array, name: string, limit: number): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: limit + 1 });
    if (out.length > limit) throw new RangeError('too long');
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new Error(`${name}: wrong size: the gzip stream holds more than the ${limit} bytes its IDX header declares`);
    }
    throw corruptGzip(name, e);
  }
}

const IDX_LIMIT = { ...READ_LIMITS.dataset, what: 'an IDX file' };

function readError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES') return new Error(`${file}: permission denied`);
  // Otherwise one line naming the file already (util/read-bounded.ts): not found, a directory, a FIFO, too big.
  return e as Error;
}

/** A file's bytes, or a one-line error naming it (not found, a directory, …). */
export async function readIdxBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFileBoundedAsync(file, IDX_LIMIT);
  } catch (e) {
    throw readError(file, e);
  }
}

/** Reads and validates an IDX file (raw or gzipped). Errors are one line naming the file. */
export async function readIdx(file: string, checkDims?: IdxDimsCheck): Promise<IdxArray> {
  return parseIdx(await readIdxBytes(file), file, checkDims);
}

/** Synchronous `readIdx`. */
export function readIdxSync(file: string, checkDims?: IdxDimsCheck): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileBounded(file, IDX_LIMIT);
  } catch (e) {
    throw readError(file, e);
  }
  return parseIdx(raw, file, checkDims);
}

/** Encodes a ubyte IDX file (used by tests and tools). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const total = dims.reduce((a, b) => a * b, 1);
  if (total !== data.length) throw new Error(`encodeIdx: dimensions ${dims.join('×')} need ${total} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
