// What refusing a hostile input cost: the decompression-bomb tests assert that a refusal is
// quick and allocates (almost) nothing.
import assert from 'node:assert/strict';

/** Time (ms) and peak-memory growth (bytes) of `fn`, which must throw a one-line error matching `re`. */
export function refusalCost(fn: () => unknown, re: RegExp): { ms: number; grew: number } {
  const before = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  assert.throws(fn, (e: Error) => {
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, re);
    return true;
  });
  return { ms: performance.now() - t0, grew: process.resourceUsage().maxRSS * 1024 - before };
}
