/// <reference types="@webgpu/types" />
// The engine live training runs on, chosen in its worker: WebGPU where the browser gives an
// adapter (a training minibatch reads nothing back from it, issue 33), else WebAssembly —
// split over worker threads where the page is cross-origin isolated (ff serve's is). What was
// chosen, and why not WebGPU, is said on the page.
import type { Engine } from '../src/engine/engine.js';
import { WasmEngine } from '../src/engine/wasm-backend.js';
import { WebGpuEngine } from '../src/engine/webgpu-backend.js';

/** Threads at most for the WebAssembly engine (the page's worker, and helpers it starts, on a shared memory). */
const MAX_THREADS = 4;

export interface TrainingEngine {
  engine: Engine;
  /** 'webgpu' or 'wasm'. */
  kind: 'webgpu' | 'wasm';
  /** WebGPU: the adapter ("google swiftshader …"); WebAssembly: why not WebGPU. */
  about: string;
  threads: number;
}

/** WebGPU if the worker's navigator.gpu gives an adapter and a device; `prefer: 'wasm'` skips it. */
export async function trainingEngine(prefer: 'auto' | 'wasm' = 'auto'): Promise<TrainingEngine> {
  let why = 'WebGPU not asked for';
  if (prefer === 'auto') {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) why = 'this browser has no WebGPU';
    else {
      try {
        const adapter = await gpu.requestAdapter();
        if (!adapter) why = 'WebGPU found no adapter';
        else {
          const device = await adapter.requestDevice();
          const about = [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || 'GPU';
          return { engine: new WebGpuEngine(device, about), kind: 'webgpu', about, threads: 1 };
        }
      } catch (e) {
        why = `WebGPU failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
      }
    }
  }
  const wasm = await wasmEngine();
  return { engine: wasm, kind: 'wasm', about: why, threads: wasm.threadCount };
}

/** Products split over worker threads where the page is cross-origin isolated. */
async function wasmEngine(): Promise<WasmEngine> {
  const threads = Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1);
  if (!self.crossOriginIsolated || threads < 2) return new WasmEngine();
  const spawn = (source: string, start: unknown) => {
    const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    w.postMessage(start);
    return w;
  };
  return WasmEngine.create({ threads, spawn });
}
