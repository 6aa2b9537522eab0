// `npm run bench -- --engine webgpu`: the WebGPU engine beside the CPU engine `auto` takes, in
// the same run: sgemm GFLOP/s on FF product shapes, the ms of one FF layer step (the
// per-layer work of a minibatch, bench/ff-layer-step.ts) and of one whole training minibatch
// of the `hinton` net (the `quick` one without --big), which reads nothing back (issue 33). On SwiftShader (no GPU) this checks
// that the engine runs, not its speed. A GPU's time is taken to a `read` of one value after the
// queued products, so queuing alone is never counted as work done.
//   --big     the `hinton` shapes (784/2000 wide, batch 100 and 1000; the hinton minibatch) instead of small ones
//   --reps N  timed repeats per measurement (default 3)
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import type { Engine } from '../src/engine/engine.js';
import { getEngine, prepareEngine } from '../src/engine/select.js';
import { WebGpuEngine } from '../src/engine/webgpu-backend.js';
import { Rng } from '../src/engine/rng.js';
import { getPreset } from '../src/experiments/presets.js';
import { FF_DEFAULTS, type FFConfig } from '../src/ff/config.js';
import { emptyStats } from '../src/ff/epoch-tally.js';
import { FFNet } from '../src/ff/ff-net.js';
import { ffTrainStep } from '../src/ff/ff-step.js';
import { LabelledInput } from '../src/ff/labelled-input.js';
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

/** ms of one whole FF training minibatch (ffTrainStep) of `preset`'s net, batch 100, on e. */
async function minibatchMs(e: Engine, preset: string, reps: number): Promise<number> {
  const cfg: FFConfig = { ...FF_DEFAULTS, ...getPreset(preset).ff };
  const net = new FFNet(e, cfg, new LabelledInput(784, 10, 'pixels', cfg.labelStrength, null), { height: 28, width: 28, channels: 1 });
  const rng = new Rng(5);
  const B = cfg.batchSize;
  const batch = { images: Float32Array.from({ length: B * 784 }, () => rng.uniform()), labels: Uint8Array.from({ length: B }, () => rng.int(10)), count: B };
  const stats = emptyStats(e, cfg.layers.length);
  ffTrainStep(net, batch, 1, stats);
  await e.readTally(stats.tally);
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    ffTrainStep(net, batch, 1, stats);
    await e.readTally(stats.tally); // waits for everything the step queued
    ms.push(performance.now() - t0);
  }
  return median(ms);
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
  const preset = big ? 'hinton' : 'quick';
  rows.push([`FF minibatch, ${preset} net, batch 100`, 'ms', fmtMs(await minibatchMs(gpu, preset, reps)), fmtMs(await minibatchMs(cpu, preset, reps))]);
  process.stderr.write(`[bench] ${rows.at(-1)!.join('  ')}\n`);
  process.stdout.write(`${asciiTable(['what', 'unit', 'webgpu', cpu.name], rows)}\n`);
}
