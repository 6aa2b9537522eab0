// What a user types reaches the job files `ff sweep` and `ff compare --emit` write — comments,
// shell words, #SBATCH lines, YAML — and must not become a command or a key there. A value
// with a line break is refused in one line before anything is written; any other value is
// quoted: the generated scripts, run with a stub ff, hand it over as one argument and run
// nothing else, and the manifest has the same structure as with plain values.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { shellWord } from '../../src/util/shell-quote.js';
import { PACKAGE_ROOT } from '../helpers/optional.js';

const root = mkdtempSync(path.join(tmpdir(), 'ff-job-values-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Created only if a payload runs. */
const MARKER = path.join(root, 'pwned');
const PAYLOAD = `touch ${MARKER} #`;

function ff(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FF_DEBUG: '' } });
}

/** A stand-in for ff that records its arguments (NUL-separated) and trains nothing. */
const STUB = path.join(root, 'stub-ff.sh');
const STUB_ARGS = path.join(root, 'stub-args');
writeFileSync(STUB, `#!/usr/bin/env bash\nprintf '%s\\0' "$@" > ${STUB_ARGS}\n`);
chmodSync(STUB, 0o755);

/** Runs a generated script with the stub as $FF; returns the arguments ff was given. */
function runWithStub(script: string, args: string[], env: Record<string, string> = {}): string[] {
  rmSync(STUB_ARGS, { force: true });
  const r = spawnSync('bash', [script, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, FF: STUB, ...env } });
  assert.equal(r.status, 0, `bash ${script}: ${r.stderr}`);
  return readFileSync(STUB_ARGS, 'utf8').split('\0').slice(0, -1);
}

/** tasks.sh and slurm.sbatch of `dir`, run with the stub as task 0 (whatever they exit with). */
function runGenerated(dir: string): void {
  for (const script of ['tasks.sh', 'slurm.sbatch']) {
    if (existsSync(path.join(dir, script))) spawnSync('bash', [path.join(dir, script), '0'], { cwd: root, timeout: 30_000, env: { ...process.env, FF: STUB, SLURM_ARRAY_TASK_ID: '0' } });
  }
}

test('a value with a line break is refused in one line, and nothing is written', { timeout: 300_000 }, () => {
  const out = path.join(root, 'refused');
  const sweep = (...args: string[]) => ['sweep', '--preset', 'quick', '--out', out, ...args];
  const compare = (...args: string[]) => ['compare', '--preset', 'quick', '--emit', 'all', '--out', out, ...args];
  for (const [args, message] of [
    [sweep('--set', `grid=1/1/1\n${PAYLOAD}`), /^ff: --set must not hold a newline or other control character, got "grid=1\/1\/1\\ntouch /],
    [sweep('--fix', `dataset=mnist\r${PAYLOAD}`), /^ff: --fix must not hold a newline/],
    [['sweep', '--preset', 'quick', '--out', `${out}\n${PAYLOAD}`], /^ff: --out must not hold a newline/],
    [sweep('--data-dir', `/data\u2028${PAYLOAD}`), /^ff: --data-dir must not hold a newline/],
    [sweep('--image', 'x\n  securityContext: {privileged: true}'), /^ff: --image must not hold a newline .*, got "x\\n  securityContext/],
    [sweep('--hours', '1\n2'), /^ff: --hours must not hold a newline/],
    [['compare', '--preset', 'quick', '--emit', 'all', '--out', `${out}\n${PAYLOAD}`], /^ff: --out must not hold a newline/],
    [compare('--data-dir', `/data\n${PAYLOAD}`), /^ff: --data-dir must not hold a newline/],
  ] as const) {
    const r = ff(...args);
    // Accepted (as before the fix): the generated files are run as a cluster would, and the payload must not run.
    if (r.status === 0) runGenerated(out);
    assert.equal(existsSync(MARKER), false, `${JSON.stringify(args)}: the payload ran`);
    assert.equal(r.status, 1, `${JSON.stringify(args)}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(existsSync(out), false, `${JSON.stringify(args)} wrote ${out}`);
  }
  assert.equal(existsSync(MARKER), false);
});

test('values the files cannot hold are refused before anything is written: Kubernetes names, Slurm paths, --grid and --dataset', { timeout: 300_000 }, () => {
  const out = path.join(root, 'refused-too');
  for (const [args, message] of [
    [['--pvc', 'a, b: c}'], /^ff: option '--pvc <name>' argument 'a, b: c}' is invalid\. must be a Kubernetes object name/],
    [['--image', 'x y'], /^ff: option '--image <name>' argument 'x y' is invalid\. must be a container image reference/],
    [['--out', path.join(root, 'back\\slash')], /^ff: --out must not hold a backslash/],
    [['--set', 'grid=1/1'], /^ff: --grid must be window\/stride\/channels per hidden layer.*\('1\/1'\)$/],
    [['--set', 'dataset=mnist,imagenet'], /^ff: unknown dataset 'imagenet'/],
    [['--hours', '10001'], /argument '10001' is invalid\. must be a positive number of hours, at most 10000$/],
  ] as const) {
    const r = ff('sweep', '--preset', 'quick', '--out', out, ...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0], message);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(path.join(root, 'back\\slash')), false);
  }
});

// Quotes of both kinds, $( ), backquotes, ; # % { } , : and spaces: a shell, sbatch and YAML each read some of them.
const HOSTILE = `o'ut "x" $(touch ${MARKER}) \`touch ${MARKER}\`; #{a: b}, %a %j &`;

test('printable values with shell, sbatch and YAML syntax in them reach ff as one argument each, and nothing else runs', { timeout: 300_000 }, () => {
  const out = path.join(root, HOSTILE, 'sweep');
  const dataDir = path.join(root, `data ${HOSTILE} \\ end`);
  const r = ff('sweep', '--preset', 'quick', '--seeds', '1', '--out', out, '--data-dir', dataDir, '--hours', '0.5');
  assert.equal(r.status, 0, r.stderr);
  // The commands it prints are pasted into a shell: quoted there too.
  assert.ok(r.stdout.includes(`\n  Slurm:       sbatch ${shellWord(path.join(out, 'slurm.sbatch'))}\n`), r.stdout);
  assert.ok(r.stdout.includes(`\n  by hand:     bash ${shellWord(path.join(out, 'tasks.sh'))} INDEX `), r.stdout);
  const run = path.join(out, 'quick-s1');
  const expected = ['train', '--preset', 'quick', '--seed', '1', '--data-dir', dataDir, '--out', run, '--no-progress'];

  // tasks.sh by hand, slurm.sbatch as Slurm starts it (a bash script), and the tasks.sh the
  // ConfigMap carries (what the pod runs): each runs the stub once, with exactly these words.
  assert.deepEqual(runWithStub(path.join(out, 'tasks.sh'), ['0']), expected);
  assert.deepEqual(runWithStub(path.join(out, 'slurm.sbatch'), [], { SLURM_ARRAY_TASK_ID: '0' }), expected);
  const k8s = readFileSync(path.join(out, 'k8s-job.yaml'), 'utf8');
  const embedded = path.join(root, 'embedded-tasks.sh');
  writeFileSync(embedded, configMapScript(k8s));
  assert.deepEqual(runWithStub(embedded, ['0']), expected);
  // A resumed task: the checkpoint branch, with the data directory as one word too.
  mkdirSync(run, { recursive: true });
  writeFileSync(path.join(run, 'checkpoint.safetensors'), '');
  assert.deepEqual(runWithStub(path.join(out, 'tasks.sh'), ['0']), ['train', '--resume', run, '--no-progress', '--data-dir', dataDir]);

  // sbatch reads `#SBATCH` lines with its own quoting; the log path is one double-quoted word, % doubled.
  const slurm = readFileSync(path.join(out, 'slurm.sbatch'), 'utf8');
  const output = slurm.split('\n').find((l) => l.startsWith('#SBATCH --output='));
  assert.equal(output, `#SBATCH --output="${`${out.replace(/%/g, '%%')}/logs/%a.log`.replace(/["\\]/g, '\\$&')}"`);
  assert.equal(existsSync(MARKER), false, 'a payload ran');
});

test('the Kubernetes manifest keeps its structure whatever the values: each lands in its own quoted scalar', { timeout: 300_000 }, () => {
  const plain = path.join(root, 'plain');
  const a = ff('sweep', '--preset', 'quick', '--out', plain, '--emit', 'k8s');
  assert.equal(a.status, 0, a.stderr);
  const out = path.join(root, `y: {b: c}, "d" 'e' #f`, 'sweep');
  const image = 'registry.example.com:5000/team/ff:v1.2@sha256:0123abcd';
  const b = ff('sweep', '--preset', 'quick', '--out', out, '--emit', 'k8s', '--image', image, '--pvc', 'runs.team-1');
  assert.equal(b.status, 0, b.stderr);
  const yaml = readFileSync(path.join(out, 'k8s-job.yaml'), 'utf8');

  // Structure: the lines outside comments and the ConfigMap's script are the plain manifest's,
  // once every double-quoted scalar is replaced by a placeholder.
  assert.deepEqual(manifestShape(yaml), manifestShape(readFileSync(path.join(plain, 'k8s-job.yaml'), 'utf8')));
  // Values: each quoted scalar reads back (as YAML reads a JSON string) as the value given.
  assert.equal(scalarAfter(yaml, 'image: '), image);
  assert.equal(scalarAfter(yaml, 'mountPath: '), out);
  assert.equal(scalarAfter(yaml, 'claimName: '), 'runs.team-1');
  assert.doesNotMatch(yaml, /securityContext|privileged/);

  // Where kubectl is installed, its own YAML reader (offline: label --local) agrees.
  if (existsSync(KUBECTL)) {
    // On stdin: kubectl reads -f's value as a comma-separated list.
    const k = spawnSync(KUBECTL, ['label', '--local', '-f', '-', 'checked=yes', '-o', 'json'], { input: yaml, encoding: 'utf8', timeout: 60_000 });
    assert.equal(k.status, 0, k.stderr);
    const [configMap, job] = JSON.parse(`[${k.stdout.replace(/\n}\n{/g, '\n},\n{')}]`) as K8sObject[];
    assert.equal(configMap.data?.['tasks.sh'], readFileSync(path.join(out, 'tasks.sh'), 'utf8'));
    const pod = job.spec?.template.spec;
    assert.deepEqual(Object.keys(pod?.containers[0] ?? {}).sort(), ['command', 'env', 'image', 'name', 'resources', 'volumeMounts']);
    assert.equal(pod?.containers[0].image, image);
    assert.deepEqual(pod?.containers[0].volumeMounts, [{ name: 'runs', mountPath: out }, { name: 'tasks', mountPath: '/ff-tasks' }]);
    assert.deepEqual(pod?.volumes[0], { name: 'runs', persistentVolumeClaim: { claimName: 'runs.team-1' } });
  }
});

const KUBECTL = '/usr/bin/kubectl';
interface K8sObject {
  data?: Record<string, string>;
  spec?: { template: { spec: { containers: Record<string, unknown>[]; volumes: unknown[] } } };
}

test('a time limit is rounded up, never to zero: Slurm gets whole minutes, Kubernetes whole seconds', { timeout: 300_000 }, () => {
  for (const [hours, time, seconds] of [
    ['0.0001', '00:01:00', 1], // 0.36 s: Slurm's --time=0 would mean no limit, Kubernetes refuses 0
    ['0.001', '00:01:00', 4],
    ['0.1', '00:06:00', 360], // not 7 minutes for 0.1 × 60 = 6.000000000000001
    ['1.999', '02:00:00', 7197], // not 01:60:00
    ['48', '48:00:00', 172800],
  ] as const) {
    const out = path.join(root, `hours-${hours}`);
    const r = ff('sweep', '--preset', 'quick', '--out', out, '--hours', hours);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(path.join(out, 'slurm.sbatch'), 'utf8'), new RegExp(`^#SBATCH --time=${time}$`, 'm'), `--hours ${hours}`);
    assert.match(readFileSync(path.join(out, 'k8s-job.yaml'), 'utf8'), new RegExp(`^ {6}activeDeadlineSeconds: ${seconds}$`, 'm'), `--hours ${hours}`);
  }
});

/** The script in the ConfigMap's `tasks.sh: |` block, as the pod sees it mounted. */
function configMapScript(yaml: string): string {
  const lines = yaml.split('\n');
  const start = lines.indexOf('  tasks.sh: |') + 1;
  const end = lines.indexOf('---', start);
  assert.ok(start > 0 && end > start, 'the ConfigMap holds tasks.sh');
  return `${lines.slice(start, end).map((l) => l.slice(4)).join('\n').trimEnd()}\n`;
}

/** A manifest's lines without comments and the embedded script, quoted scalars as "S". */
function manifestShape(yaml: string): string[] {
  const lines = yaml.split('\n');
  const start = lines.indexOf('  tasks.sh: |') + 1;
  const end = lines.indexOf('---', start);
  return [...lines.slice(0, start), ...lines.slice(end)]
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/"(?:[^"\\]|\\.)*"/g, '"S"'));
}

/** The double-quoted scalar following `key` on its line, decoded. */
function scalarAfter(yaml: string, key: string): string {
  const m = new RegExp(`${key}("(?:[^"\\\\]|\\\\.)*")`).exec(yaml);
  assert.ok(m, `a quoted scalar after ${key}`);
  return JSON.parse(m[1]) as string;
}
