// A short seeded fuzz run of every parser (npm run fuzz runs the long one): each mutated input
// must load with verified content or be refused with one clear error, within the time and
// memory limits. The seed is fixed so a failure here reproduces with
// `npm run fuzz -- --seed 20261205 --runs 200 --parser NAME`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fuzzTarget } from '../../fuzz/runner.js';
import { TARGETS } from '../../fuzz/targets.js';

const failuresDir = mkdtempSync(path.join(tmpdir(), 'ff-fuzz-test-'));
after(() => rmSync(failuresDir, { recursive: true, force: true }));

/** Inputs per parser: PNG decoding is the slowest (~25 ms an input), then the fables text (~90 ms, its windows). */
const RUNS: Record<string, number> = { png: 100, 'aesop-text': 60 };

for (const { name } of TARGETS) {
  test(`fuzz ${name}: every input loads verified or is refused with one clear error`, async () => {
    const r = await fuzzTarget(name, { runs: RUNS[name] ?? 200, seed: 20261205, failuresDir, timeoutMs: 5000, memoryLimitBytes: 512 * 2 ** 20 });
    assert.equal(r.inputs, RUNS[name] ?? 200);
    assert.ok(r.rejected > 0, 'some inputs are refused');
    assert.deepEqual(r.failures, {}, r.examples.map((e) => `#${e.index} ${e.kind}: ${e.detail.slice(0, 200)}`).join('\n'));
  });
}

test('fuzz checkpoint-config seed 777 input 1534: a long state.shape is cut in the one-line error (was 1,130 characters)', async () => {
  const r = await fuzzTarget('checkpoint-config', { runs: 1, only: [1534], seed: 777, failuresDir, timeoutMs: 5000, memoryLimitBytes: 512 * 2 ** 20 });
  assert.equal(r.rejected, 1);
  assert.deepEqual(r.failures, {}, r.examples.map((e) => e.detail.slice(0, 200)).join('\n'));
});
