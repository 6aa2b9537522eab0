// `npm run bench -- --lc`: one FF layer training step of a locally-connected layer (the
// paper's CIFAR shape: 32×32×3 → 32×32×3, 11×11 windows) next to the dense 3072→3072 step,
// native engine, batch 100 and 200 (2B rows each: positives and negatives). The step is the
// real layer rule (src/ff/ff-layer.ts): forward, goodness fused into the row normalization,
// coefficients and peer push, the weight gradient straight into the smoothed state, the update.
// GFLOP/s count useful work only: 2·rows·units·(K²·C_in) per product, 2 products per step
// (forward and weight gradient); the dense layer's GFLOP/s count its own 2·rows·3072² too.
import { performance } from 'node:perf_hooks';

import type { Engine } from '../src/engine/engine.js';
import { localInputSize, localOutputSize, type LocalGeometry } from '../src/engine/local-geometry.js';
import { getEngine } from '../src/engine/select.js';
import { Rng } from '../src/engine/rng.js';
import { FF_DEFAULTS } from '../src/ff/config.js';
import { FFLayer } from '../src/ff/ff-layer.js';
import { NORM_EPS } from '../src/ff/ff-net.js';

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
  const stats = { ffLoss: 0, pairErrors: 0 };
  const c = layer.connections[0];
  const step = async () => {
    layer.project(c, x, y, 0);
    e.addBias(y, layer.bias.value, true);
    e.normalizeRows(y, n, 'rms', NORM_EPS, g);
    const posSum = layer.positiveColSum(y, B);
    const [good, m] = await Promise.all([e.read(g), posSum ? e.read(posSum) : Promise.resolve(null)]);
    const dz = layer.inputGradient(y, layer.coefficients(good, B, B, stats), B, B, m);
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

export async function runLcBench(argv: string[]): Promise<void> {
  const reps = argv.includes('--quick') ? 2 : 5;
  const e = getEngine('native');
  const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = PAPER;
  console.log(`One FF layer step, native engine (${reps} timed steps each, best and median ms; rows = 2B)`);
  console.log('| layer | B | best ms | median ms | GFLOP/s (best) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const B of [100, 200]) {
    for (const local of [true, false]) {
      const ms = (await stepTimes(e, B, local, reps)).sort((a, b) => a - b);
      const perProduct = local ? 2 * 2 * B * H * W * Co * K * K * Ci : 2 * 2 * B * 3072 * 3072;
      const label = local ? `LC ${H}×${W}×${Ci}→${Co}, ${K}×${K}` : 'dense 3072→3072';
      console.log(`| ${label} | ${B} | ${ms[0].toFixed(1)} | ${ms[ms.length >> 1].toFixed(1)} | ${((2 * perProduct) / ms[0] / 1e6).toFixed(1)} |`);
    }
  }
}
