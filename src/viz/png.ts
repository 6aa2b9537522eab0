// PNG encoding of a raster (raster.ts). Encoding and decoding are pngjs's (a maintained,
// dependency-free, pure-JavaScript PNG codec); this file also checks users' PNG files.
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { Raster } from './raster.js';

export { Raster };

/** PNG file bytes of a raster. */
export function encodePng(img: Raster): Buffer {
  const png = new PNG({ width: img.width, height: img.height, colorType: 6 });
  png.data.set(img.data);
  return PNG.sync.write(png);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Largest image readPng decodes when the caller names no size: 4096×4096 (64 MB of RGBA). */
export const MAX_PNG_PIXELS = 4096 * 4096;

/**
 * Decode the bytes of a user's PNG file to 8-bit RGBA. The size in its header is checked
 * before anything is decompressed (`expected`, when the caller knows what it needs; else at
 * most MAX_PNG_PIXELS), so a small file declaring a huge image costs nothing. Every problem is
 * one line naming the file; pngjs's own message is kept only where it says something
 * ("waiting on finished stream" just means the data ended early).
 */
export function readPng(bytes: Uint8Array, file: string, expected?: { width: number; height: number }): { width: number; height: number; data: Uint8Array } {
  if (bytes.length === 0) throw new Error(`${file}: empty file (0 bytes), expected a PNG image`);
  if (!isPng(bytes)) throw new Error(`${file}: not a PNG image (no PNG signature)`);
  const header = readIhdr(bytes, file);
  if (header) {
    const { width, height } = header;
    if (expected && (width !== expected.width || height !== expected.height)) {
      throw new Error(`${file}: image is ${width}×${height}, the model needs ${expected.width}×${expected.height}`);
    }
    if (width * height > MAX_PNG_PIXELS) throw new Error(`${file}: image is ${width}×${height}, more than the ${MAX_PNG_PIXELS} pixels this reader accepts`);
    // pngjs bounds the inflated data of plain images by their size, but not of interlaced ones.
    if (header.interlaced) checkInflatedSize(bytes, file, width, height);
  }
  try {
    return decodePng(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`${file}: damaged PNG (${/finished stream/.test(msg) ? 'the data ends too early' : msg})`);
  }
}

/** The IHDR chunk (which must come first), or undefined when it is not there (pngjs then says what is wrong). */
function readIhdr(bytes: Uint8Array, file: string): { width: number; height: number; interlaced: boolean } | undefined {
  if (bytes.length < 8 + 8 + 13 || chunkType(bytes, 8) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16, false);
  const height = view.getUint32(20, false);
  if (width === 0 || height === 0) throw new Error(`${file}: damaged PNG (image size ${width}×${height})`);
  return { width, height, interlaced: bytes[28] !== 0 };
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at + 4, at + 8));
}

/**
 * Inflates the IDAT chunks with the output capped at what a width×height image can hold (at
 * most 8 bytes a pixel, plus a filter byte per row of each of the 7 interlace passes).
 */
function checkInflatedSize(bytes: Uint8Array, file: string, width: number, height: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at, false);
    const end = at + 12 + length;
    if (end > bytes.length) break; // damaged: pngjs reports it
    if (chunkType(bytes, at) === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + length));
    at = end;
  }
  const limit = width * height * 8 + 2 * (2 * height + 7);
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: limit + 1, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`${file}: damaged PNG (its image data inflates to more than a ${width}×${height} image holds)`);
    // Other damage: pngjs reports it.
  }
}

/** Decode PNG bytes (for tests and tools). */
export function decodePng(buf: Buffer): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(buf);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
}
