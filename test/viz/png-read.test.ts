// Reading users' PNG files: the size in the header is checked before anything is decompressed,
// so a small file that declares (or inflates to) a huge image is refused at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zlibWithZeros } from '../../fuzz/bombs.js';
import { encodeRawPng, joinPng } from '../../fuzz/png-chunks.js';
import { MAX_PNG_PIXELS, readPng } from '../../src/viz/png.js';
import { refusalCost } from '../helpers/refusal-cost.js';

/** A grayscale PNG of width×height declaring real (all-zero) image data for every row: ~1 KB per 1 MB of pixels. */
function zeroPng(width: number, height: number, interlaced = false, extraZeros = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width, false);
  new DataView(ihdr.buffer).setUint32(4, height, false);
  ihdr.set([8, 0, 0, 0, interlaced ? 1 : 0], 8);
  return joinPng([
    { type: 'IHDR', data: ihdr },
    { type: 'IDAT', data: zlibWithZeros(new Uint8Array(0), (width + 1) * height + extraZeros) },
    { type: 'IEND', data: new Uint8Array(0) },
  ]);
}


test('decompression bomb: a PNG declaring 20000×20000 is refused from its header when the model needs 28×28', () => {
  const bomb = zeroPng(20000, 20000);
  assert.ok(bomb.length < 1e6, `${bomb.length} bytes`);
  const { ms, grew } = refusalCost(() => readPng(bomb, 'big.png', { width: 28, height: 28 }), /^big\.png: image is 20000×20000, the model needs 28×28$/);
  assert.ok(ms < 200 && grew < 50 * 2 ** 20, `${ms.toFixed(0)} ms, ${(grew / 2 ** 20).toFixed(0)} MB`);
});

test('decompression bomb: with no size expected, a PNG over MAX_PNG_PIXELS is refused from its header', () => {
  const { ms, grew } = refusalCost(() => readPng(zeroPng(20000, 20000), 'big.png'), new RegExp(`^big\\.png: image is 20000×20000, more than the ${MAX_PNG_PIXELS} pixels`));
  assert.ok(ms < 200 && grew < 50 * 2 ** 20, `${ms.toFixed(0)} ms, ${(grew / 2 ** 20).toFixed(0)} MB`);
});

test('decompression bomb: an interlaced 28×28 PNG whose image data inflates to 300 MB is refused without inflating it all', () => {
  const bomb = zeroPng(28, 28, true, 300 * 2 ** 20);
  const { ms, grew } = refusalCost(() => readPng(bomb, 'deep.png', { width: 28, height: 28 }), /^deep\.png: damaged PNG \(its image data inflates to more than a 28×28 image holds\)$/);
  assert.ok(ms < 500 && grew < 50 * 2 ** 20, `${ms.toFixed(0)} ms, ${(grew / 2 ** 20).toFixed(0)} MB`);
});

test('PNGs that fit still decode: plain and interlaced 28×28, gray and RGBA', () => {
  const samples = (ch: number) => Array.from({ length: 28 * 28 * ch }, (_, i) => (i * 37) % 256);
  for (const [color, ch] of [[0, 1], [6, 4]] as const) {
    for (const interlaced of [false, true]) {
      const png = readPng(encodeRawPng({ width: 28, height: 28, color, depth: 8, interlaced, samples: samples(ch) }), 'ok.png', { width: 28, height: 28 });
      assert.equal(png.width, 28);
      assert.equal(png.data.length, 28 * 28 * 4);
      assert.equal(png.data[4 * 5], color === 0 ? samples(1)[5] : samples(4)[20]);
    }
  }
});
