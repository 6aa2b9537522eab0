// `ff engine`: which numeric engine this machine runs and with what, in one line, so that a
// slow run can be explained (no addon, a BLAS on its fallback kernels, one thread) before it
// is started.
import type { Command } from 'commander';

import { engineFallbackReason, engineNotice, FAST_ENGINE_ADVICE, getEngine } from '../engine/select.js';
import { WebGpuEngine } from '../engine/webgpu-backend.js';
import type { NativeEngine } from '../engine/native-backend.js';
import { blasThreadsOf } from '../train/blas-threads.js';
import { RELAUNCHED_FROM_CORE } from './relaunch.js';

export function registerEngineCommand(program: Command): void {
  program
    .command('engine')
    .description("the numeric engine ff uses here (--engine / FF_ENGINE pick another): native with its BLAS, kernels and threads, or wasm or js")
    .action(() => {
      process.stdout.write(`${engineLine()}\n`);
    });
}

/** e.g. "native engine: OpenBLAS 0.3.21, SkylakeX kernels (OPENBLAS_CORETYPE=SkylakeX), 2 BLAS threads, locally-connected kernels avx512". */
export function engineLine(): string {
  const engine = getEngine();
  if (engine instanceof WebGpuEngine) return `webgpu engine: ${engine.adapter || 'an unnamed adapter'}`;
  if (engine.name !== 'native') {
    const reason = engineFallbackReason();
    return `${engine.name} engine${reason ? ` (${reason}; for the fastest engine: ${FAST_ENGINE_ADVICE})` : ''}`;
  }
  const addon = (engine as NativeEngine).addon;
  const core = typeof addon.blasCore === 'function' ? addon.blasCore() : '';
  const fallback = process.env[RELAUNCHED_FROM_CORE];
  const forced =
    process.env.OPENBLAS_CORETYPE === undefined ? ''
    : fallback ? ` (OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} set by ff: on its own OpenBLAS ran its ${fallback} fallback on this CPU)`
    : ` (OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE})`;
  const threads = blasThreadsOf(engine);
  return (
    `native engine: ${addon.blas}${core ? `, ${core} kernels${forced}` : ''}, ` +
    `${threads ?? 'an unknown number of'} BLAS thread${threads === 1 ? '' : 's'}, locally-connected kernels ${addon.localIsa()}`
  );
}

/** The engine notice (once per process, on stderr) where it helps: in the header of a run, after every option was checked. */
export function writeEngineNotice(): void {
  const notice = engineNotice();
  if (notice) process.stderr.write(`${notice}\n`);
}
