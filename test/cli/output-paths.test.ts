// Output paths that are not regular files, and directories that cannot be made. Each command
// refuses in one line, at once, naming the path, and leaves what was there as it was:
// `--out` a device, FIFO or directory (the atomic write's rename used to turn /dev/full into a
// PNG, as root); `--save-to` / `--dir` under /proc (Node's recursive mkdir spun at 100 % CPU
// there); a directory where checkpoint.safetensors should be.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { getPreset } from '../../src/experiments/presets.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { makeSpecialFile as make } from '../helpers/special-files.js';

function ff(...args: string[]) {
  // The timeout turns a spin (or a blocking open of a FIFO) into a failure, not a hung suite.
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
}

function oneLine(r: ReturnType<typeof ff>, message: RegExp): void {
  assert.equal(r.signal, null, `killed by ${r.signal} (it hung or spun)`);
  assert.notEqual(r.status, 0, `expected failure, got status ${r.status}\n${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], message);
  assert.doesNotMatch(r.stderr, /probe fit epoch/, 'refused before any work');
}

const root = mkdtempSync(path.join(tmpdir(), 'ff-outputs-'));
const run = path.join(root, 'run');
const unsupervised = path.join(root, 'unsupervised');
after(() => rmSync(root, { recursive: true, force: true }));

before(async () => {
  saveCheckpoint(run, await new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [20, 10] }, { height: 28, width: 28, channels: 1, numClasses: 10 }).toCheckpoint());
  const cfg = { ...FF_DEFAULTS, ...getPreset('unsupervised-quick').ff, layers: [20, 10], trainSubset: 500 } as FFConfig;
  saveCheckpoint(unsupervised, await new FFModel(getEngine(), cfg, { height: 28, width: 28, channels: 1, numClasses: 10 }).toCheckpoint());
});


const device = path.join(root, 'full-device');
const noMknod = make('mknod', [device, 'c', '1', '7']); // the numbers of /dev/full
const fifo = path.join(root, 'fifo');
const noMkfifo = make('mkfifo', [fifo]);
const cannotWrite = (p: string, what: string) => new RegExp(`^ff: ${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot write: it is ${what}, not a regular file$`);

for (const [cmd, args] of [
  ['report', () => ['report', run, '--out', device]],
  ['show-fields', () => ['show-fields', run, '--out', device]],
  ['show-negatives', () => ['show-negatives', '--dataset', 'mnist', '--out', device]],
] as const) {
  test(`ff ${cmd} --out a character device: refused, and the device stays a device`, { timeout: 150_000, skip: noMknod }, () => {
    oneLine(ff(...args()), cannotWrite(device, 'a character device'));
    assert.ok(statSync(device).isCharacterDevice());
  });
}

test('ff report --out a FIFO: refused, and the FIFO stays a FIFO', { timeout: 150_000, skip: noMkfifo }, () => {
  oneLine(ff('report', run, '--out', fifo), cannotWrite(fifo, 'a FIFO'));
  assert.ok(statSync(fifo).isFIFO());
});

test('ff show-negatives --out a directory: refused', { timeout: 150_000 }, () => {
  const d = path.join(root, 'a-directory');
  mkdirSync(d);
  oneLine(ff('show-negatives', '--dataset', 'mnist', '--out', d), cannotWrite(d, 'a directory'));
});

test('ff data download --dir under /proc: one line at once, no network, no spinning', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'download', 'mnist', '--dir', '/proc/ff-dl'], { encoding: 'utf8', timeout: 30_000 });
  oneLine(r, /^ff: cannot create directory \/proc\/ff-dl \(\/proc does not accept new files\)$/);
});

test('ff probe --save-to under /proc: one line before the fit, no spinning', { timeout: 150_000 }, () => {
  oneLine(ff('probe', unsupervised, '--epochs', '1', '--save-to', '/proc/ff-probe'), /^ff: cannot create directory \/proc\/ff-probe \(\/proc does not accept new files\)$/);
});

test('a directory in place of checkpoint.safetensors: one line naming it', { timeout: 150_000 }, () => {
  const odd = path.join(root, 'odd-run');
  mkdirSync(path.join(odd, 'checkpoint.safetensors'), { recursive: true });
  const message = new RegExp(`^ff: ${odd.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/checkpoint\\.safetensors is a directory, not a checkpoint file$`);
  oneLine(ff('eval', odd), message);
  oneLine(ff('show-fields', odd), message);
});
