// `npm run bench -- --engine webgpu`: the WebGPU engine beside the CPU engine `auto` takes, in
// the same run: sgemm GFLOP/s on FF product shapes and the ms of one FF layer step (the
// per-layer work of a minibatch, bench/ff-layer-step.ts). On SwiftShader (no GPU) this checks
// that the engine runs, not its speed. A GPU's time is taken to a `read` of one value after the
// queued products, so queuing alone is never counted as work done.
//   --big     the `hinton` shapes (784/2000 wide, batch 100 and 1000) instead of small ones
//   --reps N  timed repeats per measurement (default 3)
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import type { Engine } from '../src/engine/engine.js';
import { getEngine, prepareEngine } from '../src/engine/select.js';
import { WebGpuEngine } from '../src/engine/webgpu-backend.js';
import { Rng } from '../src/engine/rng.js';
import { disposeLayer, ffLayerStep, layerData, makeLayer } from './ff-layer-step.js';
import { cpuModel, otherLoad } from './machine-info.js';
import { asciiTable, fmt, fmtMs, median } from './tables.js';

/** Wait for everything queued on e (a one-value read of m). */
async function settle(e: Engine, m: import('../src/engine/engine.js').Mat): Promise<void> {
  await e.read(e.rowView(e.reshape(m, m.rows * m.cols, 1), 0, 1));
}

async function gemmGflops(e: Engine, m: number, k: number, n: number, transA: boolean, reps: number): Promise<number> {
  const rng = new Rng(7);
  const a = transA ? e.fromArray(rng.fillNormal(new Float32Array(k * m)), k, m) : e.fromArray(rng.fillNormal(new Float32Array(m * k)), m, k);
  const b = e.fromArray(rng.fillNormal(new Float32Array(k * n)), k, n);
  const c = e.zeros(m, n);
  e.gemm(a, b, c, { transA });
  await settle(e, c);
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    e.gemm(a, b, c, { transA });
    await settle(e, c);
    ms.push(performance.now() - t0);
  }
  for (const x of [a, b, c]) e.dispose(x);
  return (2 * m * n * k) / (median(ms) * 1e6);
}

async function stepMs(e: Engine, B: number, K: number, N: number, reps: number): Promise<number> {
  const s = makeLayer(e, B, K, N, layerData(B, K, N, 1000 * B + K));
  await ffLayerStep(e, s);
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await ffLayerStep(e, s);
    await settle(e, s.g);
    ms.push(performance.now() - t0);
  }
  disposeLayer(e, s);
  return median(ms);
}

export async function runWebGpuBench(argv: string[]): Promise<void> {
  const big = argv.includes('--big');
  const r = argv.indexOf('--reps');
  const reps = r >= 0 ? Number(argv[r + 1]) : 3;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${argv[r + 1]}`);
  await prepareEngine('webgpu');
  const gpu = getEngine('webgpu') as WebGpuEngine;
  const cpu = getEngine('auto');
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stderr.write(`[bench] ${new Date().toISOString()}; cpu: ${cpuModel()}, ${os.cpus().length} cores; load ${load}; other busy processes: ${otherLoad()}\n`);
  process.stderr.write(`[bench] webgpu adapter: ${gpu.adapter}; beside: ${cpu.name}; ${reps} timed repeats (median)\n`);
  const B = big ? [100, 1000] : [100];
  const widths: [number, number][] = big ? [[784, 2000], [2000, 2000]] : [[784, 500], [500, 500]];
  const rows: string[][] = [];
  for (const b of B)
    for (const [K, N] of widths) {
      for (const [label, m, k, n, t] of [[`${2 * b}×${K}·${K}×${N} forward`, 2 * b, K, N, false], [`(${2 * b}×${K})ᵀ·${2 * b}×${N} dW`, K, 2 * b, N, true]] as const) {
        rows.push([label, 'GFLOP/s', fmt(await gemmGflops(gpu, m, k, n, t, reps), 2), fmt(await gemmGflops(cpu, m, k, n, t, reps), 2)]);
        process.stderr.write(`[bench] ${rows.at(-1)!.join('  ')}\n`);
      }
      rows.push([`FF layer step ${K}→${N}, batch ${b}`, 'ms', fmtMs(await stepMs(gpu, b, K, N, reps)), fmtMs(await stepMs(cpu, b, K, N, reps))]);
      process.stderr.write(`[bench] ${rows.at(-1)!.join('  ')}\n`);
    }
  process.stdout.write(`${asciiTable(['what', 'unit', 'webgpu', cpu.name], rows)}\n`);
}
