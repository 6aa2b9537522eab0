// "A resumed run is bit-identical to an uninterrupted one" holds for one engine and one BLAS
// thread count: OpenBLAS splits a product differently over another number of threads, which
// changes the order of the float32 additions and so the last bits of every result after it.
// Checkpoints record both (state.engine, state.blasThreads); resuming under other settings
// earns a one-line warning instead of silently not being bit-identical.
// Node-free: the native engine's addon is duck-typed, never imported (the core runs in browsers).
import type { Engine } from '../engine/engine.js';

/** What a checkpoint's state records about the arithmetic that produced it. */
export interface ArithmeticSettings {
  /** Engine name: 'native', 'js', … */
  engine: string;
  /** Threads the engine's products run on (native: OpenBLAS's count; js: 1); null when its BLAS does not say. */
  blasThreads: number | null;
}

export function arithmeticSettings(engine: Engine): ArithmeticSettings {
  return { engine: engine.name, blasThreads: blasThreadsOf(engine) };
}

/** The engine's BLAS thread count: the native addon's blasThreads(), 1 for the single-threaded js engine. */
export function blasThreadsOf(engine: Engine): number | null {
  if (engine.name === 'js') return 1;
  const addon = (engine as { addon?: { blasThreads?: () => number } }).addon;
  const n = typeof addon?.blasThreads === 'function' ? addon.blasThreads() : -1;
  return Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * One line for resuming a checkpoint written under other arithmetic settings, else undefined
 * (same settings, a setting either side cannot tell, or a checkpoint from before they were recorded).
 */
export function resumeSettingsWarning(state: Record<string, unknown>, engine: Engine): string | undefined {
  const now = arithmeticSettings(engine);
  const savedEngine = typeof state.engine === 'string' ? state.engine : null;
  const savedThreads = typeof state.blasThreads === 'number' ? state.blasThreads : null;
  const engineDiffers = savedEngine !== null && savedEngine !== now.engine;
  const threadsDiffer = savedThreads !== null && now.blasThreads !== null && savedThreads !== now.blasThreads;
  if (!engineDiffers && !threadsDiffer) return undefined;
  const describe = (threads: number | null, name: string | null) =>
    `${threads === null ? 'an unknown number of' : threads} BLAS thread${threads === 1 ? '' : 's'}${name ? ` (${name} engine)` : ''}`;
  return (
    `this run was trained on ${describe(savedThreads, savedEngine)} and resumes on ${describe(now.blasThreads, now.engine)}: ` +
    'results may differ from an uninterrupted run in the last bits (bit-identical resume needs the same engine and thread count; OPENBLAS_NUM_THREADS sets OpenBLAS\'s)'
  );
}
