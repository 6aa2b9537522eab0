// The job arrays `ff sweep` and `ff compare --emit slurm` write, submitted for real to a
// private one-node Slurm cluster (test/helpers/slurm-cluster.ts: Debian's slurm-wlm, started in
// seconds): every task trains into its own run directory, `ff gather` / `ff compare` build the
// table from them, and the same array submitted again trains nothing twice (a requeue).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { taskEnv, TINY_RUN as TINY } from '../helpers/job-array-tasks.js';
import { PACKAGE_ROOT, skipUnless } from '../helpers/optional.js';
import { SLURM_BINARIES, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';

const NO_SLURM = skipUnless(
  process.getuid?.() === 0 && SLURM_BINARIES.every((b) => existsSync(b)),
  "needs root and Debian's slurm-wlm (apt-get install slurm-wlm): a private one-node cluster runs the arrays",
);

const root = mkdtempSync(path.join(tmpdir(), 'ff-slurm-'));
let cluster: SlurmCluster | undefined;
before(async () => {
  if (!NO_SLURM) cluster = await startSlurmCluster(path.join(root, 'cluster'));
});
after(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

const SMALL_TASKS = ['--cpus', '1', '--mem', '1', '--hours', '0.25'];

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000 });
}

/** sbatch --wait: returns when every task of the array has ended; non-zero when one failed. */
function submit(script: string) {
  const r = spawnSync('/usr/bin/sbatch', ['--wait', script], {
    cwd: PACKAGE_ROOT, // the tasks' FF runs tsx from here
    encoding: 'utf8',
    timeout: 300_000,
    env: taskEnv(cluster!.env),
  });
  assert.equal(r.status, 0, `sbatch: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^Submitted batch job \d+$/m);
}

const log = (dir: string, i: number) => readFileSync(path.join(dir, 'logs', `${i}.log`), 'utf8');

test('ff sweep on Slurm: the array trains every run; submitted again, it trains nothing twice', { timeout: 600_000, skip: NO_SLURM }, () => {
  const out = path.join(root, 'sweep');
  const r = ff('sweep', '--preset', 'quick', '--seeds', '1,2', ...TINY, ...SMALL_TASKS, '--out', out, '--parallel', '2');
  assert.equal(r.status, 0, r.stderr);
  submit(path.join(out, 'slurm.sbatch'));
  const plan = JSON.parse(readFileSync(path.join(out, 'tasks.json'), 'utf8')) as { tasks: { dir: string }[] };
  for (const [i, t] of plan.tasks.entries()) {
    assert.match(log(out, i), /^training ff on mnist \(300 of 50000 train/m);
    assert.ok(existsSync(path.join(t.dir, 'results.json')), `task ${i} finished`);
  }
  const g = ff('gather', out);
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stdout, /^2 of 2 runs finished/);

  submit(path.join(out, 'slurm.sbatch'));
  for (const i of [0, 1]) assert.match(log(out, i), /already finished \(2 epochs\)/);
});

test('ff sweep on Slurm with --out holding a space, quotes, # and %: sbatch reads the script, the task finishes, its log is where the script says', { timeout: 600_000, skip: NO_SLURM }, () => {
  // Unquoted, `#SBATCH --output=` stopped at the space (sbatch: "Invalid directive"), or at the # (a comment).
  const out = path.join(root, `it's a "run" #1 at 100%`, 'sweep');
  const r = ff('sweep', '--preset', 'quick', '--seeds', '1', ...TINY, ...SMALL_TASKS, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  submit(path.join(out, 'slurm.sbatch'));
  assert.match(log(out, 0), /^training ff on mnist \(300 of 50000 train/m);
  const plan = JSON.parse(readFileSync(path.join(out, 'tasks.json'), 'utf8')) as { tasks: { dir: string }[] };
  assert.ok(existsSync(path.join(plan.tasks[0].dir, 'results.json')), 'the task finished');
});

test('ff compare --emit slurm on Slurm: the FF and BP nets train as an array, then ff compare builds the table without training', { timeout: 600_000, skip: NO_SLURM }, () => {
  const out = path.join(root, 'compare');
  const r = ff('compare', '--preset', 'quick', '--epochs', '1', '--emit', 'slurm', ...SMALL_TASKS, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  submit(path.join(out, 'slurm.sbatch'));
  const t = ff('compare', '--preset', 'quick', '--epochs', '1', '--out', out);
  assert.equal(t.status, 0, t.stderr);
  assert.doesNotMatch(t.stdout, /^training /m, 'every net was trained by the array');
  assert.match(readFileSync(path.join(out, 'compare.md'), 'utf8'), /\| *FF/);
});
