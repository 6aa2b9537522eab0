// Every usage error Commander finds (unknown option or command, missing argument, a value an
// option's parser refuses) — on ff itself and on each subcommand, however deep — prints as the
// project's other errors do: `ff: <message>` on one line, then only the usage hint; non-zero exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
}

for (const [args, message, hint] of [
  [['compare', '--epochs', '0'], /^ff: option '--epochs <n>' argument '0' is invalid\. must be an integer in 1\.\.100000$/, 'ff compare'],
  // Commander hands the raw text to the parser: only digits are an epoch count, not Number()'s 0x10.
  [['compare', '--epochs', '0x10'], /^ff: option '--epochs <n>' argument '0x10' is invalid\. must be an integer in 1\.\.100000$/, 'ff compare'],
  [['generate', 'RUN', '--length', '1e2'], /^ff: option '--length <n>' argument '1e2' is invalid\. must be an integer in 1\.\.100000$/, 'ff generate'],
  [['sweep', '--cpus', '2.5'], /^ff: option '--cpus <n>' argument '2\.5' is invalid\. must be an integer ≥ 1$/, 'ff sweep'],
  // A line break in the value Commander quotes is written as \n, not as a second line (issue 31).
  [['sweep', '--cpus', '1\nx\u2028'], /^ff: option '--cpus <n>' argument '1\\nx\\u2028' is invalid\. must be an integer ≥ 1$/, 'ff sweep'],
  [['report', '--bogus'], /^ff: unknown option '--bogus'$/, 'ff report'],
  [['eval'], /^ff: missing required argument 'dir'$/, 'ff eval'],
  [['data', 'download'], /^ff: missing required argument 'name'$/, 'ff data download'],
  [['data', 'bogus'], /^ff: unknown command 'bogus'$/, 'ff data'],
  [['bogus'], /^ff: unknown command 'bogus'$/, 'ff'],
  [['--bogus'], /^ff: unknown option '--bogus'$/, 'ff'],
] as const) {
  test(`usage error: ff ${args.join(' ')} prints one ff: line and the hint`, { timeout: 90_000 }, () => {
    const r = ff(...args);
    assert.notEqual(r.status, 0, `status ${r.status} (signal ${r.signal})`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0], message);
    assert.deepEqual(lines.slice(1), [`(run ${hint} --help for usage)`]);
  });
}

// Counts given to the subcommands are digits only, like the training options (train/options.ts):
// Number() would also read 0x10, 1e1 and Infinity. One parser (src/cli/int-option.ts), one message.
const root = mkdtempSync(path.join(tmpdir(), 'ff-usage-'));
const run = path.join(root, 'run');
before(async () => {
  saveCheckpoint(run, await new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [20, 10] }, { height: 28, width: 28, channels: 1, numClasses: 10 }).toCheckpoint());
});
after(() => rmSync(root, { recursive: true, force: true }));

for (const [args, message] of [
  [['train', '--out', '/tmp/ff-never', '--stop-after', '0x2'], /^ff: --stop-after must be an integer ≥ 1, got '0x2'$/],
  [['eval', 'RUN', '--k', '0x2'], /^ff: --k must be an integer in 1\.\.10, got '0x2'$/],
  [['eval', 'RUN', '--limit', '1e1'], /^ff: --limit must be an integer ≥ 1, got '1e1'$/],
  [['eval', 'RUN', '--device', '5000000000'], /^ff: --device must be an integer in 1\.\.4294967295, got '5000000000'$/],
  [['relax', 'RUN', '--images', '0x10'], /^ff: --images must be an integer ≥ 1, got '0x10'$/],
  [['show-fields', 'RUN', '--layer', '-1'], /^ff: --layer must be an integer ≥ 1, got '-1'$/],
  [['serve', '--port', '70000'], /^ff: --port must be an integer in 0\.\.65535, got '70000'$/],
] as const) {
  test(`ff ${args.join(' ')}: only digits are a count`, { timeout: 90_000 }, () => {
    const r = ff(...args.map((a) => (a === 'RUN' ? run : a)));
    assert.notEqual(r.status, 0, `status ${r.status} (signal ${r.signal})`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), message);
  });
}
