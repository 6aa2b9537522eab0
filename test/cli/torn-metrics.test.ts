// A metrics.jsonl whose last line a crash cut short: ff train --resume and ff report go on with
// a notice naming the file (the resume drops the line for good); a damaged line before the last
// is one ff: line naming the file and line, not "Unterminated string in JSON at position 31".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const TINY = ['--preset', 'quick', '--layers', '24,16', '--epochs', '2', '--eval-subset', '300', '--no-progress'];

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
}

const epochsIn = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { epoch: number }).epoch);

test('a torn last metrics line: --resume and ff report work with a notice; a torn middle line is one error naming file and line', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-torn-cli-'));
  try {
    const run = path.join(dir, 'run');
    const metrics = path.join(run, 'metrics.jsonl');
    const first = ff('train', ...TINY, '--out', run, '--stop-after', '1');
    assert.equal(first.status, 0, first.stderr);
    appendFileSync(metrics, '{"epoch":2,"seconds":1.2,"gain":0.0');
    const notice = `ff: notice: ${metrics}: line 2, the last, is incomplete (cut by a crash or a full disk?); ignored`;

    const resumed = ff('train', '--resume', run, '--no-progress');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.ok(resumed.stderr.includes(notice), resumed.stderr);
    assert.deepEqual(epochsIn(metrics), [1, 2], 'the resume dropped the torn line and logged epoch 2');

    appendFileSync(metrics, '{"epoch":3,"sec');
    const html = path.join(dir, 'report.html');
    const report = ff('report', run, '--out', html, '--samples', '50', '--test-count', '100', '--units', '4');
    assert.equal(report.status, 0, report.stderr);
    assert.ok(report.stderr.includes(notice.replace('line 2', 'line 3')), report.stderr);

    const lines = readFileSync(metrics, 'utf8').split('\n');
    writeFileSync(metrics, [lines[0], lines[1].slice(0, 20), lines[1], ''].join('\n'));
    const damaged = ff('report', run, '--out', html, '--samples', '50', '--test-count', '100', '--units', '4');
    assert.notEqual(damaged.status, 0);
    assert.equal(damaged.stderr.trim(), `ff: ${metrics}: line 2 is not valid JSON (the log is damaged; delete the line or the file to continue)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ff train --out a directory left with only a first epoch\'s metrics line (killed before its checkpoint): starts over with a notice', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-first-epoch-'));
  try {
    const metrics = path.join(dir, 'metrics.jsonl');
    writeFileSync(metrics, '{"epoch":1,"seconds":1.5,"gain":0.03}\n{"epoch":2,"sec');
    const r = ff('train', ...TINY, '--out', dir, '--stop-after', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /ff: notice: .*metrics\.jsonl holds only a first epoch that has no checkpoint .*; starting over/);
    assert.deepEqual(epochsIn(metrics), [1]);
    // Lines of later epochs without a checkpoint are another run's: refused as before.
    rmSync(path.join(dir, 'checkpoint.safetensors'));
    appendFileSync(metrics, '{"epoch":2,"seconds":1,"gain":0.03}\n');
    const again = ff('train', ...TINY, '--out', dir);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr.trim(), /^ff: .* holds metrics\.jsonl of another run but no checkpoint; choose another --out$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
