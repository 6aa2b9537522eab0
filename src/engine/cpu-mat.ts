// The matrix type shared by the CPU backends (js, native, wasm): a Float32Array, in JS memory
// (which the native addon reads and writes in place without copying) or in a WebAssembly
// memory (wasm-backend.ts, whose matrices re-create their view after the memory grows).
import type { Mat } from './engine.js';

export class CpuMat implements Mat {
  constructor(
    readonly rows: number,
    readonly cols: number,
    protected view: Float32Array,
  ) {}

  /** The values, row-major (rows·cols of them). */
  get data(): Float32Array {
    return this.view;
  }
}

export function cpu(m: Mat): CpuMat {
  if (!(m instanceof CpuMat)) throw new Error('matrix belongs to a different engine');
  return m;
}

export function checkMatShape(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`bad matrix shape ${rows}×${cols}`);
  }
}

export function allocCpuMat(rows: number, cols: number): CpuMat {
  checkMatShape(rows, cols);
  return new CpuMat(rows, cols, new Float32Array(rows * cols));
}
