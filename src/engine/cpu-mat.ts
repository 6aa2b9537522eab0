// The matrix type shared by the CPU backends (js and native): a Float32Array in JS memory,
// which the native addon reads and writes in place without copying.
import type { Mat } from './engine.js';

export class CpuMat implements Mat {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array,
  ) {}
}

export function cpu(m: Mat): CpuMat {
  if (!(m instanceof CpuMat)) throw new Error('matrix belongs to a different engine');
  return m;
}

export function allocCpuMat(rows: number, cols: number): CpuMat {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`bad matrix shape ${rows}×${cols}`);
  }
  return new CpuMat(rows, cols, new Float32Array(rows * cols));
}
