// Picks a backend: 'auto' takes the native engine when its addon loaded, else the WebAssembly
// one (else, on a runtime without WebAssembly SIMD, the pure-TypeScript one). Choosing is
// silent: a command's one-line error must stay one line, so the notice saying which engine
// and how to get the fast one is taken by whoever prints a run's header (engineNotice).
// Node only (the addon loader, $FF_ENGINE, stderr): the core never imports this file; it is
// handed an Engine (the CLI and index.ts select one here; a browser constructs JsEngine).
import type { Engine } from './engine.js';
import { JsEngine } from './js-backend.js';
import { loadNativeEngine, type NativeEngine } from './native-backend.js';
import { blasCoreAdvice } from './blas-kernels.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WasmEngine, wasmSimdSupported } from './wasm-backend.js';
import { MAX_THREADS, type SpawnWorker } from './wasm-threads.js';
import { createNodeWebGpuEngine } from './webgpu-node.js';

// 'webgpu' is only ever chosen by name: 'auto' must not move a run onto a device silently.
export type EngineKind = 'auto' | 'native' | 'wasm' | 'js' | 'webgpu';
export const ENGINE_KINDS: readonly EngineKind[] = ['auto', 'native', 'wasm', 'js', 'webgpu'];

export const FAST_ENGINE_ADVICE = 'apt-get install libopenblas-dev pkg-config && npm rebuild forward-forward';
/** Why 'auto' fell back from the native engine (the addon loader's reason), once it has. */
let fallbackReason: string | undefined;
let noticeTaken = false;
let slowBlasNoticeShown = false;
const cache = new Map<string, Engine>();

/** kind defaults to $FF_ENGINE, then 'auto'. Throws a one-line error for 'native' without the addon. */
export function getEngine(kind: string = process.env.FF_ENGINE || 'auto'): Engine {
  if (!ENGINE_KINDS.includes(kind as EngineKind)) {
    throw new Error(`unknown engine '${kind}' (choose ${ENGINE_KINDS.join(', ')})`);
  }
  const cached = cache.get(kind);
  if (cached) return cached;
  let engine: Engine;
  if (kind === 'webgpu') {
    // Opening a GPU device is asynchronous: prepareEngine did it, or nobody asked for it yet.
    throw new Error("webgpu engine unavailable: not started (the caller must await prepareEngine('webgpu') first)");
  } else if (kind === 'js') {
    engine = new JsEngine();
  } else if (kind === 'wasm') {
    engine = nodeWasmEngine();
  } else {
    const loaded = loadNativeEngine();
    if (loaded.engine) {
      engine = loaded.engine;
      slowBlasNotice(loaded.engine);
    } else if (kind === 'native') {
      throw new Error(`native engine unavailable: ${loaded.reason}`);
    } else {
      fallbackReason = loaded.reason;
      engine = wasmSimdSupported() ? nodeWasmEngine() : new JsEngine();
    }
  }
  cache.set(kind, engine);
  return engine;
}

/**
 * Start what getEngine(kind) then returns at once: the WebGPU engine opens its device here
 * (asynchronously); every other kind needs nothing. Same defaults and errors as getEngine.
 */
export async function prepareEngine(kind: string = process.env.FF_ENGINE || 'auto'): Promise<void> {
  if (kind !== 'webgpu' || cache.has(kind)) return;
  cache.set(kind, await createNodeWebGpuEngine());
}

/**
 * Once per process, after getEngine: why 'auto' did not take the native engine and how to get
 * it (one line, no newline), or undefined when it did, or when the notice was already taken.
 */
export function engineNotice(): string | undefined {
  const auto = cache.get('auto');
  if (noticeTaken || fallbackReason === undefined || !auto) return undefined;
  noticeTaken = true;
  const name = auto.name === 'wasm' ? 'WebAssembly' : 'pure-TypeScript';
  return `forward-forward: using the ${name} engine (${fallbackReason}). For the fastest engine: ${FAST_ENGINE_ADVICE}`;
}

/** Why getEngine('auto') did not take the native engine, or undefined (it did, or was not asked). */
export function engineFallbackReason(): string | undefined {
  return fallbackReason;
}

/** Once per process: OpenBLAS runs its fallback kernels on a CPU that has better ones (the `ff` command restarts itself instead). */
function slowBlasNotice(engine: NativeEngine): void {
  if (slowBlasNoticeShown || typeof engine.addon.blasCore !== 'function') return;
  slowBlasNoticeShown = true;
  const core = engine.addon.blasCore();
  const better = blasCoreAdvice(core);
  if (better === undefined) return;
  process.stderr.write(
    `forward-forward: ${engine.addon.blas} does not know this CPU and runs its generic ${core} kernels, 3–4× slower; ` +
      `set OPENBLAS_CORETYPE=${better} before node starts for its ${better === 'SkylakeX' ? 'AVX-512' : 'AVX2'} ones\n`,
  );
}

/** Node's way to start the wasm engine's workers: an eval worker that lets the process exit. */
const spawnNodeWorker: SpawnWorker = (source, data) => new Worker(source, { eval: true, workerData: data });

/** The wasm engine on FF_KERNEL_THREADS threads (default: the CPUs, at most 8; never over 16), as the native kernels. */
export function nodeWasmEngine(): WasmEngine {
  const env = Number(process.env.FF_KERNEL_THREADS);
  const threads = Math.min(MAX_THREADS, Number.isInteger(env) && env > 0 ? env : Math.min(8, availableParallelism()));
  return new WasmEngine({ threads, spawn: spawnNodeWorker });
}
