// A run that does not learn says so: at-chance errors, confidently wrong classifiers and
// jumping losses become warnings in the epoch line, metrics.jsonl and results.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { atChance, chanceWarnings, lossWarnings } from '../../src/train/health.js';

test('at chance: within 3 standard errors of 1 − 1/N', () => {
  // 10 classes, 1,000 examples: chance 90 %, standard error 0.95 points.
  assert.equal(atChance(0.9, 10, 1000), true);
  assert.equal(atChance(0.875, 10, 1000), true);
  assert.equal(atChance(0.86, 10, 1000), false);
  assert.equal(atChance(0.05, 10, 1000), false);
  // Fewer examples, wider band.
  assert.equal(atChance(0.82, 10, 100), true);
  assert.equal(atChance(0.82, 10, 1000), false);
  assert.deepEqual(chanceWarnings('valid', { softmax: 0.55, goodness: 0.9 }, 10, 1000), ['valid goodness error 90.0 % is at chance (90 %)']);
});

test('loss warnings: confidently wrong cross-entropy, a per-layer loss that jumped', () => {
  assert.deepEqual(lossWarnings({ softmaxLoss: 1.2, ffLoss: [0.5, 0.4] }, { softmaxLoss: 1.3, ffLoss: [0.6, 0.5] }, 10), []);
  const w = lossWarnings({ softmaxLoss: 14.2, ffLoss: [0.5, 3.0] }, { softmaxLoss: 13, ffLoss: [0.6, 1.0] }, 10);
  assert.equal(w.length, 2);
  assert.match(w[0], /^softmaxLoss 14\.20 is far worse than a uniform guess \(2\.30\)/);
  assert.equal(w[1], 'ffLoss (layer 2) jumped from 1.000 to 3.000');
  // Tiny losses may double without meaning anything.
  assert.deepEqual(lossWarnings({ trainLoss: 0.04 }, { trainLoss: 0.01 }, 10), []);
});

test('ff train with a learning rate of 0 stays at chance and says so (epoch line, metrics, results.json)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-health-'));
  try {
    const out = path.join(dir, 'run');
    const args = ['train', '--preset', 'quick', '--layers', '16,16', '--epochs', '1', '--lr', '0', '--softmax-lr', '0', '--eval-subset', '1000', '--no-progress', '--out', out];
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}warning: valid softmax error \d+\.\d % is at chance \(90 %\)$/m);
    assert.match(r.stdout, /^warning: test softmax error \d+\.\d % is at chance \(90 %\)$/m);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim()) as { warnings?: string[] };
    assert.ok(metrics.warnings?.some((w) => w.startsWith('valid softmax error')), JSON.stringify(metrics.warnings));
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { warnings?: string[] };
    assert.ok(results.warnings?.some((w) => w.startsWith('test softmax error')), JSON.stringify(results.warnings));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
