// A small RGB raster and its PNG encoding. Encoding and decoding are pngjs's (a maintained,
// dependency-free, pure-JavaScript PNG codec); this file draws rectangles and checks users' PNG files.
import { PNG } from 'pngjs';
import type { Rgb } from './colormap.js';

/** An opaque RGBA image, row-major, 4 bytes per pixel. */
export class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`image size ${width}×${height} is not a positive integer size`);
    }
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, [r, g, b]: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    this.data[o] = r;
    this.data[o + 1] = g;
    this.data[o + 2] = b;
    this.data[o + 3] = 255;
  }

  getPixel(x: number, y: number): Rgb {
    const o = (y * this.width + x) * 4;
    return [this.data[o], this.data[o + 1], this.data[o + 2]];
  }

  /** Fill the w×h rectangle at (x, y), clipped to the image. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.setPixel(xx, yy, color);
  }
}

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

/**
 * Decode the bytes of a user's PNG file to 8-bit RGBA. Every problem is one line naming the
 * file; pngjs's own message is kept only where it says something ("waiting on finished
 * stream" just means the data ended early).
 */
export function readPng(bytes: Uint8Array, file: string): { width: number; height: number; data: Uint8Array } {
  if (bytes.length === 0) throw new Error(`${file}: empty file (0 bytes), expected a PNG image`);
  if (!isPng(bytes)) throw new Error(`${file}: not a PNG image (no PNG signature)`);
  try {
    return decodePng(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`${file}: damaged PNG (${/finished stream/.test(msg) ? 'the data ends too early' : msg})`);
  }
}

/** Decode PNG bytes (for tests and tools). */
export function decodePng(buf: Buffer): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(buf);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
}
