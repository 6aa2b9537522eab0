// `ff eval` on a conv cwc run: 'groups' by default, then a table of each layer alone and each
// range of layers whose numbers are those `ff eval --mode groups-layerK|groups-layersI-J` prints
// on its own; a per-layer mode prints no table; --tta flip says so in its line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

const root = mkdtempSync(path.join(tmpdir(), 'ff-eval-groups-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('ff eval on a cwc conv run: groups, then every layer alone from the same pass', () => {
  const run = path.join(root, 'run');
  const tr = ff('train', '--preset', 'mnist-conv-quick', '--layers', '10,20', '--goodness-layers', '1,2', '--softmax-layers', '2', '--pool-after', '1', '--epochs', '1', '--train-subset', '300', '--eval-subset', '100', '--no-progress', '--out', run);
  assert.equal(tr.status, 0, tr.stderr);
  const ev = ff('eval', run, '--limit', '300');
  assert.equal(ev.status, 0, ev.stderr);
  const out = ev.stdout;
  assert.match(out, /^mnist test \(300 images\), groups \(layers 1, 2 summed\): error \d+\.\d\d % \(\d+ wrong\)/);
  const table = out.slice(out.indexOf('each layer alone and each range of layers summed (their class groups, from the same pass):')).trim().split('\n');
  assert.equal(table.length, 1 + 1 + 3, out);
  assert.match(table[1], /^\s+layers\s+classifier\s+error\s+wrong\s+accuracy\s+bits\/image$/);
  const rows: [string, string][] = [['1', 'groups-layer1'], ['2', 'groups-layer2'], ['1–2', 'groups-layers1-2']];
  rows.forEach(([layers, mode], n) => {
    const cells = table[2 + n].trim().split(/\s{2,}/);
    assert.deepEqual(cells.slice(0, 2), [layers, mode]);
    // The same error as the mode's own evaluation.
    const alone = ff('eval', run, '--limit', '300', '--mode', mode);
    assert.equal(alone.status, 0, alone.stderr);
    const m = /groups-layers?[\d-]+: error (\d+\.\d\d %) \((\d+) wrong\), accuracy (\d+\.\d\d %)/.exec(alone.stdout);
    assert.ok(m, alone.stdout);
    assert.deepEqual(cells.slice(2, 5), [m[1], m[2], m[3]]);
    assert.ok(!alone.stdout.includes('each layer alone'), 'a per-layer mode prints no table');
  });
  const lowest = table.slice(2).filter((r) => r.endsWith('← lowest'));
  assert.ok(lowest.length >= 1, out);
  const flipped = ff('eval', run, '--limit', '50', '--mode', 'softmax', '--tta', 'flip');
  assert.equal(flipped.status, 0, flipped.stderr);
  assert.match(flipped.stdout, /^mnist test \(50 images\), softmax, averaged with the mirror image: error/);
  const bad = ff('eval', run, '--mode', 'goodness');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr.trim(), /^ff: --mode must be one of groups, groups-layer1, groups-layer2, softmax or groups-layersI-J for this ff run, got 'goodness'$/);
  for (const [args, message] of [[['--mode', 'groups-layers1-3'], /^ff: unknown mode 'groups-layers1-3' for an FF model/], [['--tta', 'crop'], /^ff: --tta must be 'flip', got 'crop'$/]] as const) {
    const r = ff('eval', run, ...args);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr.trim(), message);
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');
  }
});
