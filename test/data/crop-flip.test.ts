// Crop (pad with zeros, random window) and flip (mirror with probability 1/2) on channel-planar
// images, and the minibatch augmentation that chains jitter → crop → flip: exact pixels, the
// draws they take from the run's RNG (none when off, so existing runs train as before), and
// the same output from the same seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentBatch } from '../../src/data/augment-batch.js';
import { jitterImages } from '../../src/data/augment.js';
import { cropFlipImages, flipImage } from '../../src/data/crop-flip.js';
import { Rng } from '../../src/engine/rng.js';

const H = 4;
const W = 5;
const C = 2;
const SIZE = H * W * C;

/** `count` images whose every value differs (1, 2, 3, …): a misplaced pixel shows. */
function numbered(count: number): Float32Array {
  return Float32Array.from({ length: count * SIZE }, (_, i) => i + 1);
}

/** dst(c, y, x) = src(c, y − dy, x − dx), 0 outside: written out here, not with shiftImage. */
function shiftedByHand(src: Float32Array, at: number, dx: number, dy: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const sy = y - dy;
        const sx = x - dx;
        out.push(sy >= 0 && sy < H && sx >= 0 && sx < W ? src[at + c * H * W + sy * W + sx] : 0);
      }
    }
  }
  return out;
}

test('flipImage mirrors each row of each channel; twice is the identity', () => {
  const img = numbered(1);
  const once = img.slice();
  flipImage(once, 0, H, W, C);
  assert.deepEqual([...once.subarray(0, W)], [5, 4, 3, 2, 1]);
  assert.deepEqual([...once.subarray(H * W, H * W + W)], [25, 24, 23, 22, 21], 'second channel, first row');
  const twice = once.slice();
  flipImage(twice, 0, H, W, C);
  assert.deepEqual([...twice], [...img]);
});

test('crop 0 without flip changes nothing and draws nothing', () => {
  const imgs = numbered(3);
  const rng = new Rng(5);
  const before = rng.getState();
  cropFlipImages(imgs, new Float32Array(0), 3, H, W, C, 0, false, rng);
  assert.deepEqual([...imgs], [...numbered(3)]);
  assert.deepEqual(rng.getState(), before);
});

test('crop P shifts each image by its own (dx, dy) drawn in [−P, P]: the expected pixels', () => {
  const P = 2;
  const count = 200;
  const src = numbered(count);
  const imgs = src.slice();
  const rng = new Rng(11);
  const replay = new Rng(11);
  cropFlipImages(imgs, new Float32Array(SIZE), count, H, W, C, P, false, rng);
  const seen = new Set<string>();
  for (let n = 0; n < count; n++) {
    const dx = replay.int(2 * P + 1) - P;
    const dy = replay.int(2 * P + 1) - P;
    seen.add(`${dx},${dy}`);
    assert.deepEqual([...imgs.subarray(n * SIZE, (n + 1) * SIZE)], shiftedByHand(src, n * SIZE, dx, dy), `image ${n}, shift (${dx}, ${dy})`);
  }
  assert.equal(seen.size, 25, 'all 25 windows of a 2-pixel pad occur in 200 images');
  assert.deepEqual(rng.getState(), replay.getState(), 'two draws per image, nothing else');
});

test('a known crop: shift (1, −1) moves pixels right and up, zeros where the pad shows', () => {
  // Find a seed whose first draw is dx = 1, dy = −1 with P = 1, then check every pixel.
  let seed = 1;
  for (; ; seed++) {
    const r = new Rng(seed);
    if (r.int(3) - 1 === 1 && r.int(3) - 1 === -1) break;
  }
  const img = numbered(1);
  cropFlipImages(img, new Float32Array(SIZE), 1, H, W, C, 1, false, new Rng(seed));
  // Channel 0 was rows [1..5], [6..10], [11..15], [16..20].
  assert.deepEqual([...img.subarray(0, H * W)], [0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 0, 16, 17, 18, 19, 0, 0, 0, 0, 0]);
});

test('flip draws one coin per image and mirrors about half of them', () => {
  const count = 1000;
  const imgs = numbered(count);
  const rng = new Rng(3);
  const replay = new Rng(3);
  cropFlipImages(imgs, new Float32Array(0), count, H, W, C, 0, true, rng);
  let flipped = 0;
  for (let n = 0; n < count; n++) {
    const expected = numbered(count).subarray(n * SIZE, (n + 1) * SIZE).slice();
    if (replay.int(2) === 1) {
      flipImage(expected, 0, H, W, C);
      flipped++;
    }
    assert.deepEqual([...imgs.subarray(n * SIZE, (n + 1) * SIZE)], [...expected], `image ${n}`);
  }
  assert.ok(flipped > 430 && flipped < 570, `${flipped} of 1000 flipped`);
  assert.deepEqual(rng.getState(), replay.getState());
});

test('the same seed gives the same crop and flip; another seed another', () => {
  const run = (seed: number) => {
    const imgs = numbered(20);
    cropFlipImages(imgs, new Float32Array(SIZE), 20, H, W, C, 3, true, new Rng(seed));
    return imgs;
  };
  assert.deepEqual([...run(7)], [...run(7)]);
  assert.notDeepEqual([...run(7)], [...run(8)]);
});

test('augmentBatch with the defaults returns the images as read and draws nothing', () => {
  const imgs = numbered(4);
  const rng = new Rng(9);
  const before = rng.getState();
  const out = augmentBatch(imgs, new Float32Array(4 * SIZE), 4, H, W, C, { jitter: 0, crop: 0, flip: false }, rng);
  assert.equal(out, imgs, 'no copy');
  assert.deepEqual(rng.getState(), before);
});

test('augmentBatch with jitter only is the jitter of before (same pixels, same draws)', () => {
  const imgs = numbered(6);
  const a = new Float32Array(6 * SIZE);
  const b = new Float32Array(6 * SIZE);
  const ra = new Rng(4);
  const rb = new Rng(4);
  const out = augmentBatch(imgs, a, 6, H, W, C, { jitter: 2, crop: 0, flip: false }, ra);
  jitterImages(imgs, b, 6, H, W, C, 2, rb);
  assert.deepEqual([...out], [...b]);
  assert.deepEqual(ra.getState(), rb.getState());
});

test('augmentBatch chains jitter (whole batch), then crop and flip (image by image), leaving the input alone', () => {
  const count = 8;
  const imgs = numbered(count);
  const rng = new Rng(21);
  const out = augmentBatch(imgs, new Float32Array(count * SIZE + 7), count, H, W, C, { jitter: 1, crop: 2, flip: true }, rng);
  assert.equal(out.length, count * SIZE);
  assert.deepEqual([...imgs], [...numbered(count)], 'the batch as read is unchanged');

  const replay = new Rng(21);
  const expected = new Float32Array(count * SIZE);
  jitterImages(imgs, expected, count, H, W, C, 1, replay);
  cropFlipImages(expected, new Float32Array(SIZE), count, H, W, C, 2, true, replay);
  assert.deepEqual([...out], [...expected]);
  assert.deepEqual(rng.getState(), replay.getState());
});
