// Where does a REAL FF training loop spend its time? (`npm run bench -- --profile`)
//
// Runs the real training loop (src/train/trainer.ts `train` → FFModel → ffTrainStep) on real
// MNIST, with the real preset (default `hinton`: 784-1000-1000-1000, batch 100), for a few
// hundred minibatches. The model's engine is wrapped in a Proxy that times every engine call
// and sorts it into products (gemm), elementwise kernels, optimizer kernels and host↔engine
// transfers (read/write/fromArray); the rest of the wall time is JS (label embedding, the FF
// coefficients, the trainer's batch assembly, the Proxy itself). CPU engines run each call
// synchronously, so timing a call times its work.
//
// Afterwards every product shape seen in the loop is timed on its own (fresh random buffers,
// median of repeats): that is the sgemm ceiling measured in the same run. The report gives the
// loop's achieved GFLOP/s (all products' flops / wall time) against it.
//
//   node --import tsx bench/ff-epoch-profile.ts [--preset hinton] [--batches 300] [--warmup 20]
//                                                [--engine native] [--json] [--ab]
// --json prints one JSON line at the end (for drivers that compare runs).
// --ab alternates, every 10 minibatches of the same run, between the real parameter update
// (Param.stepProduct/stepColSum: the smoothing fused into the product, issue 9) and the update
// as it was before (product into a gradient buffer, then Param.step → smoothStep), and
// reports both: an interleaved before/after on a machine whose load drifts.
import { performance } from 'node:perf_hooks';

import { createFF } from '../src/api.js';
import { subset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import type { Engine, GemmOptions, Mat } from '../src/engine/engine.js';
import { getEngine } from '../src/engine/select.js';
import { Rng } from '../src/engine/rng.js';
import { Param } from '../src/train/optimizer.js';
import type { LocalGeometry } from '../src/engine/local-geometry.js';
import { getPreset } from '../src/experiments/presets.js';
import { train } from '../src/train/trainer.js';

type Category = 'products' | 'elementwise' | 'optimizer' | 'transfers';

const CATEGORY: Record<string, Category> = {
  gemm: 'products',
  localForward: 'products',
  localWeightGrad: 'products',
  localInputGrad: 'products',
  addBias: 'elementwise',
  rowPowerSum: 'elementwise',
  normalizeRows: 'elementwise',
  scaleRows: 'elementwise',
  addRowVector: 'elementwise',
  colSum: 'elementwise',
  softmaxRows: 'elementwise',
  reluBackward: 'elementwise',
  axpby: 'elementwise',
  copy: 'elementwise',
  fill: 'elementwise',
  smoothStep: 'optimizer',
  smoothApply: 'optimizer',
  momentumStep: 'optimizer',
  adamStep: 'optimizer',
  read: 'transfers',
  write: 'transfers',
  fromArray: 'transfers',
};

export interface ShapeStat {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  beta: boolean;
  calls: number;
  ms: number;
}

class Profile {
  ms = new Map<string, number>();
  calls = new Map<string, number>();
  flops = 0;
  shapes = new Map<string, ShapeStat>();
  on = false;

  reset(): void {
    this.ms.clear();
    this.calls.clear();
    this.flops = 0;
    this.shapes.clear();
  }
}

export function gemmShape(a: Mat, b: Mat, opts: GemmOptions = {}) {
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  return {
    m: transA ? a.cols : a.rows,
    k: transA ? a.rows : a.cols,
    n: transB ? b.rows : b.cols,
    transA,
    transB,
    beta: (opts.beta ?? 0) !== 0,
  };
}

/** The engine with every categorized call timed into `p`. */
function profiled(e: Engine, current: () => Profile): Engine {
  return new Proxy(e, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      const f = v as (...a: unknown[]) => unknown;
      const name = String(prop);
      if (!CATEGORY[name]) return f.bind(target);
      return (...args: unknown[]) => {
        const p = current();
        if (!p.on) return f.apply(target, args);
        const t0 = performance.now();
        const r = f.apply(target, args);
        const dt = performance.now() - t0;
        p.ms.set(name, (p.ms.get(name) ?? 0) + dt);
        p.calls.set(name, (p.calls.get(name) ?? 0) + 1);
        if (name === 'localForward' || name === 'localWeightGrad' || name === 'localInputGrad') {
          // Useful work of a locally-connected product: 2·rows·(units)·(K²·C_in).
          const g = args[3] as LocalGeometry;
          p.flops += 2 * (args[0] as Mat).rows * g.height * g.width * g.outChannels * g.window * g.window * g.inChannels;
        }
        if (name === 'gemm') {
          const s = gemmShape(args[0] as Mat, args[1] as Mat, args[3] as GemmOptions | undefined);
          p.flops += 2 * s.m * s.n * s.k;
          const key = `${s.m}x${s.k}x${s.n}${s.transA ? 'tA' : ''}${s.transB ? 'tB' : ''}${s.beta ? 'b' : ''}`;
          const st = p.shapes.get(key) ?? { ...s, calls: 0, ms: 0 };
          st.calls++;
          st.ms += dt;
          p.shapes.set(key, st);
        }
        return r;
      };
    },
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** A 64 MB buffer written before each 'cold' product, so that its operands start outside every cache. */
let evictor: Mat | null = null;

/**
 * GFLOP/s of one product shape on its own (fresh random buffers, median of reps): hot (the
 * operands stay in cache between reps), or cold (the caches are flushed before each rep, as
 * the training loop leaves them: between two uses of a layer's weights it touches every other layer's).
 */
export function sgemmGflops(e: Engine, s: ShapeStat, reps: number, cold = false): number {
  const rng = new Rng(7);
  const [ar, ac] = s.transA ? [s.k, s.m] : [s.m, s.k];
  const [br, bc] = s.transB ? [s.n, s.k] : [s.k, s.n];
  const a = e.fromArray(rng.fillNormal(new Float32Array(ar * ac), 1), ar, ac);
  const b = e.fromArray(rng.fillNormal(new Float32Array(br * bc), 1), br, bc);
  const c = e.fromArray(rng.fillNormal(new Float32Array(s.m * s.n), 1), s.m, s.n);
  const opts = { transA: s.transA, transB: s.transB, beta: s.beta ? 0.9 : 0 };
  const ts: number[] = [];
  for (let r = 0; r < reps + 2; r++) {
    if (cold) e.fill((evictor ??= e.zeros(4096, 4096)), r);
    const t0 = performance.now();
    e.gemm(a, b, c, opts);
    if (r >= 2) ts.push(performance.now() - t0);
  }
  return (2 * s.m * s.n * s.k) / (median(ts) * 1e6);
}

export function argValue(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}

/** Param's update as it was before issue 9: the product into a gradient buffer, then step(). */
type StepProduct = Param['stepProduct'];
type StepColSum = Param['stepColSum'];
const unfusedProduct: StepProduct = function (this: Param, a, b, ops, lr, gradScale, weightCost, grad) {
  const g = grad();
  (this as unknown as { engine: Engine }).engine.gemm(a, b, g, ops);
  this.step(g, lr, gradScale, weightCost);
};
const unfusedColSum: StepColSum = function (this: Param, x, lr, gradScale, weightCost, grad) {
  const g = grad();
  (this as unknown as { engine: Engine }).engine.colSum(x, g, 1, 0);
  this.step(g, lr, gradScale, weightCost);
};

interface Side {
  name: string;
  prof: Profile;
  batchMs: number[];
  wall: number;
}

export async function runProfile(args: string[]): Promise<void> {
  const preset = argValue(args, '--preset', 'hinton');
  const batches = Number(argValue(args, '--batches', '300'));
  const warmup = Number(argValue(args, '--warmup', '20'));
  const engineKind = argValue(args, '--engine', 'native');
  const json = args.includes('--json');
  const ab = args.includes('--ab');
  const BLOCK = 10;

  const base = getEngine(engineKind);
  const sides: Side[] = [{ name: ab ? 'fused (now)' : 'real loop', prof: new Profile(), batchMs: [], wall: 0 }];
  if (ab) sides.push({ name: 'unfused (before issue 9)', prof: new Profile(), batchMs: [], wall: 0 });
  let cur = 0;
  const engine = profiled(base, () => sides[cur].prof);
  const fusedProduct = Param.prototype.stepProduct;
  const fusedColSum = Param.prototype.stepColSum;
  const select = (k: number) => {
    cur = k;
    Param.prototype.stepProduct = k === 0 ? fusedProduct : unfusedProduct;
    Param.prototype.stepColSum = k === 0 ? fusedColSum : unfusedColSum;
  };

  // The preset's own dataset (MNIST unless it says otherwise, e.g. the CIFAR presets).
  const data = await loadDataset(getPreset(preset).ff.dataset ?? 'mnist');
  const probe = createFF({ preset, engine: base, evalEvery: 0 }, data);
  const B = probe.cfg.batchSize;
  const total = warmup + batches;
  const splits = { ...data, train: subset(data.train, 0, Math.min(total * B, data.train.count)) };
  const model = createFF({ preset, engine, evalEvery: 0 }, splits);

  let tLast = 0;
  // Minibatch `done` (1-based) runs on side ((done − warmup − 1) / BLOCK) mod sides.
  const sideOf = (done: number) => (done <= warmup ? 0 : Math.floor((done - warmup - 1) / BLOCK) % sides.length);
  const arm = (next: number) => {
    // Called before minibatch `next` starts.
    select(sideOf(next));
    for (const s of sides) s.prof.on = next > warmup && next <= total;
  };
  try {
    await train(model, splits, {
      stopAfter: 1,
      onEpochStart: () => {
        arm(1);
        tLast = performance.now();
      },
      onBatch: (done) => {
        const t = performance.now();
        if (done > warmup) {
          const s = sides[sideOf(done)];
          s.batchMs.push(t - tLast);
          s.wall += t - tLast;
        }
        arm(done + 1);
        tLast = performance.now();
      },
    });
  } finally {
    select(0);
  }

  // The sgemm ceiling, in the same run: each shape alone.
  const gflopsAlone = new Map<string, number>();
  for (const s of sides) for (const [key, st] of s.prof.shapes) if (!gflopsAlone.has(key)) gflopsAlone.set(key, sgemmGflops(base, st, 7));
  // The same shapes with cold caches: how much of the loop's loss is memory rather than threads.
  const gflopsCold = new Map<string, number>();
  for (const s of sides) for (const [key, st] of s.prof.shapes) if (!gflopsCold.has(key)) gflopsCold.set(key, sgemmGflops(base, st, 7, true));

  const out: Record<string, unknown>[] = [];
  for (const side of sides) {
    const { prof, batchMs, wall } = side;
    const n = batchMs.length;
    const cats: Record<Category | 'js', number> = { products: 0, elementwise: 0, optimizer: 0, transfers: 0, js: 0 };
    for (const [name, ms] of prof.ms) cats[CATEGORY[name]] += ms;
    cats.js = wall - (cats.products + cats.elementwise + cats.optimizer + cats.transfers);
    let sgemmMs = 0;
    const shapeRows: string[] = [];
    for (const [key, s] of prof.shapes) {
      const g = gflopsAlone.get(key)!;
      const fl = 2 * s.m * s.n * s.k * s.calls;
      sgemmMs += fl / (g * 1e6);
      shapeRows.push(
        `    ${key.padEnd(22)} ${String(s.calls / n).padStart(3)}/minibatch ${(s.ms / n).toFixed(2).padStart(7)} ms   in loop ${(fl / (s.ms * 1e6)).toFixed(1).padStart(6)} GFLOP/s   alone ${g.toFixed(1).padStart(6)} GFLOP/s   alone, cold caches ${gflopsCold.get(key)!.toFixed(1).padStart(6)} GFLOP/s`,
      );
    }
    const gflopsLoop = prof.flops / (wall * 1e6);
    const gflopsProducts = prof.flops / (cats.products * 1e6);
    const gflopsSgemm = prof.flops / (sgemmMs * 1e6);
    const per = (ms: number) => (ms / n).toFixed(2).padStart(7);
    const pct = (ms: number) => ((100 * ms) / wall).toFixed(1).padStart(5);
    const lines = [
      `FF epoch profile [${side.name}]: preset ${preset} (${model.cfg.layers.join('-')}, B=${B}), ${n} timed minibatches${ab ? ` (blocks of ${BLOCK}, alternating)` : ''} after ${warmup} warm-up, ${base.name} engine`,
      `  wall ${(wall / 1000).toFixed(2)} s = ${per(wall)} ms/minibatch (median ${median(batchMs).toFixed(2)} ms); a ${Math.ceil(data.train.count / B)}-minibatch epoch (${data.train.count} images) at this rate ≈ ${(((wall / n) * Math.ceil(data.train.count / B)) / 1000).toFixed(1)} s`,
      `  category        ms/minibatch   % of wall`,
      ...(['products', 'elementwise', 'optimizer', 'transfers', 'js'] as const).map((c) => `  ${c.padEnd(14)} ${per(cats[c])}      ${pct(cats[c])}`),
      `  per engine call:`,
      ...[...prof.ms.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, ms]) => `    ${k.padEnd(14)} ${per(ms)} ms/minibatch  (${(prof.calls.get(k)! / n).toFixed(0)} calls)`),
      `  products by shape (m×k×n; tA/tB = transposed operand, b = beta ≠ 0):`,
      ...shapeRows,
      `  GFLOP/s: whole loop ${gflopsLoop.toFixed(1)}; products inside the loop ${gflopsProducts.toFixed(1)}; the same products alone (sgemm, this run) ${gflopsSgemm.toFixed(1)}`,
      `  the loop reaches ${((100 * gflopsLoop) / gflopsSgemm).toFixed(1)} % of the sgemm GFLOP/s; its products ${((100 * gflopsProducts) / gflopsSgemm).toFixed(1)} %`,
    ];
    console.log(lines.join('\n'));
    out.push({
      side: side.name, preset, batches: n, msPerBatch: wall / n, medianBatchMs: median(batchMs),
      cats: Object.fromEntries(Object.entries(cats).map(([k, v]) => [k, v / n])),
      calls: Object.fromEntries([...prof.ms.entries()].map(([k, v]) => [k, v / n])),
      shapes: Object.fromEntries([...prof.shapes.entries()].map(([k, v]) => [k, v.ms / n])),
      gflopsLoop, gflopsProducts, gflopsSgemm,
    });
  }
  if (ab) {
    const [f, u] = out as { msPerBatch: number; medianBatchMs: number }[];
    console.log(`A/B: unfused ÷ fused ms/minibatch = ${(u.msPerBatch / f.msPerBatch).toFixed(3)}× (medians ${(u.medianBatchMs / f.medianBatchMs).toFixed(3)}×)`);
  }
  if (json) console.log(JSON.stringify(out));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runProfile(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
