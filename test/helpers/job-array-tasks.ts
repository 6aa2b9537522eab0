// What the job-array tests (sweep.test.ts runs tasks by hand, slurm.test.ts through sbatch) give
// every task: ff from this checkout, one BLAS thread, and a net small enough to train in seconds.
import path from 'node:path';

import { PACKAGE_ROOT } from './optional.js';

/** tasks.sh runs `$FF train …`: this checkout's CLI through tsx. */
const FF = `${process.execPath} --import tsx ${path.join(PACKAGE_ROOT, 'src/cli/main.ts')}`;

/** The environment of a task (run with cwd PACKAGE_ROOT, where tsx resolves). */
export const taskEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...env, FF, OPENBLAS_NUM_THREADS: '1' });

/** `--set` values for a sweep of 2-epoch runs of a 20-unit net on 300 images. */
export const TINY_RUN = ['--set', 'layers=20', '--set', 'epochs=2', '--set', 'train-subset=300', '--set', 'eval-subset=100', '--set', 'batch-size=50'];
