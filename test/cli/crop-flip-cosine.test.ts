// `ff train --crop P --flip --schedule cosine --lr-floor F` end to end on a tiny net: accepted,
// recorded in the run's config, changing the weights, and a run stopped after epoch 1 and
// resumed ends bit-identical to an uninterrupted one (the crop and flip draws come from the
// checkpointed RNG). Options that would do nothing are refused in one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadCheckpoint } from '../../src/train/checkpoint.js';

const root = mkdtempSync(path.join(tmpdir(), 'ff-crop-flip-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TINY = ['--preset', 'quick', '--layers', '24,16', '--epochs', '2', '--eval-subset', '300', '--no-progress'];
const AUGMENTED = [...TINY, '--crop', '2', '--flip', '--schedule', 'cosine', '--lr-floor', '0.1'];

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 240_000 });
}

test('ff train --crop 2 --flip --schedule cosine --lr-floor 0.1: trains, and resumes bit-identically', { timeout: 300_000 }, () => {
  const a = ff('train', ...AUGMENTED, '--out', path.join(root, 'a'));
  assert.equal(a.status, 0, a.stderr);
  const config = JSON.parse(readFileSync(path.join(root, 'a', 'config.json'), 'utf8'));
  assert.deepEqual([config.crop, config.flip, config.schedule, config.lrFloor], [2, true, 'cosine', 0.1]);
  // Cosine from 1 to 0.1 over two epochs: the mean gain of each half is 0.1 + 0.9·(1/2 ± 1/π).
  const gains = [...a.stdout.matchAll(/^epoch \d\/2 +gain (\d\.\d+)/gm)].map((m) => Number(m[1]));
  assert.deepEqual(gains, [0.836, 0.264]);

  const b1 = ff('train', ...AUGMENTED, '--out', path.join(root, 'b'), '--stop-after', '1');
  assert.equal(b1.status, 0, b1.stderr);
  const b2 = ff('train', '--resume', path.join(root, 'b'), '--no-progress');
  assert.equal(b2.status, 0, b2.stderr);
  const plain = ff('train', ...TINY, '--schedule', 'cosine', '--out', path.join(root, 'plain'));
  assert.equal(plain.status, 0, plain.stderr);

  const ca = loadCheckpoint(path.join(root, 'a'));
  const cb = loadCheckpoint(path.join(root, 'b'));
  const cp = loadCheckpoint(path.join(root, 'plain'));
  assert.equal(cb.state.epoch, 2);
  for (const [name, t] of ca.tensors) assert.deepEqual(cb.tensors.get(name)?.data, t.data, `tensor ${name} differs after resume`);
  assert.deepEqual(cb.state.rng, ca.state.rng);
  // Crop and flip did something: the same run without them ends elsewhere.
  assert.notDeepEqual(cp.tensors.get('layer1.weight')?.data, ca.tensors.get('layer1.weight')?.data);
});

for (const [args, message] of [
  [['--preset', 'quick', '--lr-floor', '0.2'], /^ff: --lr-floor is where --schedule cosine ends; this run's schedule is 'hinton' \(add --schedule cosine or leave --lr-floor out\)$/],
  [['--preset', 'aesop-quick', '--crop', '2'], /^ff: --crop crops images; aesop's inputs are windows of text, which it would scramble \(leave --crop out\)$/],
  [['--preset', 'aesop-quick', '--flip'], /^ff: --flip mirrors images; aesop's inputs are windows of text, which it would scramble \(leave --flip out\)$/],
  [['--preset', 'quick', '--lr-floor', '1.5', '--schedule', 'cosine'], /^ff: --lr-floor must be in \[0, 1\], got 1\.5$/],
] as const) {
  test(`ff train ${args.join(' ')}: refused in one line, nothing created`, { timeout: 90_000 }, () => {
    const out = path.join(root, args.join('_'));
    const r = ff('train', ...args, '--out', out);
    assert.notEqual(r.status, 0, `status ${r.status} (signal ${r.signal})`);
    assert.match(r.stderr.trimEnd(), message);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(out), 'no run directory');
  });
}
