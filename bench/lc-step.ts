// `npm run bench -- --lc`: one FF layer training step of a locally-connected layer (the
// paper's CIFAR shape: 32×32×3 → 32×32×3, 11×11 windows) next to the dense 3072→3072 step,
// native engine, batch 100 and 200 (2B rows each: positives and negatives). The step is the
// real layer rule (src/ff/ff-layer.ts): forward, goodness fused into the row normalization,
// the objective's gradient and peer push, the weight gradient straight into the smoothed
// state, the update.
// GFLOP/s count useful work only: 2·rows·units·(K²·C_in) per product, 2 products per step
// (forward and weight gradient); the dense layer's GFLOP/s count its own 2·rows·3072² too.
// Printed per batch size: the LC step, the dense step in the same run, their ratio (issue 20's
// target: ≥ 0.5), and PyTorch's LC step (bench/lc_step_torch.py) when python3-torch imports.
import { performance } from 'node:perf_hooks';

import type { Engine } from '../src/engine/engine.js';
import { localInputSize, localOutputSize, type LocalGeometry } from '../src/engine/local-geometry.js';
import { getEngine } from '../src/engine/select.js';
import { Rng } from '../src/engine/rng.js';
import { FF_DEFAULTS } from '../src/ff/config.js';
import { FFLayer } from '../src/ff/ff-layer.js';
import { NORM_EPS } from '../src/ff/ff-net.js';
import type { NativeEngine } from '../src/engine/native-backend.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TorchServer, torchImportable } from './torch-server.js';

const TORCH_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lc_step_torch.py');

const PAPER: LocalGeometry = { height: 32, width: 32, inChannels: 3, outChannels: 3, window: 11 };

async function stepTimes(e: Engine, B: number, local: boolean, reps: number): Promise<number[]> {
  const F = localInputSize(PAPER);
  const N = localOutputSize(PAPER);
  const layer = new FFLayer(e, { ...FF_DEFAULTS }, 0, N, [{ source: 'input', fanIn: F, local: local ? PAPER : undefined }], new Rng(1));
  const rng = new Rng(2);
  const x = e.fromArray(rng.fillNormal(new Float32Array(2 * B * F)), 2 * B, F);
  const y = e.zeros(2 * B, N);
  const n = e.zeros(2 * B, N);
  const g = e.zeros(2 * B, 1);
  const stats = { tally: e.tally(2), at: 0 };
  const c = layer.connections[0];
  const step = async () => {
    layer.project(c, x, y, 0);
    e.addBias(y, layer.bias.value, true);
    e.normalizeRows(y, n, 'rms', NORM_EPS, g);
    const dz = layer.inputGradient(y, g, { positives: B, negatives: B }, layer.positiveColSum(y, B), stats);
    layer.accumulate(dz, new Map([['input', x]]), 1 / B, true);
    layer.update(FF_DEFAULTS.lr);
  };
  await step(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await step();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** PyTorch's LC step (bench/lc_step_torch.py) per batch size, or why it was skipped. */
async function torchTimes(Bs: number[], reps: number): Promise<{ ms: Map<number, number[]>; note: string }> {
  const ms = new Map<number, number[]>();
  if (process.argv.includes('--no-torch')) return { ms, note: 'PyTorch skipped (--no-torch)' };
  const t = torchImportable();
  if (!t.ok) return { ms, note: `PyTorch skipped: ${t.why}` };
  const server = new TorchServer('lc', TORCH_SCRIPT, [], { OMP_WAIT_POLICY: 'PASSIVE' });
  try {
    const info = await server.call<{ torch: string; threads: number }>({ cmd: 'info' });
    const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = PAPER;
    for (const B of Bs) {
      await server.call({ cmd: 'setup', B, H, W, Ci, Co, K, seed: 1 });
      ms.set(B, (await server.call<{ ms: number[] }>({ cmd: 'step', reps, warmup: 1 })).ms.sort((a, b) => a - b));
    }
    return { ms, note: `PyTorch ${info.torch}, ${info.threads} threads: unfold + batched matmuls (bench/lc_step_torch.py)` };
  } finally {
    await server.close();
  }
}

export async function runLcBench(argv: string[]): Promise<void> {
  const reps = argv.includes('--quick') ? 2 : 5;
  const e = getEngine('native');
  const addon = (e as NativeEngine).addon;
  const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = PAPER;
  const Bs = [100, 200];
  const torch = await torchTimes(Bs, reps);
  console.log(`One FF layer step, native engine: LC kernels on ${addon.localIsa()} (FF_LC_ISA forces one), ${addon.blas} with ${addon.blasThreads()} threads, ` +
    `${process.env.FF_KERNEL_THREADS ?? 'all'} kernel threads; ${reps} timed steps each, best and median ms; rows = 2B.`);
  console.log(`torch: ${torch.note}`);
  console.log('GFLOP/s count useful work: LC 2·rows·1024·363·3 per product (zero taps at the map edge counted, as in the unfolded PyTorch layer), dense 2·rows·3072² per product; 2 products per step.');
  console.log('| B | LC best ms | LC median ms | LC GFLOP/s | dense 3072→3072 best ms | dense GFLOP/s | LC ÷ dense | PyTorch LC best ms | PyTorch LC GFLOP/s |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const B of Bs) {
    const lc = (await stepTimes(e, B, true, reps)).sort((a, b) => a - b);
    const dense = (await stepTimes(e, B, false, reps)).sort((a, b) => a - b);
    const lcFlop = 2 * 2 * 2 * B * H * W * Co * K * K * Ci;
    const denseFlop = 2 * 2 * 2 * B * 3072 * 3072;
    const rate = (flop: number, ms: number) => flop / ms / 1e6;
    const t = torch.ms.get(B);
    console.log(
      `| ${B} | ${lc[0].toFixed(1)} | ${lc[lc.length >> 1].toFixed(1)} | ${rate(lcFlop, lc[0]).toFixed(1)} | ${dense[0].toFixed(1)} | ${rate(denseFlop, dense[0]).toFixed(1)} | ` +
        `${(rate(lcFlop, lc[0]) / rate(denseFlop, dense[0])).toFixed(2)} | ${t ? t[0].toFixed(1) : '—'} | ${t ? rate(lcFlop, t[0]).toFixed(1) : '—'} |`,
    );
  }
}
