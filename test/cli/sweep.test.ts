// `ff sweep` and `ff compare --emit`: the files a cluster runs (tasks.sh, a Slurm job array, a
// Kubernetes Indexed Job) are written, and every task runs here, task by task, with the array
// index set as the scheduler would: a fresh run, a resumed one, a finished one reported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { taskEnv, TINY_RUN as TINY } from '../helpers/job-array-tasks.js';
import { PACKAGE_ROOT } from '../helpers/optional.js';

const root = mkdtempSync(path.join(tmpdir(), 'ff-sweep-'));
after(() => rmSync(root, { recursive: true, force: true }));

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FF_DEBUG: '' } });
}

/** Runs task `index` of tasks.sh as Slurm or Kubernetes would (index as the argument). */
function runTask(dir: string, index: number) {
  return spawnSync('bash', [path.join(dir, 'tasks.sh'), String(index)], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    env: taskEnv(),
  });
}

test('ff sweep writes tasks.sh, a Slurm array and an Indexed Job; each task trains, resumes, and reports itself finished', { timeout: 600_000 }, () => {
  const out = path.join(root, 'sweep');
  const r = ff('sweep', '--preset', 'quick', '--seeds', '1,2', ...TINY, '--out', out, '--parallel', '2', '--hours', '1.5');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^2 tasks \(ff sweep: quick × seeds 1, 2 × layers/);
  assert.match(r.stdout, /sbatch .*slurm\.sbatch/);

  const slurm = readFileSync(path.join(out, 'slurm.sbatch'), 'utf8');
  assert.match(slurm, /^#SBATCH --array=0-1%2$/m);
  assert.match(slurm, /^#SBATCH --time=01:30:00$/m);
  assert.match(slurm, new RegExp(`^#SBATCH --output="${out}/logs/%a\\.log"$`, 'm'), 'one sbatch word (quoted: a path may hold spaces)');
  assert.ok(existsSync(path.join(out, 'logs')), 'Slurm needs the log folder to exist');
  assert.match(slurm, /exec bash .*tasks\.sh "\$SLURM_ARRAY_TASK_ID"$/m);

  const k8s = readFileSync(path.join(out, 'k8s-job.yaml'), 'utf8');
  assert.match(k8s, /^ {2}completionMode: Indexed$/m);
  assert.match(k8s, /^ {2}completions: 2$/m);
  assert.match(k8s, /^ {2}parallelism: 2$/m);
  assert.match(k8s, /^ {6}activeDeadlineSeconds: 5400$/m);
  assert.match(k8s, /\$JOB_COMPLETION_INDEX/);
  // The ConfigMap carries the very same tasks.sh.
  const tasks = readFileSync(path.join(out, 'tasks.sh'), 'utf8');
  const embedded = k8s.split('\n').filter((l) => l.startsWith('    ') || l === '');
  assert.ok(tasks.split('\n').filter(Boolean).every((l) => embedded.includes(`    ${l}`)), 'tasks.sh is in the ConfigMap');

  const plan = JSON.parse(readFileSync(path.join(out, 'tasks.json'), 'utf8')) as { tasks: { name: string; dir: string }[] };
  assert.deepEqual(plan.tasks.map((t) => t.name), [
    'quick-s1-layers20-epochs2-train-subset300-eval-subset100-batch-size50',
    'quick-s2-layers20-epochs2-train-subset300-eval-subset100-batch-size50',
  ]);

  // Task 0 from scratch; task 1 first stopped after one epoch (a preempted job), then continued.
  const t0 = runTask(out, 0);
  assert.equal(t0.status, 0, t0.stderr);
  assert.match(t0.stdout, /^training ff on mnist/m);
  assert.ok(existsSync(path.join(plan.tasks[0].dir, 'results.json')));
  const seed = (d: string) => (JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8')) as { seed: number }).seed;
  assert.equal(seed(plan.tasks[0].dir), 1);

  const args = ['train', '--preset', 'quick', '--seed', '2', '--layers', '20', '--epochs', '2', '--train-subset', '300', '--eval-subset', '100', '--batch-size', '50'];
  const pre = ff(...args, '--out', plan.tasks[1].dir, '--stop-after', '1', '--no-progress');
  assert.equal(pre.status, 0, pre.stderr);
  const t1 = runTask(out, 1);
  assert.equal(t1.status, 0, t1.stderr);
  assert.match(t1.stdout, /^resuming ff .*from epoch 2/m);
  assert.equal(seed(plan.tasks[1].dir), 2);

  // Run again (a retried pod): nothing is trained twice.
  const again = runTask(out, 0);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /already finished \(2 epochs\)/);
  const none = runTask(out, 2);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no task 2 \(0\.\.1\)/);

  // ff gather: each run's validation and test error as its files say, then the variant over both seeds.
  assert.match(r.stdout, /when all have finished: ff gather /);
  const g = ff('gather', out);
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stdout, /^2 of 2 runs finished/);
  assert.equal(readFileSync(path.join(out, 'table.md'), 'utf8'), g.stdout);
  const pct = (e: number) => `${(100 * e).toFixed(2)} %`;
  const lastValid = (d: string, mode: 'goodness' | 'softmax' = 'goodness') => {
    const lines = readFileSync(path.join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { valid: Record<string, number> });
    return lines[lines.length - 1].valid[mode];
  };
  for (const t of plan.tasks) {
    const test = (JSON.parse(readFileSync(path.join(t.dir, 'results.json'), 'utf8')) as { test: { goodness: number } }).test.goodness;
    const row = g.stdout.split('\n').find((l) => l.startsWith(`| ${t.name} |`));
    assert.ok(row, `a row for ${t.name}`);
    assert.ok(row.includes(`| 2/2 | goodness | ${pct(lastValid(t.dir))} |`) && row.includes(`goodness ${pct(test)}`), row);
  }
  const [v0, v1] = plan.tasks.map((t) => lastValid(t.dir));
  assert.ok(g.stdout.includes(`| 2/2 | goodness | ${pct((v0 + v1) / 2)} | ${pct(Math.abs(v0 - v1))} |`), g.stdout);
  const soft = ff('gather', out, '--classifier', 'softmax');
  assert.equal(soft.status, 0, soft.stderr);
  assert.ok(soft.stdout.includes(`| ${plan.tasks[0].name} | 2/2 | softmax | ${pct(lastValid(plan.tasks[0].dir, 'softmax'))} |`), soft.stdout);
  const missing = ff('gather', path.join(root, 'nowhere'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr.trim(), /^ff: \S+ has no tasks\.json \(is it a directory that ff sweep --out wrote\?\)$/);
});

test('ff sweep --one-at-a-time: the preset as it is, then each value alone; --fix sets an option in every run', () => {
  const out = path.join(root, 'ablation');
  const r = ff('sweep', '--preset', 'recurrent-quick', '--seeds', '1,2', '--one-at-a-time', '--set', 'label-strength=1,10', '--set', 'damping=0', '--fix', 'eval-every=3', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(readFileSync(path.join(out, 'tasks.json'), 'utf8')) as { tasks: { name: string; trainArgs: string[] }[] };
  const fixed = '--preset recurrent-quick --eval-every 3';
  assert.deepEqual(plan.tasks.map((t) => [t.name, t.trainArgs.join(' ')]), [1, 2].flatMap((seed) => [
    [`recurrent-quick-s${seed}`, `${fixed} --seed ${seed}`],
    [`recurrent-quick-s${seed}-label-strength1`, `${fixed} --label-strength 1 --seed ${seed}`],
    [`recurrent-quick-s${seed}-label-strength10`, `${fixed} --label-strength 10 --seed ${seed}`],
    [`recurrent-quick-s${seed}-damping0`, `${fixed} --damping 0 --seed ${seed}`],
  ]));
  const bad = ff('sweep', '--preset', 'quick', '--fix', 'lr=0.1,0.2', '--out', path.join(root, 'bad-fix'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr.trim(), /^ff: --fix wants NAME=VALUE \(one value\), got 'lr=0\.1,0\.2'$/);
});

test('ff sweep refuses a bad option value before writing anything, in one line', () => {
  const out = path.join(root, 'bad');
  for (const [set, re] of [
    ['lr=abc', /^ff: --lr must be a decimal number, got 'abc'$/],
    ['bogus=1', /^ff: unknown option --bogus$/],
    ['lr=', /^ff: --set wants NAME=V1,V2,…, got 'lr='$/],
  ] as const) {
    const r = ff('sweep', '--preset', 'quick', '--set', set, '--out', out);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.match(r.stderr.trim(), re);
    assert.equal(existsSync(out), false);
  }
});

test('ff compare --emit: the comparison’s runs as an array; afterwards ff compare only builds the table', { timeout: 600_000 }, () => {
  const out = path.join(root, 'compare');
  const r = ff('compare', '--preset', 'quick', '--epochs', '1', '--emit', 'slurm', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(path.join(out, 'slurm.sbatch')) && !existsSync(path.join(out, 'k8s-job.yaml')), '--emit slurm writes only the Slurm script');
  assert.match(r.stdout, /when all have finished: ff compare --preset quick --epochs 1 --out \S+ --no-progress/);
  const plan = JSON.parse(readFileSync(path.join(out, 'tasks.json'), 'utf8')) as { tasks: { name: string; trainArgs: string[] }[] };
  assert.deepEqual(plan.tasks.map((t) => [t.name, t.trainArgs.join(' ')]), [
    ['ff', '--preset quick --algo ff --epochs 1'],
    ['bp', '--preset quick --algo bp --epochs 1'],
  ]);
  for (const i of [0, 1]) {
    const t = runTask(out, i);
    assert.equal(t.status, 0, t.stderr);
  }
  const table = ff('compare', '--preset', 'quick', '--epochs', '1', '--out', out, '--no-progress');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^ff: .* already holds the finished run; evaluating it$/m);
  assert.match(table.stdout, /^bp: .* already holds the finished run; evaluating it$/m);
  assert.doesNotMatch(table.stdout, /^training /m);
  const report = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')) as { rows: unknown[] };
  assert.equal(report.rows.length, 3);
  // A train run's directory is not a comparison's: refused.
  const bad = ff('compare', '--preset', 'quick', '--emit', 'k8s', '--out', path.join(out, 'ff'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^ff: --out .*holds a run/);
});
