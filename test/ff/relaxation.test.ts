// Back relaxation: a clamped label reaches a layer k steps below the label layer only at
// iteration k + 1 (one layer per synchronous step), and `ff relax` writes its table, relax.json
// and a PNG for a recurrent run (and refuses a feed-forward one); `ff eval --test-from/--test-to`
// re-evaluates it with another goodness window.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { JsEngine } from '../../src/engine/js-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFNet } from '../../src/ff/ff-net.js';
import { LabelledInput } from '../../src/ff/labelled-input.js';
import { measureRelaxation } from '../../src/ff/relaxation.js';

test('the label spreads down one layer per iteration', async () => {
  const cfg: FFConfig = { ...FF_DEFAULTS, architecture: 'recurrent', layers: [12, 10, 8], labelStrength: 5 };
  const net = new FFNet(new JsEngine(), cfg, new LabelledInput(16, 4, 'none', 5, null));
  const rng = new Rng(2);
  const images = Float32Array.from({ length: 7 * 16 }, () => rng.uniform());
  const r = await measureRelaxation(net, images, 7, 4);
  assert.equal(r.distance.length, 5, 'iterations 0..4');
  const d = r.distance;
  assert.deepEqual(d[0], [0, 0, 0], 'the bottom-up pass does not depend on the label');
  assert.deepEqual([d[1][0], d[1][1]], [0, 0], 'iteration 1: only the top layer has heard the label');
  assert.ok(d[1][2] > 0);
  assert.equal(d[2][0], 0, 'iteration 2: layer 1 is still two steps away');
  assert.ok(d[2][1] > 0);
  assert.ok(d[3][0] > 0, 'iteration 3: the label has reached layer 1');
  const ff = new FFNet(new JsEngine(), { ...FF_DEFAULTS, layers: [8] }, new LabelledInput(16, 4, 'pixels', 1, null));
  await assert.rejects(measureRelaxation(ff, images, 7), /needs a recurrent net/);
});

test('ff relax: table, relax.json and PNG for a recurrent run; one-line refusal for a feed-forward run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-relax-'));
  const ff = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
  try {
    const run = path.join(dir, 'rec');
    const tiny = ['--layers', '16,12', '--epochs', '1', '--eval-subset', '200', '--no-progress'];
    const t = ff('train', '--preset', 'recurrent-quick', ...tiny, '--iterations', '3', '--test-to', '3', '--out', run);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /test error \(goodness\): \d+\.\d+ %/);
    const png = path.join(dir, 'relax.png');
    const r = ff('relax', run, '--images', '20', '--out', png);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^iteration +layer 1 trained +layer 2 trained +layer 1 untrained +layer 2 untrained$/m);
    assert.match(r.stdout, /^ +0 +0\.0000 +0\.0000 +0\.0000 +0\.0000$/m);
    const report = JSON.parse(readFileSync(path.join(run, 'relax.json'), 'utf8')) as { trained: { distance: number[][] } };
    assert.equal(report.trained.distance.length, 4);
    assert.ok(existsSync(png) && readFileSync(png).subarray(1, 4).toString() === 'PNG');
    // The report shows it, and the recurrent run's goodness panels (label clamped, settled).
    const html = path.join(dir, 'report.html');
    const rep = ff('report', run, '--out', html, '--samples', '100', '--test-count', '200');
    assert.equal(rep.status, 0, rep.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<h3>Back relaxation<\/h3>/);
    assert.match(page, /Goodness of positive vs negative data/);

    // ff eval --test-from/--test-to: the goodness classifier's window, chosen after training.
    const evalErr = (...extra: string[]) => {
      const e = ff('eval', run, '--split', 'valid', '--limit', '300', '--mode', 'goodness', ...extra);
      assert.equal(e.status, 0, e.stderr);
      return e.stdout.match(/goodness \(iterations (\d)–(\d)\): error (\d+\.\d+) %/)!.slice(1);
    };
    const asTrained = evalErr();
    assert.deepEqual(asTrained.slice(0, 2), ['3', '3']);
    assert.deepEqual(evalErr('--test-from', '3'), asTrained, 'the same window gives the same error');
    assert.deepEqual(evalErr('--test-from', '1').slice(0, 2), ['1', '3']);
    const outside = ff('eval', run, '--test-from', '2', '--test-to', '4');
    assert.notEqual(outside.status, 0);
    assert.match(outside.stderr.trim(), /^ff: --test-from\/--test-to must satisfy 1 ≤ from ≤ to ≤ 3 \(the run's iterations\), got 2\.\.4$/);

    const fwd = path.join(dir, 'ff');
    assert.equal(ff('train', '--preset', 'quick', '--layers', '8', '--epochs', '1', '--eval-subset', '100', '--no-progress', '--out', fwd).status, 0);
    const bad = ff('relax', fwd);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.trim(), /^ff: .* is not a recurrent FF run: back relaxation needs top-down connections/);
    const noWindow = ff('eval', fwd, '--test-to', '2');
    assert.notEqual(noWindow.status, 0);
    assert.match(noWindow.stderr.trim(), /^ff: --test-from\/--test-to: .* is not a recurrent FF run/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
