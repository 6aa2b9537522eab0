// The `ff` command, started again with one more environment variable: for settings a library
// reads only when it loads (OPENBLAS_CORETYPE, see src/engine/blas-kernels.ts). The second
// process gets the same arguments, node flags and stdio; signals sent to the first (a
// scheduler's SIGTERM, a Ctrl-C) reach the second, so a training run still checkpoints and
// stops as it would have; its exit code or signal becomes the first one's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

import { blasCoreAdvice } from '../engine/blas-kernels.js';
import { loadNativeEngine } from '../engine/native-backend.js';

/** Set in the second process: the kernels OpenBLAS had picked on its own (`ff engine` says so). */
export const RELAUNCHED_FROM_CORE = 'FF_OPENBLAS_FALLBACK';

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The variables to restart with so that the native engine runs OpenBLAS's kernels for this
 * CPU rather than its fallback, or undefined (no native engine wanted or loaded, a known CPU,
 * or OPENBLAS_CORETYPE already set: the user's choice, and what stops a second restart).
 */
export function blasRelaunchEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | undefined {
  if (env.FF_ENGINE === 'js' || env.FF_ENGINE === 'wasm' || env.OPENBLAS_CORETYPE !== undefined) return undefined;
  const addon = loadNativeEngine().engine?.addon;
  const core = typeof addon?.blasCore === 'function' ? addon.blasCore() : '';
  const better = blasCoreAdvice(core, env);
  return better === undefined ? undefined : { ...env, OPENBLAS_CORETYPE: better, [RELAUNCHED_FROM_CORE]: core };
}

/** Run this process's command line again under `env`; resolves to its exit code (re-raises its signal). */
export function relaunch(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  const handlers = FORWARDED.map((signal) => [signal, () => child.kill(signal)] as const);
  for (const [signal, h] of handlers) process.on(signal, h);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`ff: could not start again with ${describe(env)}: ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      if (signal) process.kill(process.pid, signal); // dies the same way; the code is for a signal that does not kill
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
    });
  });
}

function describe(env: NodeJS.ProcessEnv): string {
  return env.OPENBLAS_CORETYPE !== undefined ? `OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE}` : 'a new environment';
}
