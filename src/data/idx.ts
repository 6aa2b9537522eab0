// Reader for IDX files (the MNIST / Fashion-MNIST format), raw or gzipped.
//
// Layout: magic 00 00 <type> <ndim>, then ndim big-endian uint32 dimensions, then the data.
// Only type 0x08 (unsigned byte) is supported, which is all these datasets use. Gzip is
// detected by its magic bytes (1f 8b), not by the file name. Every problem is reported as ONE
// line that names the file: "<file>: <problem>".
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

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

/** Gunzips when `bytes` is gzip (by magic), else returns them unchanged. Corrupt gzip → one-line error naming `name`. */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`${name}: corrupt gzip stream (${why})`);
  }
}

/** Parses IDX bytes (already gunzipped or not); `name` is used in error messages. */
export function parseIdx(raw: Uint8Array, name: string): IdxArray {
  const bytes = maybeGunzip(raw, name);
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
  const expected = headerLen + total;
  if (bytes.length < expected) {
    throw new Error(`${name}: truncated: expected ${expected} bytes, found ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new Error(`${name}: wrong size: expected ${expected} bytes for dimensions ${dims.join('×')}, found ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerLen) };
}

function readError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new Error(`${file}: file not found`);
  if (code === 'EISDIR') return new Error(`${file}: is a directory, not an IDX file`);
  if (code === 'EACCES') return new Error(`${file}: permission denied`);
  return new Error(`${file}: cannot read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}

/** Reads and validates an IDX file (raw or gzipped). Errors are one line naming the file. */
export async function readIdx(file: string): Promise<IdxArray> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parseIdx(raw, file);
}

/** Synchronous `readIdx`. */
export function readIdxSync(file: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parseIdx(raw, file);
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
