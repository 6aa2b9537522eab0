// `npm run bench -- --conv`: one convolution layer step — the forward product, the weight
// gradient and the input gradient, as the conv layers will run them (src/engine/conv-geometry.ts:
// im2col → gemm; gemm transA; gemm transB → col2im) — for the layer shapes of a CIFAR conv net
// (batch 128: 32×32×3 → 64, 16×16×64 → 128, 8×8×128 → 256, 4×4×256 → 512, all 3×3 pad 1),
// beside a dense step (the same three gemms on a batch-row square layer of about the same
// FLOPs) in the same run, on the native and the WebAssembly engines, and the same conv step in
// PyTorch (bench/conv_step_torch.py, torch.nn.grad on NCHW) when Debian's python3-torch imports.
// GFLOP/s count useful work only: 3 products of 2·K²·C_in·C_out·Ho·Wo per image (zero padding
// taps counted, as PyTorch's do). Printed: best and median ms, GFLOP/s, conv ÷ dense (issue 32's
// target ≥ 0.6 on native), wasm ÷ native (≥ 1/3), the share of im2col + col2im in the step.
// Flags: --quick (1 timed step, batch 32), --batch N, --reps N, --no-torch, --no-wasm.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { convMacs, patchPositions, patchSize, type ConvGeometry } from '../src/engine/conv-geometry.js';
import type { Engine } from '../src/engine/engine.js';
import { Rng } from '../src/engine/rng.js';
import { getEngine } from '../src/engine/select.js';
import { getPreset } from '../src/experiments/presets.js';
import { FF_DEFAULTS } from '../src/ff/config.js';
import { convMapsFor } from '../src/train/conv-maps.js';
import { TorchServer, torchImportable } from './torch-server.js';

const TORCH_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'conv_step_torch.py');

/** The conv layers of the cifar-conv preset (its widths, kernels and pooling). */
export const CIFAR_CONV_LAYERS: ConvGeometry[] = (() => {
  const cfg = { ...FF_DEFAULTS, ...getPreset('cifar-conv').ff };
  return (convMapsFor(cfg, { height: 32, width: 32, channels: 3 }) ?? []).map((m) => m.conv);
})();

interface Timing {
  ms: number[];
  /** ms of im2col + col2im within the best step (conv only). */
  patchMs: number;
}

function sorted(ms: number[]): number[] {
  return [...ms].sort((a, b) => a - b);
}

async function convStep(e: Engine, g: ConvGeometry, n: number, reps: number): Promise<Timing> {
  const rng = new Rng(1);
  const rowsP = n * patchPositions(g);
  const fin = g.height * g.width * g.channels;
  const x = e.fromArray(rng.fillNormal(new Float32Array(n * fin)), n, fin);
  const w = e.fromArray(rng.fillNormal(new Float32Array(patchSize(g) * g.outChannels)), patchSize(g), g.outChannels);
  const dy = e.fromArray(rng.fillNormal(new Float32Array(rowsP * g.outChannels)), rowsP, g.outChannels);
  const cols = e.zeros(rowsP, patchSize(g));
  const y = e.zeros(rowsP, g.outChannels);
  const dw = e.zeros(patchSize(g), g.outChannels);
  const dcols = e.zeros(rowsP, patchSize(g));
  const dx = e.zeros(n, fin);
  const ms: number[] = [];
  let patchMs = Infinity;
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    e.im2col(x, cols, g);
    const t1 = performance.now();
    e.gemm(cols, w, y);
    e.gemm(cols, dy, dw, { transA: true });
    e.gemm(dy, w, dcols, { transB: true });
    const t2 = performance.now();
    e.col2im(dcols, dx, g);
    await e.read(e.rowView(dx, 0, 1)); // CPU engines run synchronously; a GPU one would wait here
    const t3 = performance.now();
    if (r === 0) continue; // warm-up
    ms.push(t3 - t0);
    if (t3 - t0 <= Math.min(...ms)) patchMs = t1 - t0 + (t3 - t2);
  }
  for (const m of [x, w, dy, cols, y, dw, dcols, dx]) e.dispose(m);
  return { ms: sorted(ms), patchMs };
}

/** The dense step of about `macs` multiply-adds per product: n rows, a square f×f layer. */
async function denseStep(e: Engine, n: number, f: number, reps: number): Promise<Timing> {
  const rng = new Rng(2);
  const x = e.fromArray(rng.fillNormal(new Float32Array(n * f)), n, f);
  const w = e.fromArray(rng.fillNormal(new Float32Array(f * f)), f, f);
  const dy = e.fromArray(rng.fillNormal(new Float32Array(n * f)), n, f);
  const y = e.zeros(n, f);
  const dw = e.zeros(f, f);
  const dx = e.zeros(n, f);
  const ms: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    e.gemm(x, w, y);
    e.gemm(x, dy, dw, { transA: true });
    e.gemm(dy, w, dx, { transB: true });
    await e.read(e.rowView(dx, 0, 1));
    if (r > 0) ms.push(performance.now() - t0);
  }
  for (const m of [x, w, dy, y, dw, dx]) e.dispose(m);
  return { ms: sorted(ms), patchMs: 0 };
}

function tryEngine(kind: 'native' | 'wasm'): { engine?: Engine; why: string } {
  try {
    return { engine: getEngine(kind), why: '' };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}

async function torchTimes(layers: ConvGeometry[], n: number, reps: number, skip: boolean): Promise<{ ms: number[][]; note: string }> {
  if (skip) return { ms: [], note: 'PyTorch skipped (--no-torch)' };
  const t = torchImportable();
  if (!t.ok) return { ms: [], note: `PyTorch skipped: ${t.why}` };
  const server = new TorchServer('conv', TORCH_SCRIPT, [], { OMP_WAIT_POLICY: 'PASSIVE' });
  try {
    const info = await server.call<{ torch: string; threads: number }>({ cmd: 'info' });
    const ms: number[][] = [];
    for (const g of layers) {
      await server.call({ cmd: 'setup', N: n, H: g.height, W: g.width, Ci: g.channels, Co: g.outChannels, K: g.kernel, S: g.stride, P: g.padding, seed: 1 });
      ms.push(sorted((await server.call<{ ms: number[] }>({ cmd: 'step', reps, warmup: 1 })).ms));
    }
    return { ms, note: `PyTorch ${info.torch}, ${info.threads} threads: conv2d + torch.nn.grad.conv2d_weight / conv2d_input on NCHW (bench/conv_step_torch.py)` };
  } finally {
    await server.close();
  }
}

function flagValue(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${String(argv[i + 1])}`);
  return v;
}

export async function runConvBench(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const n = flagValue(argv, '--batch', quick ? 32 : 128);
  const reps = flagValue(argv, '--reps', quick ? 1 : 3);
  const native = tryEngine('native');
  const wasm = argv.includes('--no-wasm') ? { why: 'skipped (--no-wasm)' } : tryEngine('wasm');
  const torch = await torchTimes(CIFAR_CONV_LAYERS, n, reps, argv.includes('--no-torch'));
  console.log(`One conv layer step (forward + weight gradient + input gradient), batch ${n}, ${reps} timed steps after one warm-up; best and median ms.`);
  console.log(`native: ${native.engine ? `${(native.engine as { addon?: { blas: string } }).addon?.blas ?? ''}, ${process.env.FF_KERNEL_THREADS ?? 'all'} kernel threads` : native.why}`);
  console.log(`wasm: ${wasm.engine ? `${(wasm.engine as { threadCount?: number }).threadCount ?? 1} threads` : wasm.why}`);
  console.log(`torch: ${torch.note}`);
  console.log('GFLOP/s: 3 products of 2·K²·C_in·C_out·Ho·Wo per image (conv); 3 products of 2·n·f² (dense n×f → f, f chosen for about the same FLOPs).');
  console.log('| layer | native conv ms (best / median) | GFLOP/s | im2col+col2im share | dense f | native dense GFLOP/s | conv ÷ dense | wasm conv ms | wasm GFLOP/s | wasm ÷ native | PyTorch ms | PyTorch GFLOP/s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rate = (flop: number, ms: number) => flop / ms / 1e6;
  const fmt = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
  // The whole net: best times summed over the layers (a missing column stays NaN).
  const sum = { flop: 0, denseFlop: 0, nc: 0, nd: 0, wc: 0, t: 0 };
  for (const [k, g] of CIFAR_CONV_LAYERS.entries()) {
    const flop = 3 * 2 * n * convMacs(g);
    const f = Math.max(64, Math.round(Math.sqrt(convMacs(g)) / 64) * 64); // 2·n·f² ≈ 2·n·macs per product
    const denseFlop = 3 * 2 * n * f * f;
    const nc = native.engine ? await convStep(native.engine, g, n, reps) : undefined;
    const nd = native.engine ? await denseStep(native.engine, n, f, reps) : undefined;
    const wc = wasm.engine ? await convStep(wasm.engine, g, n, reps) : undefined;
    const t = torch.ms[k];
    sum.flop += flop;
    sum.denseFlop += denseFlop;
    sum.nc += nc ? nc.ms[0] : NaN;
    sum.nd += nd ? nd.ms[0] : NaN;
    sum.wc += wc ? wc.ms[0] : NaN;
    sum.t += t ? t[0] : NaN;
    const convRate = nc && rate(flop, nc.ms[0]);
    const denseRate = nd && rate(denseFlop, nd.ms[0]);
    const wasmRate = wc && rate(flop, wc.ms[0]);
    console.log(
      `| ${g.height}×${g.width}×${g.channels} → ${g.outChannels} | ${nc ? `${fmt(nc.ms[0])} / ${fmt(nc.ms[nc.ms.length >> 1])}` : '—'} | ${fmt(convRate)} | ` +
        `${nc ? `${fmt((100 * nc.patchMs) / nc.ms[0], 0)} %` : '—'} | ${f} | ${fmt(denseRate)} | ${convRate && denseRate ? fmt(convRate / denseRate, 2) : '—'} | ` +
        `${wc ? fmt(wc.ms[0]) : '—'} | ${fmt(wasmRate)} | ${wasmRate && convRate ? fmt(wasmRate / convRate, 2) : '—'} | ${t ? fmt(t[0]) : '—'} | ${t ? fmt(rate(flop, t[0])) : '—'} |`,
    );
  }
  const [c, d, w] = [rate(sum.flop, sum.nc), rate(sum.denseFlop, sum.nd), rate(sum.flop, sum.wc)];
  console.log(
    `| all four | ${fmt(sum.nc)} | ${fmt(c)} | | | ${fmt(d)} | ${fmt(c / d, 2)} | ${fmt(sum.wc)} | ${fmt(w)} | ${fmt(w / c, 2)} | ${fmt(sum.t)} | ${fmt(rate(sum.flop, sum.t))} |`,
  );
}
