// The README's library example is executed as written (import path and run directory
// adjusted), then checked: the model it trains must classify, and the saved copy must agree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { testSeed } from './helpers/seed.js';

test('the README library example runs and its model classifies MNIST', (ctx) => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'README has a ```ts block under ## Library');
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-readme-'));
  try {
    const index = pathToFileURL(path.resolve('src/index.ts')).href;
    const runDir = path.join(dir, 'run');
    // FF_TEST_SEED (scripts/seed-sweep.mjs) reruns the example with other seeds.
    const seeded = process.env.FF_TEST_SEED ? code.replace("epochs: 2 }", `epochs: 2, seed: ${testSeed(0)} }`) : code;
    const program =
      seeded.replace("from 'forward-forward'", `from '${index}'`).replaceAll("'runs/api-example'", JSON.stringify(runDir)) +
      `
let right = 0;
for (let i = 0; i < test.count; i++) if (predictions[i] === test.labels[i]) right++;
const again2 = await again.classify(test.images, test.count, 'goodness');
console.log('RESULT', JSON.stringify({ accuracy: right / test.count, same: again2.predictions.every((p, i) => p === predictions[i]) }));
`;
    const file = path.join(dir, 'example.mts');
    writeFileSync(file, program);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: process.cwd() });
    assert.equal(r.status, 0, `example failed: ${r.stderr}`);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `no RESULT line in: ${r.stdout}`);
    const res = JSON.parse(line.slice(7)) as { accuracy: number; same: boolean };
    ctx.diagnostic(`accuracy ${JSON.stringify({ readme: res.accuracy })}`);
    // Seeds 1–10 × Haswell/SkylakeX kernels (scripts/seed-sweep.mjs, 2026-11-29): 0.929–0.943.
    assert.ok(res.accuracy > 0.89, `README model accuracy ${res.accuracy} should exceed 0.89`);
    assert.ok(res.same, 'the saved and reloaded model predicts the same labels');
    assert.match(r.stdout, /^1 \{/m, 'the onEpochEnd callback printed epoch 1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
