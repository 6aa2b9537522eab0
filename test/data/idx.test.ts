import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, isGzip, parseIdx, readIdx, readIdxSync } from '../../src/data/idx.js';
import { defaultMnistDir, loadMnistFiles } from '../../src/data/mnist.js';
import { gzipWithZeros } from '../../fuzz/bombs.js';
import { refusalCost } from '../helpers/refusal-cost.js';

const MNIST_DIR = defaultMnistDir('mnist');
const tmp = mkdtempSync(path.join(tmpdir(), 'ff-idx-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** Asserts that `fn` rejects with a one-line message naming `file` and matching `re`. */
async function rejectsOneLine(fn: () => Promise<unknown>, file: string, re: RegExp): Promise<string> {
  let msg = '';
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    msg = e.message;
    return true;
  });
  assert.ok(!msg.includes('\n'), `one line: ${JSON.stringify(msg)}`);
  assert.ok(msg.startsWith(`${file}: `), `names the file: ${msg}`);
  assert.match(msg, re);
  return msg;
}

test('encodeIdx / parseIdx round trip', () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
  const bytes = encodeIdx([2, 3, 4], data);
  assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0, 0, 8, 3]);
  assert.equal(bytes.length, 4 + 12 + 24);
  const r = parseIdx(bytes, 'x');
  assert.deepEqual(r.dims, [2, 3, 4]);
  assert.deepEqual(Array.from(r.data), Array.from(data));
  // gzipped bytes parse the same
  const g = parseIdx(gzipSync(bytes), 'x.gz');
  assert.deepEqual(g.dims, [2, 3, 4]);
  assert.deepEqual(Array.from(g.data), Array.from(data));
});

test('real MNIST files: dims and first labels (train 5, test 7)', async () => {
  const trainLabels = await readIdx(path.join(MNIST_DIR, 'train-labels-idx1-ubyte'));
  assert.deepEqual(trainLabels.dims, [60000]);
  assert.deepEqual(Array.from(trainLabels.data.subarray(0, 5)), [5, 0, 4, 1, 9]);
  const testLabels = readIdxSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'));
  assert.deepEqual(testLabels.dims, [10000]);
  assert.deepEqual(Array.from(testLabels.data.subarray(0, 3)), [7, 2, 1]);
  const testImages = await readIdx(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'));
  assert.deepEqual(testImages.dims, [10000, 28, 28]);
  let max = 0;
  for (const b of testImages.data) if (b > max) max = b;
  assert.equal(max, 255);
});

test('gzip is detected by magic bytes, not by the file name', async () => {
  const raw = readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'));
  const gz = gzipSync(raw);
  assert.ok(isGzip(gz) && !isGzip(raw));
  const gzNoSuffix = path.join(tmp, 'labels-no-suffix');
  writeFileSync(gzNoSuffix, gz);
  const rawWithSuffix = path.join(tmp, 'labels-raw.gz');
  writeFileSync(rawWithSuffix, raw);
  for (const f of [gzNoSuffix, rawWithSuffix]) {
    const r = await readIdx(f);
    assert.deepEqual(r.dims, [10000]);
    assert.equal(r.data[0], 7);
  }
});

test('truncated file: one line naming the file, expected vs found sizes', async () => {
  const f = path.join(tmp, 'train-images-idx3-ubyte');
  writeFileSync(f, readFileSync(path.join(MNIST_DIR, 'train-images-idx3-ubyte')).subarray(0, 1000));
  const msg = await rejectsOneLine(() => readIdx(f), f, /truncated/);
  assert.equal(msg, `${f}: truncated: expected 47040016 bytes, found 1000`);
  // the same through gzip
  const g = path.join(tmp, 'train-images-truncated.gz');
  writeFileSync(g, gzipSync(readFileSync(f)));
  await rejectsOneLine(() => readIdx(g), g, /truncated: its \d+-byte gzip stream cannot hold the 47040016 bytes its IDX header declares$/);
  // header cut short
  const h = path.join(tmp, 'header-only');
  writeFileSync(h, Uint8Array.from([0, 0, 8, 3, 0, 0]));
  await rejectsOneLine(() => readIdx(h), h, /truncated: expected at least 16 header bytes, found 6/);
  const tiny = path.join(tmp, 'tiny');
  writeFileSync(tiny, Uint8Array.from([0, 0]));
  await rejectsOneLine(() => readIdx(tiny), tiny, /truncated: 2 bytes is too short/);
});

test('wrong magic, unsupported type, wrong size: one-line errors', async () => {
  const png = path.join(tmp, 'not-idx');
  writeFileSync(png, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
  await rejectsOneLine(() => readIdx(png), png, /not an IDX file: wrong magic number 89 50 4e 47/);

  const float = path.join(tmp, 'float-idx');
  writeFileSync(float, Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]));
  await rejectsOneLine(() => readIdx(float), float, /unsupported IDX data type float32 0x0d/);

  const weird = path.join(tmp, 'weird-type');
  writeFileSync(weird, Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]));
  await rejectsOneLine(() => readIdx(weird), weird, /unknown data type 0x42/);

  const long = path.join(tmp, 'too-long');
  writeFileSync(long, Buffer.concat([encodeIdx([3], Uint8Array.of(1, 2, 3)), Buffer.from([9, 9])]));
  await rejectsOneLine(() => readIdx(long), long, /wrong size: expected 11 bytes for dimensions 3, found 13/);

  const zeroDims = path.join(tmp, 'zero-dims');
  writeFileSync(zeroDims, Uint8Array.from([0, 0, 8, 0]));
  await rejectsOneLine(() => readIdx(zeroDims), zeroDims, /corrupt IDX header: 0 dimensions/);
});

test('corrupt gzip stream: one line, not a zlib stack', async () => {
  const gz = gzipSync(readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte')));
  const cut = path.join(tmp, 'cut.gz');
  writeFileSync(cut, gz.subarray(0, gz.length >> 1));
  await rejectsOneLine(() => readIdx(cut), cut, /corrupt gzip stream \(unexpected end of file\)/);

  const flipped = Buffer.from(gz);
  for (let i = 20; i < 60; i++) flipped[i] ^= 0x5a;
  const bad = path.join(tmp, 'flipped.gz');
  writeFileSync(bad, flipped);
  await rejectsOneLine(() => readIdx(bad), bad, /corrupt gzip stream/);

  const crc = Buffer.from(gz);
  crc[crc.length - 6] ^= 0xff; // stored CRC-32
  const badCrc = path.join(tmp, 'crc.gz');
  writeFileSync(badCrc, crc);
  await rejectsOneLine(() => readIdx(badCrc), badCrc, /corrupt gzip stream/);
});

test('missing file and directory: one line', async () => {
  const f = path.join(tmp, 'nope');
  await rejectsOneLine(() => readIdx(f), f, /file not found/);
  assert.throws(() => readIdxSync(f), { message: `${f}: file not found` });
  await rejectsOneLine(() => readIdx(tmp), tmp, /is a directory/);
});


test('decompression bomb: a gzip declaring 60,000 labels but holding 500 MB of zeros is refused without decompressing it', () => {
  // 00 00 08 01, then 60000: an MNIST labels header; the stream goes on far past 60,008 bytes.
  const bomb = gzipWithZeros(Uint8Array.of(0, 0, 8, 1, 0, 0, 0xea, 0x60), 500 * 2 ** 20);
  assert.ok(bomb.length < 1e6, `${bomb.length} bytes`);
  const { ms, grew } = refusalCost(() => parseIdx(bomb, 'labels.gz'), /^labels\.gz: wrong size: the gzip stream holds more than the 60008 bytes its IDX header declares$/);
  assert.ok(ms < 1000, `refused after ${ms.toFixed(0)} ms`);
  assert.ok(grew < 100 * 2 ** 20, `peak memory grew by ${(grew / 2 ** 20).toFixed(0)} MB`);
});

test('decompression bomb: a gzip whose header declares more than MAX_IDX_BYTES is refused from the header', () => {
  const bomb = gzipWithZeros(Uint8Array.of(0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff), 300 * 2 ** 20);
  const { ms, grew } = refusalCost(() => parseIdx(bomb, 'huge.gz'), /^huge\.gz: IDX header declares dimensions 4294967295 \(4294967303 bytes\), more than the 1073741824-byte limit/);
  assert.ok(ms < 500 && grew < 100 * 2 ** 20, `${ms.toFixed(0)} ms, ${(grew / 2 ** 20).toFixed(0)} MB`);
});

test('decompression bomb: the MNIST loader refuses gzipped images of the wrong shape from the header, before decompressing', async () => {
  const dir = path.join(tmp, 'mnist-bomb');
  mkdirSync(dir);
  // 60,000 images of 28×29 (so 48.7 MB of data declared), followed by 500 MB of zeros.
  writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipWithZeros(Uint8Array.of(0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 29), 500 * 2 ** 20));
  for (const f of ['train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) writeFileSync(path.join(dir, f), '');
  const before = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  await rejectsOneLine(() => loadMnistFiles('mnist', dir), path.join(dir, 'train-images-idx3-ubyte.gz'), /wrong shape: expected 28×28 images, found 28×29$/);
  const ms = performance.now() - t0;
  const grew = process.resourceUsage().maxRSS * 1024 - before;
  assert.ok(ms < 1000, `refused after ${ms.toFixed(0)} ms`);
  assert.ok(grew < 100 * 2 ** 20, `peak memory grew by ${(grew / 2 ** 20).toFixed(0)} MB`);
});

test('a gzip stream too short for the size its header declares is refused before inflating (fuzz idx #7221)', () => {
  // Header: 00 00 08 01, then 720,889,013 labels; 300 MB of zeros follow, compressed to ~300 KB.
  const bomb = gzipWithZeros(Uint8Array.of(0, 0, 8, 1, 0x2a, 0xf7, 0xe4, 0xb5), 300 * 2 ** 20);
  const { ms, grew } = refusalCost(() => parseIdx(bomb, 'short.gz'), /^short\.gz: truncated: its \d+-byte gzip stream cannot hold the 720889021 bytes its IDX header declares$/);
  assert.ok(ms < 1000 && grew < 100 * 2 ** 20, `${ms.toFixed(0)} ms, ${(grew / 2 ** 20).toFixed(0)} MB`);
});
