// Writing a job array's files (`ff sweep`, `ff compare --emit`): tasks.sh always, plus the
// Slurm script and/or the Kubernetes manifest, and DIR/logs for Slurm's per-task logs
// (Slurm does not create the folder of --output itself).
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CLUSTER_DEFAULTS, k8sManifest, shellWord, slurmScript, tasksScript, type ClusterOptions, type JobArray } from '../experiments/job-array.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { makeDir } from '../util/make-dir.js';
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

/** --hours: a positive decimal (0.5 is half an hour). */
function positiveHours(raw: string): number {
  const v = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(v > 0)) throw new InvalidArgumentError('must be a positive number');
  return v;
}

export function parseEmitKind(raw: string): EmitKind {
  if (!(EMIT_KINDS as readonly string[]).includes(raw)) throw new InvalidArgumentError(`must be one of ${EMIT_KINDS.join(', ')}`);
  return raw as EmitKind;
}

/** The cluster options every emitting command takes. */
export function addClusterOptions(cmd: Command): Command {
  const d = CLUSTER_DEFAULTS;
  return cmd
    .option('--hours <h>', 'time limit per task, hours', positiveHours, d.hours)
    .option('--cpus <n>', 'CPUs per task', intArg(1), d.cpus)
    .option('--mem <GiB>', 'memory per task, GiB', intArg(1), d.memGiB)
    .option('--parallel <n>', 'tasks running at once', intArg(1), d.parallel)
    .option('--image <name>', 'k8s: container image with Node.js 20 and forward-forward (ff on PATH)', d.image)
    .option('--pvc <name>', 'k8s: PersistentVolumeClaim holding the output directory (mounted at its path)', d.pvc);
}

export function clusterOptions(o: ClusterCliOptions): ClusterOptions {
  return { hours: o.hours, cpus: o.cpus, memGiB: o.mem, parallel: o.parallel, image: o.image, pvc: o.pvc };
}

/** Writes the array's files into a.dir; returns the paths written. */
export function writeJobFiles(a: JobArray, emit: EmitKind, c: ClusterOptions): string[] {
  makeDir(a.dir);
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const file = path.join(a.dir, name);
    writeFileAtomic(file, text);
    written.push(file);
    return file;
  };
  const tasks = tasksScript(a);
  chmodSync(put('tasks.sh', tasks), 0o755);
  put('tasks.json', `${JSON.stringify({ title: a.title, tasks: a.tasks, gather: a.gather }, null, 2)}\n`);
  if (emit !== 'k8s') {
    makeDir(path.join(a.dir, 'logs'));
    put('slurm.sbatch', slurmScript(a, c));
  }
  if (emit !== 'slurm') put('k8s-job.yaml', k8sManifest(a, c, tasks));
  return written;
}

/** What to tell the user after writing: how to submit, how to try one task, what to run at the end. */
export function submitHelp(a: JobArray, emit: EmitKind): string[] {
  const lines = [`${a.tasks.length} tasks (${a.title}) in ${a.dir}:`];
  if (emit !== 'k8s') lines.push(`  Slurm:       sbatch ${path.join(a.dir, 'slurm.sbatch')}`);
  if (emit !== 'slurm') lines.push(`  Kubernetes:  kubectl apply -f ${path.join(a.dir, 'k8s-job.yaml')}`);
  lines.push(`  by hand:     bash ${path.join(a.dir, 'tasks.sh')} INDEX   (0..${a.tasks.length - 1}; FF='npx ff' if ff is not on PATH)`);
  for (const g of a.gather) lines.push(`  when all have finished: ${g.map(shellWord).join(' ')}`);
  return lines;
}
