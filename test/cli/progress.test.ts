// The time-left estimate in each epoch line of a long run's log.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runTimeLeft, timeLeftText } from '../../src/cli/progress.js';
import type { EpochMetrics } from '../../src/train/trainer.js';

const epoch = (n: number, seconds: number) => ({ epoch: n, seconds, gain: 1 }) as EpochMetrics;

test('time left reads as seconds, minutes, or hours and minutes', () => {
  assert.equal(timeLeftText(0.2), 'about 1 s left');
  assert.equal(timeLeftText(75), 'about 75 s left');
  assert.equal(timeLeftText(600), 'about 10 min left');
  assert.equal(timeLeftText(3599), 'about 1 h 0 min left');
  assert.equal(timeLeftText(21_060), 'about 5 h 51 min left');
});

test('the estimate is the epochs left times the median of the last ten epochs, none after the last', () => {
  const left = runTimeLeft(500);
  assert.equal(left(epoch(1, 60)), timeLeftText(499 * 60));
  // One disturbed epoch (a test suite beside it) does not move the median of three.
  left(epoch(2, 48));
  assert.equal(left(epoch(3, 200)), timeLeftText(497 * 60));
  // Only the last ten count: after ten epochs of 48 s, the early ones are gone.
  let last = '';
  for (let e = 4; e <= 13; e++) last = left(epoch(e, 48))!;
  assert.equal(last, timeLeftText(487 * 48));
  const short = runTimeLeft(2);
  assert.ok(short(epoch(1, 5)));
  assert.equal(short(epoch(2, 5)), undefined);
});
