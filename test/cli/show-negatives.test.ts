// `ff show-negatives` end to end: a PNG grid of a, b, mask and hybrid from a dataset or from a
// run's settings; bad input is one line and a non-zero exit. Also `ff eval` of an unsupervised
// run: its classifiers are the probes, and asking for goodness is a one-line error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { decodePng, isPng } from '../../src/viz/png.js';

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

const root = mkdtempSync(path.join(tmpdir(), 'ff-negatives-'));
const run = path.join(root, 'run');
const supervised = path.join(root, 'supervised');
const out = (name: string) => path.join(root, name);

before(async () => {
  // An untrained unsupervised model is enough: show-negatives reads only its settings.
  const cfg: FFConfig = { ...FF_DEFAULTS, negativeData: 'hybrid', layers: [24, 16], blurPasses: 3, seed: 4 };
  const model = new FFModel(getEngine(), cfg, { height: 28, width: 28, channels: 1, numClasses: 10 });
  saveCheckpoint(run, await model.toCheckpoint());
  const labelled = new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [24, 16] }, { height: 28, width: 28, channels: 1, numClasses: 10 });
  saveCheckpoint(supervised, await labelled.toCheckpoint());
});
after(() => rmSync(root, { recursive: true, force: true }));

test('show-negatives --dataset writes a grid of 4 columns and one row per pair', () => {
  const r = ff('show-negatives', '--dataset', 'mnist', '--pairs', '5', '--scale', '2', '--out', out('a.png'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote .*a\.png: 5 hybrids of mnist training images \(columns: a, b, mask, hybrid\), 6 blur passes, seed 1, mask \d+ % ones, \d+×\d+ px\n$/);
  const bytes = readFileSync(out('a.png'));
  assert.ok(isPng(bytes));
  const img = decodePng(bytes);
  const gap = 2;
  assert.equal(img.width, gap + 4 * (28 * 2 + gap));
  assert.equal(img.height, gap + 5 * (28 * 2 + gap));
  // Same seed, same picture.
  ff('show-negatives', '--dataset', 'mnist', '--pairs', '5', '--scale', '2', '--out', out('b.png'));
  assert.deepEqual(readFileSync(out('b.png')), bytes);
});

test("show-negatives RUN takes the run's blur passes and seed", () => {
  const r = ff('show-negatives', run, '--pairs', '3', '--out', out('run.png'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /3 hybrids of mnist training images .*, 3 blur passes, seed 4,/);
  assert.equal(r.stderr, '', 'a run that trained on hybrids needs no notice');
  assert.ok(isPng(readFileSync(out('run.png'))));
});

test('show-negatives RUN of a supervised run says that the run never used hybrids', { timeout: 120_000 }, () => {
  const r = ff('show-negatives', supervised, '--pairs', '2', '--out', out('supervised.png'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stderr,
    `ff: note: ${supervised} trained with wrong-label negatives (each image with a wrong label), not hybrids; ` +
      'these are the hybrids an unsupervised run (--negative-data hybrid) with its seed and blur passes would use\n',
  );
  assert.match(r.stdout, /^wrote .*supervised\.png: 2 hybrids/);
});

test('show-negatives: bad input is one line and a non-zero exit', () => {
  const cases: [string[], RegExp][] = [
    [[], /give a run directory or --dataset NAME/],
    [[run, '--dataset', 'mnist'], /give a run directory or --dataset NAME/],
    [['--dataset', 'mnist', '--pairs', '1'], /--pairs must be an integer in 2\.\.1000, got '1'/],
    [['--dataset', 'mnist', '--passes', 'x'], /--passes must be an integer/],
    [['--dataset', 'no-such-set'], /no-such-set/],
    [[path.join(root, 'missing')], /missing/],
  ];
  for (const [args, msg] of cases) {
    const r = ff('show-negatives', ...args, '--out', out('bad.png'));
    assert.notEqual(r.status, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^ff: /);
    assert.match(r.stderr, msg);
  }
});

test('eval of an unsupervised run: probe by default, no goodness classifier', () => {
  const r = ff('eval', run, '--limit', '50');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^MNIST test \(50 images\), probe: error [\d.]+ %/i);
  const layer = ff('eval', run, '--limit', '50', '--mode', 'probe-layer2');
  assert.equal(layer.status, 0, layer.stderr);
  assert.match(layer.stdout, /probe-layer2: error/);
  const bad = ff('eval', run, '--limit', '50', '--mode', 'goodness');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /^ff: --mode must be one of probe, probe-layer1, probe-layer2 for this ff run, got 'goodness'\n$/);
});
