// The cosine schedule: gain(t) = floor + (1 − floor)·(1 + cos πt)/2, from 1 at the start down to
// --lr-floor at the end, never below it; the other schedules ignore the floor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleGain } from '../../src/train/optimizer.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} ≠ ${b}`);

test('cosine: 1 at t = 0, halfway between 1 and the floor at t = 0.5, the floor as t → 1', () => {
  for (const floor of [0, 0.1, 0.25]) {
    close(scheduleGain('cosine', 0, floor), 1, `floor ${floor}, t 0`);
    close(scheduleGain('cosine', 0.5, floor), (1 + floor) / 2, `floor ${floor}, t 0.5`);
    close(scheduleGain('cosine', 0.25, floor), floor + ((1 - floor) * (1 + Math.SQRT1_2)) / 2, `floor ${floor}, t 0.25`);
    assert.ok(Math.abs(scheduleGain('cosine', 1 - 1e-6, floor) - floor) < 1e-10, `floor ${floor}, t → 1`);
  }
});

test('cosine decreases monotonically and never goes below its floor', () => {
  const floor = 0.1;
  let last = Infinity;
  for (let i = 0; i < 1000; i++) {
    const g = scheduleGain('cosine', (i + 0.5) / 1000, floor);
    assert.ok(g < last, `step ${i}: ${g} ≥ ${last}`);
    assert.ok(g >= floor && g <= 1, `step ${i}: ${g}`);
    last = g;
  }
});

test('the floor defaults to 0.1 (--lr-floor) and only cosine reads it', () => {
  close(scheduleGain('cosine', 1), 0.1, 'default floor at t = 1');
  for (const t of [0.1, 0.6, 0.9]) {
    assert.equal(scheduleGain('hinton', t, 0.5), scheduleGain('hinton', t));
    assert.equal(scheduleGain('linear', t, 0.5), 1 - t);
    assert.equal(scheduleGain('constant', t, 0.5), 1);
  }
});
