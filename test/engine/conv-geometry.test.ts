// The conv geometry's sizes against hand-computed values (the conformance references use the
// same functions, so an error here would hide there), and its one-line errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  checkGroupNormGeometry,
  checkPatchGeometry,
  checkPoolGeometry,
  convMacs,
  convOutputSize,
  convWeightShape,
  describePatch,
  patchOutHeight,
  patchOutWidth,
  patchSize,
  poolOutHeight,
  poolOutputSize,
  poolOutWidth,
  type ConvGeometry,
} from '../../src/engine/conv-geometry.js';

test('conv output sizes: ⌊(n + 2·pad − K) / stride⌋ + 1', () => {
  const cases: [number, number, number, number, number][] = [
    // n, K, stride, pad, out
    [32, 3, 1, 1, 32],
    [32, 3, 2, 1, 16],
    [7, 3, 2, 0, 3],
    [4, 5, 2, 1, 1],
    [5, 1, 2, 0, 3],
    [6, 3, 2, 0, 2],
  ];
  for (const [n, K, stride, padding, out] of cases) {
    const g = { height: n, width: n + 1, channels: 2, kernel: K, stride, padding };
    assert.equal(patchOutHeight(g), out, describePatch(g));
    assert.equal(patchOutWidth(g), Math.floor((n + 1 + 2 * padding - K) / stride) + 1, describePatch(g));
  }
  const c: ConvGeometry = { height: 16, width: 16, channels: 64, kernel: 3, stride: 1, padding: 1, outChannels: 128 };
  assert.equal(patchSize(c), 576);
  assert.deepEqual(convWeightShape(c), { rows: 576, cols: 128 });
  assert.equal(convOutputSize(c), 16 * 16 * 128);
  assert.equal(convMacs(c), 576 * 128 * 256);
  assert.equal(describePatch(c), '16×16×64, 3×3 stride 1 pad 1 (→ 16×16×128)');
});

test('pool output sizes: ⌊(n − window) / stride⌋ + 1, the rest left out', () => {
  const p = { height: 7, width: 5, channels: 4, window: 3, stride: 2 };
  assert.equal(poolOutHeight(p), 3);
  assert.equal(poolOutWidth(p), 2);
  assert.equal(poolOutputSize(p), 24);
  assert.equal(poolOutHeight({ ...p, height: 32, window: 2 }), 16);
});

test('conv geometry errors are one line', () => {
  const g = { height: 8, width: 8, channels: 3, kernel: 3, stride: 1, padding: 1 };
  assert.doesNotThrow(() => checkPatchGeometry(g));
  assert.throws(() => checkPatchGeometry({ ...g, kernel: 2.5 }), /^Error: conv geometry: sizes, channels, kernel and stride must be positive integers and padding a non-negative one, got 8×8×3, 2\.5×2\.5 stride 1 pad 1$/);
  assert.throws(() => checkPatchGeometry({ ...g, padding: -1 }), /padding a non-negative one/);
  assert.throws(() => checkPatchGeometry({ ...g, outChannels: 0 } as ConvGeometry), /must be positive integers/);
  assert.throws(() => checkPoolGeometry({ height: 3, width: 8, channels: 1, window: 4, stride: 1 }), /^Error: pool geometry: the 4×4 window does not fit the 3×8 map$/);
  assert.throws(() => checkPoolGeometry({ height: 3, width: 8, channels: 1, window: 2, stride: NaN }), /^Error: pool geometry: sizes, channels, window and stride must be positive integers/);
  assert.throws(() => checkGroupNormGeometry({ positions: 4, channels: 6, groups: 4 }), /^Error: group norm geometry: 6 channels do not split into 4 equal groups$/);
  for (const bad of [() => checkPatchGeometry({ ...g, stride: 0 }), () => checkGroupNormGeometry({ positions: 0, channels: 6, groups: 3 })]) {
    assert.throws(bad, (err: Error) => !err.message.includes('\n'));
  }
});
