// `ff train` and its run directory: an unusable --out fails at once in one line (before the
// dataset is read, never spinning); one process at a time owns a directory (DIR/.lock,
// stale locks taken over); --resume refuses options it cannot honour and knows finished
// runs; a net too big for the machine is refused before it is allocated.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { estimateTrainingMemory, machineMemory, memoryRefusal } from '../../src/train/memory-estimate.js';
import { acquireRunLock, LOCK_FILE } from '../../src/util/run-lock.js';

const TINY = ['--preset', 'quick', '--layers', '24,16', '--epochs', '2', '--eval-subset', '300', '--no-progress'];
// A data directory that does not exist: if the dataset were read before --out is checked,
// the error would be about the data.
const NO_DATA = ['--data-dir', '/nonexistent/ff-data'];

function ff(...args: string[]) {
  const t0 = performance.now();
  // The timeout turns a regression into a failure instead of a hung suite (mkdir used to spin);
  // generous, because the tiny trainings here take minutes on a machine busy with other runs.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 180_000 });
  return { ...r, ms: performance.now() - t0 };
}

function oneLine(r: ReturnType<typeof ff>, message: RegExp): void {
  assert.notEqual(r.status, 0, `expected failure, got status ${r.status} (signal ${r.signal})\n${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], message);
  assert.equal(r.stdout, '', 'nothing may be trained or printed before the refusal');
}

/** Node + tsx start-up on this machine: what any command costs before it does anything. */
let startupMs: number | undefined;
function startup(): number {
  if (startupMs === undefined) {
    const runs = [ff('train', '--out', '/tmp/x', '--bogus', '1'), ff('train', '--out', '/tmp/x', '--bogus', '1')];
    startupMs = Math.min(...runs.map((r) => r.ms));
  }
  return startupMs;
}

/**
 * The most a command that refuses "at once" may take: its start-up plus `extraMs`, with the
 * start-up counted twice because on a loaded machine (the suite run beside a training) one
 * start-up varies by that much. A command that reads the dataset, allocates or spins first
 * takes far longer, or hits the timeout.
 */
const atOnce = (extraMs: number) => 2 * startup() + extraMs;

const dir = mkdtempSync(path.join(tmpdir(), 'ff-rundir-'));
const file = path.join(dir, 'a-file');
writeFileSync(file, 'not a directory\n');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

for (const [what, out, message] of [
  ['an existing regular file', file, /^ff: .*a-file exists and is not a directory$/],
  ['a path under a regular file', path.join(file, 'run'), /^ff: .*a-file\/run: .*a-file is a file, not a directory$/],
  ['a new directory under /proc (mkdir -p used to spin there)', '/proc/ff-run', /^ff: cannot create directory \/proc\/ff-run \(\/proc does not accept new files\)$/],
  ['/proc itself (a directory nobody can write)', '/proc', /^ff: \/proc: cannot write there/],
  ['/dev/full', '/dev/full', /^ff: \/dev\/full exists and is not a directory$/],
  ['a path under /dev/full', '/dev/full/run', /^ff: \/dev\/full\/run: \/dev\/full is a file, not a directory$/],
  ['a read-only place (/sys)', '/sys/ff-run', /^ff: cannot create directory \/sys\/ff-run \(/],
] as const) {
  test(`ff train --out ${what}: one line, at once, before the dataset is read`, () => {
    const r = ff('train', ...TINY, ...NO_DATA, '--out', out);
    oneLine(r, message);
    // The check itself must take well under a second beyond Node's start-up.
    assert.ok(r.ms < atOnce(1000), `took ${r.ms.toFixed(0)} ms (start-up alone ${startup().toFixed(0)} ms)`);
  });
}

test('ff train --out a read-only directory (chmod; not for root, who writes anyway)', { skip: process.getuid?.() === 0 && 'running as root' }, () => {
  const ro = path.join(dir, 'read-only');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  try {
    oneLine(ff('train', ...TINY, ...NO_DATA, '--out', ro), /^ff: .*read-only: cannot write there \(permission denied\)$/);
  } finally {
    chmodSync(ro, 0o755);
  }
});

test('writeFileAtomic under /proc fails at once instead of spinning', () => {
  const code = "import('./src/util/atomic-write.ts').then((m) => m.writeFileAtomic('/proc/ff-run/x.json', '{}'))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'it spun until the timeout');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /\/proc\/ff-run\/x\.json: cannot write: cannot create directory \/proc\/ff-run/);
});

test('one writer per run directory: stale lock taken over, live lock refused, --resume checks, finished runs', () => {
  const run = path.join(dir, 'run');
  const lock = path.join(run, LOCK_FILE);
  // A lock left by a process that is gone (pid far above pid_max) is taken over with a notice.
  mkdirSync(run);
  writeFileSync(lock, `${JSON.stringify({ pid: 2 ** 31 - 2, hostname: hostname(), since: '2020-01-01T00:00:00Z' })}\n`);
  const first = ff('train', ...TINY, '--out', run, '--stop-after', '1');
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /^ff: taking over .*\.lock: pid 2147483646, which held it, is no longer running$/m);
  assert.match(first.stdout, /stopped after epoch 1 of 2/);
  assert.ok(!existsSync(lock), 'the lock is released at exit');

  // While a live process (this test) holds the lock, a second writer is refused, naming it.
  const held = acquireRunLock(run);
  try {
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
    const inUse = new RegExp(`^ff: .*run is in use by another ff process \\(pid ${process.pid}, since .*\\); wait for it to finish, or remove .*\\.lock if that process is not running$`);
    oneLine(ff('train', '--resume', run, '--no-progress'), inUse);
    oneLine(ff('train', ...TINY, '--out', run), inUse);
    assert.throws(() => acquireRunLock(run), /is in use by another ff process/);
    // ff compare claims its directory the same way.
    oneLine(ff('compare', '--preset', 'quick', '--epochs', '1', '--out', run, '--no-progress'), inUse);
  } finally {
    held.release();
  }
  assert.ok(!existsSync(lock));

  // --resume continues the run as configured: options that would change it are refused.
  oneLine(ff('train', '--resume', run, '--preset', 'quick'), /^ff: --resume continues the run as it was configured; remove --preset$/);
  oneLine(ff('train', '--resume', run, '--algo', 'bp'), /^ff: --resume continues the run as it was configured; remove --algo$/);
  oneLine(ff('train', '--resume', run, '--out', run), /^ff: --resume continues the run in its own directory; remove --out$/);
  oneLine(ff('train', '--resume', path.join(dir, 'no-such-run')), /^ff: .*no-such-run: no such run directory$/);

  const rest = ff('train', '--resume', run, '--no-progress');
  assert.equal(rest.status, 0, rest.stderr);
  assert.match(rest.stdout, /test error \(softmax\)/);
  const results = readFileSync(path.join(run, 'results.json'), 'utf8');

  // A finished run says so (not "0.00 s per training epoch") and changes nothing.
  const again = ff('train', '--resume', run, '--no-progress');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, `run ${run} is already finished (2 epochs); results in ${path.join(run, 'results.json')}\n`);
  assert.equal(readFileSync(path.join(run, 'results.json'), 'utf8'), results);

  // Killed during the final test evaluation (no results.json): resuming does just that.
  unlinkSync(path.join(run, 'results.json'));
  const finalEval = ff('train', '--resume', run, '--no-progress');
  assert.equal(finalEval.status, 0, finalEval.stderr);
  assert.match(finalEval.stdout, /finished its 2 epochs but has no results\.json; evaluating on the test set/);
  assert.doesNotMatch(finalEval.stdout, /0\.00 s per training epoch|^epoch /m);
  const testLines = (s: string) => s.split('\n').filter((l) => l.startsWith('test error'));
  assert.deepEqual(testLines(finalEval.stdout), testLines(rest.stdout));
  assert.ok(existsSync(path.join(run, 'results.json')));
  assert.ok(!existsSync(lock));
});

test('a failed start leaves no empty run directory behind', () => {
  const out = path.join(dir, 'never-trained');
  oneLine(ff('train', ...TINY, '--softmax-layers', '9', '--out', out), /^ff: softmax-layers: layer 9 does not exist/);
  assert.ok(!existsSync(out));
});

for (const algo of ['ff', 'bp']) {
  test(`--algo ${algo} --layers 100000,100000 is refused before allocating (arrays that long do not exist)`, () => {
    const r = ff('train', ...TINY, '--algo', algo, '--layers', '100000,100000', '--out', path.join(dir, `huge-${algo}`));
    oneLine(r, /--layers 100000,100000: the layer 2 weights would be 100000×100000 = 10,000,000,000 values; Node\.js arrays hold at most 4,294,967,296$/);
    assert.ok(r.ms < atOnce(5000), `took ${r.ms.toFixed(0)} ms (start-up alone ${startup().toFixed(0)} ms)`);
  });

  const net = { algo, layers: [40000, 40000], optimizer: algo === 'ff' ? 'smooth' : 'momentum', batchSize: 100, inputSize: 784, numClasses: 10 };
  const fits = memoryRefusal(net, estimateTrainingMemory(net), machineMemory()) === undefined;
  test(`--algo ${algo} --layers 40000,40000 is refused before allocating on this machine`, { skip: fits && 'this machine has the memory for it' }, () => {
    const r = ff('train', ...TINY, '--algo', algo, '--layers', '40000,40000', '--out', path.join(dir, `big-${algo}`));
    oneLine(r, /--layers 40000,40000 needs about 4\d\.\d GB for weights, optimizer state, gradients and checkpoint copies; this machine has \d+\.\d+ GB/);
    assert.ok(r.ms < atOnce(5000), `took ${r.ms.toFixed(0)} ms (start-up alone ${startup().toFixed(0)} ms)`);
    assert.ok(!existsSync(path.join(dir, `big-${algo}`)));
  });
}
