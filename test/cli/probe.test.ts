// `ff probe DIR` end to end on a small untrained unsupervised run (random ReLU features are
// enough for a linear probe to beat chance): the table of online vs refit probes and
// DIR/probe-refit.json, shown by ff report; --save-to writes a copy that evaluates with the
// refit probes; a supervised run and a bad --epochs are one-line errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { getPreset } from '../../src/experiments/presets.js';
import { buildReport } from '../../src/viz/report.js';

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

const root = mkdtempSync(path.join(tmpdir(), 'ff-probe-'));
const unsupervised = path.join(root, 'unsupervised');
const supervised = path.join(root, 'supervised');
const shape = { height: 28, width: 28, channels: 1, numClasses: 10 };

before(async () => {
  const cfg = { ...FF_DEFAULTS, ...getPreset('unsupervised-quick').ff, layers: [40, 30, 20], trainSubset: 2000 } as FFConfig;
  saveCheckpoint(unsupervised, await new FFModel(getEngine(), cfg, shape).toCheckpoint());
  saveCheckpoint(supervised, await new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [20, 10] }, shape).toCheckpoint());
});
after(() => rmSync(root, { recursive: true, force: true }));

test('ff probe: refit probes on the frozen layers, compared with the online ones; results file', () => {
  const r = ff('probe', unsupervised, '--epochs', '2');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^probes refit on 2,000 training images for 2 epochs/);
  for (const mode of ['probe', 'probe-layer1', 'probe-layer2', 'probe-layer3']) assert.match(r.stdout, new RegExp(`^${mode} +\\d`, 'm'));
  assert.match(r.stderr, /probe fit epoch 1\/2: train error [\d.]+ % +[\d.]+ s, about \d+ s left\n/);
  assert.match(r.stderr, /probe fit epoch 2\/2: train error [\d.]+ % +[\d.]+ s\n/);
  const file = path.join(unsupervised, 'probe-refit.json');
  assert.ok(existsSync(file));
  const json = JSON.parse(readFileSync(file, 'utf8')) as { probes: { mode: string; online: Record<string, number>; refit: Record<string, number> }[] };
  assert.equal(json.probes.length, 4);
  const combined = json.probes[0];
  // Untrained online probes are all-zero heads (chance); the refit one reads random features.
  assert.ok(combined.online.test > 0.8, `online ${combined.online.test}`);
  assert.ok(combined.refit.test < 0.5 && combined.refit.valid < 0.5, `refit ${JSON.stringify(combined.refit)} (chance 0.9)`);
});

test('ff probe --save-to: a copy of the run that evaluates with the refit probes; the run keeps its own', () => {
  const copy = path.join(root, 'refit-copy');
  const r = ff('probe', unsupervised, '--epochs', '1', '--save-to', copy);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /the run with the refit probes: ff eval .*refit-copy --mode probe\)$/m);
  const refit = (JSON.parse(readFileSync(path.join(copy, 'probe-refit.json'), 'utf8')) as { probes: { mode: string; online: Record<string, number>; refit: Record<string, number> }[] }).probes;
  const errorOf = (dir: string, mode: string) => {
    const ev = ff('eval', dir, '--mode', mode);
    assert.equal(ev.status, 0, ev.stderr);
    return Number(/error ([\d.]+) %/.exec(ev.stdout)![1]) / 100;
  };
  for (const p of [refit[0], refit[3]]) {
    assert.equal(errorOf(copy, p.mode).toFixed(4), p.refit.test.toFixed(4), `${p.mode} in the copy`);
    assert.equal(errorOf(unsupervised, p.mode).toFixed(4), p.online.test.toFixed(4), `${p.mode} in the run`);
  }
  const results = JSON.parse(readFileSync(path.join(copy, 'results.json'), 'utf8')) as { test: Record<string, number>; probesRefit: { epochs: number } };
  assert.equal(results.test.probe, refit[0].refit.test);
  assert.equal(results.probesRefit.epochs, 1);
  // Refused before any fitting: the run itself, or a directory with something in it.
  for (const [to, re] of [[unsupervised, /that is the run itself/], [copy, /exists and is not empty/]] as const) {
    const bad = ff('probe', unsupervised, '--save-to', to);
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, re);
    assert.doesNotMatch(bad.stderr, /probe fit epoch/);
  }
});

test('ff report shows the refit probes next to the online ones', async () => {
  const report = await buildReport([unsupervised], { samples: 50, testCount: 50 });
  assert.match(report.html, /<h3>Linear probes fitted afterwards<\/h3>/);
  assert.match(report.html, /<tr><td>probe-layer3<\/td>(<td>[\d.]+ %<\/td>){4}<\/tr>/);
  assert.ok(!report.warnings.some((w) => /refit/.test(w)), report.warnings.join('; '));
});

test('ff probe: one-line errors for a supervised run and a bad --epochs', () => {
  const cases: [string[], RegExp][] = [
    [[supervised], /is not an unsupervised FF run/],
    [[unsupervised, '--epochs', '0'], /--epochs must be an integer ≥ 1, got '0'/],
    [[path.join(root, 'nope')], /nope/],
  ];
  for (const [args, re] of cases) {
    const r = ff('probe', ...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], re);
  }
});
