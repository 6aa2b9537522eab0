// Writing a job array's files (`ff sweep`, `ff compare --emit`): tasks.sh always, plus the
// Slurm script and/or the Kubernetes manifest, and DIR/logs for Slurm's per-task logs
// (Slurm does not create the folder of --output itself).
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CLUSTER_DEFAULTS, k8sManifest, slurmScript, tasksScript, type ClusterOptions, type JobArray } from '../experiments/job-array.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { refuseControlCharacters } from '../util/control-characters.js';
import { makeDir } from '../util/make-dir.js';
import { shellLine, shellWord } from '../util/shell-quote.js';
import { intArg } from './int-option.js';

export const EMIT_KINDS = ['slurm', 'k8s', 'all'] as const;
/** What writeJobFiles may put in a directory (a comparison directory accepts them as its own). */
export const JOB_FILES = ['tasks.sh', 'tasks.json', 'slurm.sbatch', 'k8s-job.yaml', 'logs', 'report.html', 'table.md'] as const;
export type EmitKind = (typeof EMIT_KINDS)[number];

export interface ClusterCliOptions {
  hours: number;
  cpus: number;
  mem: number;
  parallel: number;
  image: string;
  pvc: string;
}

/** Hours a task may run at most: over a year; Slurm counts minutes in 32 bits, Kubernetes seconds in 64. */
const MAX_HOURS = 10000;

/*
 * A value with a line break in it is refused by the option parser in the project's one line
 * (Commander's own message would quote it raw, over several lines); any other bad value gets
 * Commander's usage error.
 */

/** --hours: a positive decimal (0.5 is half an hour), rounded up when written. */
function positiveHours(raw: string): number {
  refuseControlCharacters('--hours', raw);
  const v = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(v > 0) || v > MAX_HOURS) throw new InvalidArgumentError(`must be a positive number of hours, at most ${MAX_HOURS}`);
  return v;
}

/** --image: a container image reference (registry/name:tag@digest), nothing YAML or a shell reads. */
function containerImage(raw: string): string {
  refuseControlCharacters('--image', raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,511}$/.test(raw)) throw new InvalidArgumentError('must be a container image reference: letters, digits and . _ - / : @ +');
  return raw;
}

/** --pvc: a Kubernetes object name (RFC 1123 subdomain), as the API server requires. */
function k8sObjectName(raw: string): string {
  refuseControlCharacters('--pvc', raw);
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(raw)) {
    throw new InvalidArgumentError('must be a Kubernetes object name: lowercase letters, digits, - and ., starting and ending with a letter or digit');
  }
  return raw;
}

/** A path option of an array (--data-dir): it lands in comments, shell words and YAML; refused in one line if it holds a line break. Returned absolute. */
export function jobPath(flag: string, raw: string): string {
  return refuseControlCharacters(flag, path.resolve(raw)); // resolved first: the working directory's name counts too
}

/**
 * The array's directory (--out), which Slurm's --output names too: a backslash there turns off
 * every %-replacement (the task's %a) and cannot be escaped, so it is refused as well.
 */
export function arrayDir(raw: string): string {
  const dir = jobPath('--out', raw);
  if (dir.includes('\\')) throw new Error(`--out must not hold a backslash (Slurm's --output cannot take one), got ${dir}`);
  return dir;
}

export function parseEmitKind(raw: string): EmitKind {
  if (!(EMIT_KINDS as readonly string[]).includes(raw)) throw new InvalidArgumentError(`must be one of ${EMIT_KINDS.join(', ')}`);
  return raw as EmitKind;
}

/** The cluster options every emitting command takes. */
export function addClusterOptions(cmd: Command): Command {
  const d = CLUSTER_DEFAULTS;
  return cmd
    .option('--hours <h>', 'time limit per task, hours (rounded up to whole minutes for Slurm, seconds for Kubernetes)', positiveHours, d.hours)
    .option('--cpus <n>', 'CPUs per task', intArg(1), d.cpus)
    .option('--mem <GiB>', 'memory per task, GiB', intArg(1), d.memGiB)
    .option('--parallel <n>', 'tasks running at once', intArg(1), d.parallel)
    .option('--image <name>', 'k8s: container image with Node.js 20 and forward-forward (ff on PATH)', containerImage, d.image)
    .option('--pvc <name>', 'k8s: PersistentVolumeClaim holding the output directory (mounted at its path)', k8sObjectName, d.pvc);
}

export function clusterOptions(o: ClusterCliOptions): ClusterOptions {
  return { hours: o.hours, cpus: o.cpus, memGiB: o.mem, parallel: o.parallel, image: o.image, pvc: o.pvc };
}

/** Writes the array's files into a.dir; returns the paths written. */
export function writeJobFiles(a: JobArray, emit: EmitKind, c: ClusterOptions): string[] {
  // Every file is made before any is written: a value one of them refuses leaves nothing behind.
  const tasks = tasksScript(a);
  const files: [string, string][] = [
    ['tasks.sh', tasks],
    ['tasks.json', `${JSON.stringify({ title: a.title, tasks: a.tasks, gather: a.gather }, null, 2)}\n`],
    ...(emit !== 'k8s' ? [['slurm.sbatch', slurmScript(a, c)] as [string, string]] : []),
    ...(emit !== 'slurm' ? [['k8s-job.yaml', k8sManifest(a, c, tasks)] as [string, string]] : []),
  ];
  makeDir(a.dir);
  if (emit !== 'k8s') makeDir(path.join(a.dir, 'logs'));
  return files.map(([name, text]) => {
    const file = path.join(a.dir, name);
    writeFileAtomic(file, text);
    if (name === 'tasks.sh') chmodSync(file, 0o755);
    return file;
  });
}

/** What to tell the user after writing: how to submit, how to try one task, what to run at the end (commands to paste: quoted). */
export function submitHelp(a: JobArray, emit: EmitKind): string[] {
  const lines = [`${a.tasks.length} tasks (${a.title}) in ${a.dir}:`];
  if (emit !== 'k8s') lines.push(`  Slurm:       sbatch ${shellWord(path.join(a.dir, 'slurm.sbatch'))}`);
  if (emit !== 'slurm') lines.push(`  Kubernetes:  kubectl apply -f ${shellWord(path.join(a.dir, 'k8s-job.yaml'))}`);
  lines.push(`  by hand:     bash ${shellWord(path.join(a.dir, 'tasks.sh'))} INDEX   (0..${a.tasks.length - 1}; FF='npx ff' if ff is not on PATH)`);
  for (const g of a.gather) lines.push(`  when all have finished: ${shellLine(g)}`);
  return lines;
}
