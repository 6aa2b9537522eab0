// A set of independent training runs (a sweep, a comparison's nets) as files a cluster's own
// scheduler runs — a Slurm job array and a Kubernetes Indexed Job — never a scheduler of ours.
// Every task is one `ff train` into its own run directory on shared storage, written so that
// running it again continues the run from its checkpoint (or reports it finished): a requeued,
// preempted or retried task loses at most one epoch. All three files run the same tasks.sh,
// which a user (and our test) can also run by hand: `bash tasks.sh INDEX`.
// Every value is written quoted for where it lands (a shell word, an #SBATCH value, a YAML
// scalar, a comment); one holding a line break is refused there, so it cannot start a command.
import { sbatchWord, slurmLiteralPath } from '../util/sbatch-word.js';
import { hashComment, shellLine, shellWord } from '../util/shell-quote.js';
import { yamlScalar } from '../util/yaml-scalar.js';

/** One run of the array. */
export interface JobTask {
  /** Short name, unique in the array (also its run directory's name). */
  name: string;
  /** Absolute run directory. */
  dir: string;
  /** `ff train` arguments of a fresh run, without --out (e.g. --preset quick --seed 2). */
  trainArgs: string[];
}

export interface JobArray {
  /** What the array is, e.g. "sweep of quick × 3 seeds" (a comment in every file). */
  title: string;
  /** Absolute directory holding the files and the runs (shared storage on a cluster). */
  dir: string;
  tasks: JobTask[];
  /** What to run once every task has finished, e.g. `ff compare … --out DIR` (shell words). */
  gather: string[][];
  /** Passed to every `ff train` (e.g. --data-dir D); empty when none. */
  commonArgs: string[];
}

export interface ClusterOptions {
  /** Slurm --time and the Job's activeDeadlineSeconds per task, in hours. */
  hours: number;
  /** CPUs per task. */
  cpus: number;
  /** Memory per task, GiB. */
  memGiB: number;
  /** How many tasks run at once (Slurm %N, k8s parallelism). */
  parallel: number;
  /** Container image with Node.js 20 and forward-forward installed (its `ff` on PATH). */
  image: string;
  /** PersistentVolumeClaim holding the array's directory, mounted at the same path. */
  pvc: string;
}

export const CLUSTER_DEFAULTS: ClusterOptions = { hours: 24, cpus: 2, memGiB: 8, parallel: 8, image: 'forward-forward:latest', pvc: 'ff-runs' };

/** Slurm's --time: whole minutes, rounded up (a limit is never shorter than asked, nor 0 = none). */
export function slurmTime(hours: number): string {
  const minutes = Math.max(1, Math.ceil(roundOff(hours * 60)));
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
}

/** The Job's activeDeadlineSeconds: whole seconds, rounded up (Kubernetes refuses 0). */
export function deadlineSeconds(hours: number): number {
  return Math.max(1, Math.ceil(roundOff(hours * 3600)));
}

/** 0.1 × 60 is 6.000000000000001 in binary: not a reason to round up to 7 minutes. */
const roundOff = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * tasks.sh INDEX: runs task INDEX (0-based). `$FF` is the ff command (default `ff`); each task
 * resumes its run when a checkpoint is there, so the same line serves first start and retry.
 */
export function tasksScript(a: JobArray): string {
  const cases = a.tasks
    .map((t, i) => `  ${i}) dir=${shellWord(t.dir)}; args=(${shellLine([...t.trainArgs, ...a.commonArgs])}) ;;`)
    .join('\n');
  return `#!/usr/bin/env bash
${hashComment(`${a.title}: ${a.tasks.length} independent ff train runs. Usage: bash tasks.sh INDEX (0..${a.tasks.length - 1}).`)}
# Written by forward-forward; each task trains into its own directory and resumes it when run again.
set -euo pipefail
FF=\${FF:-ff}
index=\${1:?usage: tasks.sh INDEX (0..${a.tasks.length - 1})}
case "$index" in
${cases}
  *) echo "tasks.sh: no task $index (0..${a.tasks.length - 1})" >&2; exit 2 ;;
esac
common=(${shellLine(a.commonArgs)})
if [ -f "$dir/checkpoint.safetensors" ]; then
  exec $FF train --resume "$dir" --no-progress "\${common[@]}"
else
  exec $FF train "\${args[@]}" --out "$dir" --no-progress
fi
`;
}

/** A Slurm array script: `sbatch slurm.sbatch` from anywhere; logs in DIR/logs/. */
export function slurmScript(a: JobArray, c: ClusterOptions): string {
  return `#!/usr/bin/env bash
${hashComment(`${a.title}: a Slurm job array of ${a.tasks.length} tasks, at most ${c.parallel} at once.`)}
#SBATCH --job-name=ff-array
#SBATCH --array=0-${a.tasks.length - 1}%${c.parallel}
#SBATCH --cpus-per-task=${c.cpus}
#SBATCH --mem=${c.memGiB}G
#SBATCH --time=${slurmTime(c.hours)}
#SBATCH --requeue
#SBATCH --output=${sbatchWord(`${slurmLiteralPath(a.dir)}/logs/%a.log`)}
# A requeued task continues its run from the last checkpoint. When all have finished:
${gatherComments(a)}
export OPENBLAS_NUM_THREADS=\${SLURM_CPUS_PER_TASK:-${c.cpus}}
exec bash ${shellWord(`${a.dir}/tasks.sh`)} "$SLURM_ARRAY_TASK_ID"
`;
}

/** A ConfigMap holding tasks.sh and an Indexed Job running it once per index. */
export function k8sManifest(a: JobArray, c: ClusterOptions, tasks: string): string {
  const indent = (s: string, n: number) => s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
  return `${hashComment(`${a.title}: a Kubernetes Indexed Job of ${a.tasks.length} tasks, at most ${c.parallel} at once.`)}
${hashComment(`kubectl apply -f k8s-job.yaml. The PersistentVolumeClaim ${c.pvc} holds ${a.dir} (mounted at`)}
# that path); a retried pod continues its run from the last checkpoint. When all have finished:
${gatherComments(a)}
apiVersion: v1
kind: ConfigMap
metadata:
  name: ff-array-tasks
data:
  tasks.sh: |
${indent(tasks, 4)}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: ff-array
spec:
  completionMode: Indexed
  completions: ${a.tasks.length}
  parallelism: ${c.parallel}
  backoffLimitPerIndex: 3
  template:
    spec:
      restartPolicy: Never
      activeDeadlineSeconds: ${deadlineSeconds(c.hours)}
      containers:
        - name: ff
          image: ${yamlScalar(c.image)}
          # JOB_COMPLETION_INDEX is set by the Job controller in Indexed mode.
          command: ["bash", "-c", 'exec bash /ff-tasks/tasks.sh "$JOB_COMPLETION_INDEX"']
          env:
            - name: OPENBLAS_NUM_THREADS
              value: "${c.cpus}"
          resources:
            requests: { cpu: "${c.cpus}", memory: "${c.memGiB}Gi" }
            limits: { memory: "${c.memGiB}Gi" }
          volumeMounts:
            - { name: runs, mountPath: ${yamlScalar(a.dir)} }
            - { name: tasks, mountPath: /ff-tasks }
      volumes:
        - name: runs
          persistentVolumeClaim: { claimName: ${yamlScalar(c.pvc)} }
        - name: tasks
          configMap: { name: ff-array-tasks }
`;
}

/** What to run when every task has finished, as comment lines. */
const gatherComments = (a: JobArray) => a.gather.map((g) => hashComment(`  ${shellLine(g)}`)).join('\n');
