// `npm run bench`: how fast is one Forward-Forward layer training step on our engines, and how
// does it compare with the same step in PyTorch on the same machine?
//
//   (a) sgemm GFLOP/s for the FF product shapes, per backend (and PyTorch's torch.mm);
//   (b) ms for ONE full FF layer step (the per-layer work of src/ff/ff-step.ts, below) for
//       784→2000 and 2000→2000 at batch 100 and 1000, native, wasm and js (js at batch 100 only);
//   (c) when Debian's python3-torch imports under /usr/bin/python3, the same step in PyTorch,
//       plain and tuned (bench/ff_step_torch.py), run interleaved with ours.
//
// Flags: --quick (few repeats, for checking the script), --no-torch, --no-js, --no-wasm;
// --profile runs bench/ff-epoch-profile.ts instead (a real training loop, timed per engine call);
// --epoch runs bench/ff-epoch-compare.ts instead: N minibatches of a real `hinton` epoch on our
//   engine and on a faithful, tuned PyTorch port (bench/ff_epoch_torch.py), interleaved in blocks,
//   checked step for step first (PASS/FAIL); prints ms per minibatch, the epoch projection, the
//   speed ratio and the sgemm GFLOP/s of the same run (--quick, --blocks N, --block K,
//   --check-steps S ≤ 5, --preset P);
// --lc runs bench/lc-step.ts instead (a locally-connected layer step next to the dense one).
// --conv runs bench/conv-step.ts instead (conv layer steps of a CIFAR net next to dense ones).
// --engine webgpu runs bench/webgpu-step.ts instead (the WebGPU engine beside the CPU one).
// The tables go to stdout and, as Markdown, to bench/last-run.md.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

import type { Engine } from '../src/engine/engine.js';
import { getEngine, nodeWasmEngine } from '../src/engine/select.js';
import { loadNativeEngine } from '../src/engine/native-backend.js';
import { Rng } from '../src/engine/rng.js';
import { disposeLayer, ffLayerStep, layerData, makeLayer, timeSteps } from './ff-layer-step.js';
import { cpuModel, otherLoad } from './machine-info.js';
import { PYTHON, TorchServer, torchImportable } from './torch-server.js';
import { asciiTable, fmt, fmtMs, mdTable, median, min } from './tables.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = path.join(HERE, 'ff_step_torch.py');

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const WANT_TORCH = !args.has('--no-torch');
const WANT_JS = !args.has('--no-js');
const WANT_WASM = !args.has('--no-wasm');

// Repeats. Step timings are pooled over ROUNDS interleaved rounds of REPS steps per side
// (each round starts with one untimed warm-up step per side).
const ROUNDS = QUICK ? 2 : 5;
const REPS_B100 = QUICK ? 2 : 4; // 5 × 4 = 20 timed steps per side
const REPS_B1000 = QUICK ? 1 : 2; // 5 × 2 = 10 timed steps per side
const JS_STEP_REPS = QUICK ? 1 : 3; // the js backend is slow: few repeats, batch 100 only
const GEMM_REPS = QUICK ? 3 : 10;
const JS_GEMM_REPS = QUICK ? 1 : 3;
// Pause before each side's turn. On the 2-core dev VM a product started 20–100 ms after
// ANOTHER process's product (ours after PyTorch's or the reverse) ran at half speed in a
// test, presumably OpenBLAS worker threads still busy-waiting over there; after our own
// products there was no such effect. Without the pause the interleaving itself would slow
// whichever side goes second.
const GAP_MS = 400;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

// ---- main ---------------------------------------------------------------------------------

interface GemmRow {
  label: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  gflops: Record<string, number | undefined>;
}

interface StepRow {
  layer: string;
  B: number;
  backend: string;
  ours: number[];
  plain?: number[];
  tuned?: number[];
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = os.loadavg();
  const busy0 = otherLoad();
  const native = loadNativeEngine();
  const engines: Engine[] = [];
  if (native.engine) engines.push(getEngine('native'));
  else log(`native engine unavailable: ${native.reason}`);
  if (WANT_WASM) engines.push(nodeWasmEngine());
  if (WANT_JS) engines.push(getEngine('js'));
  const nativeEngine = native.engine ? getEngine('native') : undefined;

  let torch: { plain: TorchServer; tuned: TorchServer } | undefined;
  let torchNote: string;
  const torchInfo: Record<string, Record<string, unknown>> = {};
  if (WANT_TORCH) {
    const t = torchImportable();
    if (t.ok) {
      const server = (variant: 'plain' | 'tuned') =>
        new TorchServer(variant, TORCH_SCRIPT, ['--serve', variant], variant === 'tuned' ? { OMP_WAIT_POLICY: 'PASSIVE' } : {});
      torch = { plain: server('plain'), tuned: server('tuned') };
      torchInfo.plain = await torch.plain.call({ cmd: 'info' });
      torchInfo.tuned = await torch.tuned.call({ cmd: 'info' });
      torchNote = `PyTorch ${torchInfo.plain.torch} (Python ${torchInfo.plain.python}, ${PYTHON}, BLAS_INFO=${torchInfo.plain.blas}), two long-lived subprocesses fed commands over stdin (no Python start-up inside the timings): plain = default threads (${torchInfo.plain.threads}), OMP_WAIT_POLICY ${torchInfo.plain.omp_wait_policy}; tuned = set_num_threads(${torchInfo.tuned.threads}), OMP_WAIT_POLICY=${torchInfo.tuned.omp_wait_policy}`;
    } else {
      torchNote = `PyTorch skipped: ${t.why}`;
    }
  } else {
    torchNote = 'PyTorch skipped (--no-torch)';
  }

  const machine = [
    `date: ${started.toISOString()}`,
    `cpu: ${cpuModel()}, ${os.cpus().length} logical cores (available parallelism ${os.availableParallelism()})`,
    `native: ${native.engine ? `${native.engine.addon.blas}, blasThreads() = ${native.engine.addon.blasThreads()}` : native.reason}`,
    `node: ${process.version}`,
    `torch: ${torchNote}`,
    `load average at start: ${load0.map((x) => x.toFixed(2)).join(' ')}; other busy processes: ${busy0}`,
    `repeats: steps ${ROUNDS} interleaved rounds × ${REPS_B100} (batch 100) / × ${REPS_B1000} (batch 1000) per side, js ${JS_STEP_REPS}; gemm ${GEMM_REPS} (js ${JS_GEMM_REPS}); ${GAP_MS} ms pause before each side's turn${QUICK ? ' [--quick]' : ''}`,
  ];
  log(machine.join('\n[bench] '));

  // ---- (a) sgemm GFLOP/s ----------------------------------------------------------------
  const gemmShapes: Omit<GemmRow, 'gflops'>[] = [];
  for (const [m, k, n] of [[100, 784, 2000], [100, 2000, 2000], [1000, 784, 2000], [1000, 2000, 2000]] as const) {
    gemmShapes.push({ label: `${m}×${k}·${k}×${n} (forward, B rows)`, m, n, k, transA: false });
  }
  for (const [m, k, n] of [[200, 784, 2000], [200, 2000, 2000], [2000, 784, 2000], [2000, 2000, 2000]] as const) {
    gemmShapes.push({ label: `${m}×${k}·${k}×${n} (forward, pos+neg 2B rows)`, m, n, k, transA: false });
  }
  for (const [r, k, n] of [[200, 784, 2000], [200, 2000, 2000], [2000, 784, 2000], [2000, 2000, 2000]] as const) {
    gemmShapes.push({ label: `(${r}×${k})ᵀ·${r}×${n} (dW, transA)`, m: k, n, k: r, transA: true });
  }
  const gemmRows: GemmRow[] = [];
  for (const sh of gemmShapes) {
    const row: GemmRow = { ...sh, gflops: {} };
    const flop = 2 * sh.m * sh.n * sh.k;
    const small = Math.max(sh.transA ? sh.k : sh.m) <= 200; // batch-100 shapes
    for (const e of engines) {
      if (e.name === 'js' && !small) continue;
      const rng = new Rng(7);
      const a = sh.transA
        ? e.fromArray(rng.fillNormal(new Float32Array(sh.k * sh.m), 1), sh.k, sh.m)
        : e.fromArray(rng.fillNormal(new Float32Array(sh.m * sh.k), 1), sh.m, sh.k);
      const b = e.fromArray(rng.fillNormal(new Float32Array(sh.k * sh.n), 1), sh.k, sh.n);
      const c = e.zeros(sh.m, sh.n);
      const reps = e.name === 'js' ? JS_GEMM_REPS : GEMM_REPS;
      await sleep(GAP_MS);
      e.gemm(a, b, c, { transA: sh.transA }); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        e.gemm(a, b, c, { transA: sh.transA });
        ms.push(performance.now() - t0);
      }
      row.gflops[e.name] = flop / (median(ms) * 1e6);
      for (const m of [a, b, c]) e.dispose(m);
    }
    if (torch) {
      for (const v of ['plain', 'tuned'] as const) {
        await sleep(GAP_MS);
        const r = await torch[v].call<{ ms: number[] }>({ cmd: 'gemm', m: sh.m, n: sh.n, k: sh.k, transA: sh.transA, reps: GEMM_REPS });
        row.gflops[`torch ${v}`] = flop / (median(r.ms) * 1e6);
      }
    }
    log(`gemm ${sh.label}: ${Object.entries(row.gflops).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')} GFLOP/s`);
    gemmRows.push(row);
  }

  // ---- (b)+(c) the FF layer step, interleaved with PyTorch ------------------------------
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ff-bench-'));
  const stepRows: StepRow[] = [];
  const checks: string[] = [];
  try {
    for (const B of [100, 1000]) {
      for (const [K, N] of [[784, 2000], [2000, 2000]] as const) {
        const layer = `${K}→${N}`;
        const data = layerData(B, K, N, 1000 * B + K);
        // Same data for the PyTorch servers, through raw float32 files.
        if (torch) {
          const files = { x: path.join(tmp, 'x.f32'), w: path.join(tmp, 'w.f32'), b: path.join(tmp, 'b.f32') };
          writeFileSync(files.x, data.x);
          writeFileSync(files.w, data.W);
          writeFileSync(files.b, data.b);
          await Promise.all([torch.plain.call({ cmd: 'load', B, K, N, ...files }), torch.tuned.call({ cmd: 'load', B, K, N, ...files })]);
        }
        // Cross-check once per shape: one step from identical state must give the same numbers.
        if (torch && nativeEngine) {
          const s = makeLayer(nativeEngine, B, K, N, data);
          const W0 = Float32Array.from(data.W);
          await ffLayerStep(nativeEngine, s);
          const W1 = await nativeEngine.read(s.layer.connections[0].weight.value);
          const b1 = await nativeEngine.read(s.layer.bias.value);
          const n1 = await nativeEngine.read(s.n);
          const g1 = await nativeEngine.read(s.g);
          let dW = 0, db = 0, na = 0, gs = 0, ps = 0;
          for (let i = 0; i < W1.length; i++) dW += Math.abs(W1[i] - W0[i]);
          for (let i = 0; i < b1.length; i++) db += Math.abs(b1[i]);
          for (let i = 0; i < n1.length; i++) na += Math.abs(n1[i]);
          for (let i = 0; i < g1.length; i++) gs += g1[i];
          const peer = await nativeEngine.read(s.layer.peerMeans);
          for (let i = 0; i < peer.length; i++) ps += peer[i];
          const [loss, pairErrors] = await nativeEngine.readTally(s.stats.tally);
          const ours: Record<string, number> = { dW_abs: dW, db_abs: db, n_abs: na, g_sum: gs, peer_sum: ps, loss, pair_errors: pairErrors };
          disposeLayer(nativeEngine, s);
          for (const v of ['plain', 'tuned'] as const) {
            const t = await torch[v].call<Record<string, number>>({ cmd: 'check' });
            const worst = Object.keys(ours)
              .map((k) => Math.abs(ours[k] - t[k]) / Math.max(1e-12, Math.abs(ours[k]), Math.abs(t[k])))
              .reduce((a, b) => Math.max(a, b), 0);
            const ok = worst < 1e-3;
            checks.push(`${layer} B=${B} native vs torch ${v}: max relative checksum difference ${worst.toExponential(1)} ${ok ? 'OK' : 'MISMATCH'}`);
            if (!ok) log(`CHECK MISMATCH ${layer} B=${B} ${v}: ours ${JSON.stringify(ours)} torch ${JSON.stringify(t)}`);
          }
          // Reload the pristine state for timing.
          const files = { x: path.join(tmp, 'x.f32'), w: path.join(tmp, 'w.f32'), b: path.join(tmp, 'b.f32') };
          await Promise.all([torch.plain.call({ cmd: 'load', B, K, N, ...files }), torch.tuned.call({ cmd: 'load', B, K, N, ...files })]);
        }

        const reps = B >= 1000 ? REPS_B1000 : REPS_B100;
        for (const e of engines) {
          if (e.name === 'js' && B !== 100) continue;
          const s = makeLayer(e, B, K, N, data);
          const row: StepRow = { layer, B, backend: e.name, ours: [] };
          if (e.name === 'js') {
            await sleep(GAP_MS);
            // Slow: a few steps on their own (the PyTorch columns come from the native rounds).
            row.ours = await timeSteps(e, s, JS_STEP_REPS, 1);
          } else {
            if (torch) {
              row.plain = [];
              row.tuned = [];
            }
            // Interleaved rounds; the side that goes first rotates from round to round.
            const sides = ['ours', ...(torch ? ['plain', 'tuned'] : [])];
            for (let r = 0; r < ROUNDS; r++) {
              for (let i = 0; i < sides.length; i++) {
                const side = sides[(i + r) % sides.length];
                await sleep(GAP_MS);
                if (side === 'ours') row.ours.push(...(await timeSteps(e, s, reps, 1)));
                else {
                  const t = await torch![side as 'plain' | 'tuned'].call<{ ms: number[] }>({ cmd: 'step', reps, warmup: 1 });
                  row[side as 'plain' | 'tuned']!.push(...t.ms);
                }
              }
            }
          }
          disposeLayer(e, s);
          stepRows.push(row);
          log(
            `step ${layer} B=${B} ${e.name}: ${fmtMs(median(row.ours))} ms` +
              (row.plain ? `, torch plain ${fmtMs(median(row.plain))} ms, tuned ${fmtMs(median(row.tuned!))} ms` : ''),
          );
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    if (torch) await Promise.all([torch.plain.close(), torch.tuned.close()]);
  }
  // js rows borrow the PyTorch timings of the native rounds of the same shape.
  for (const r of stepRows) {
    if (r.backend !== 'js') continue;
    const n = stepRows.find((x) => x.backend === 'native' && x.layer === r.layer && x.B === r.B);
    if (n?.plain) {
      r.plain = n.plain;
      r.tuned = n.tuned;
    }
  }
  const load1 = os.loadavg();
  const busy1 = otherLoad();
  machine.push(`load average at end: ${load1.map((x) => x.toFixed(2)).join(' ')}; other busy processes: ${busy1}`);

  // ---- report ---------------------------------------------------------------------------
  const backends = [...engines.map((e) => e.name), ...(torch ? ['torch plain', 'torch tuned'] : [])];
  const gemmHeader = ['shape', ...backends.map((b) => `${b} GFLOP/s`)];
  const gemmTable = gemmRows.map((r) => [r.label, ...backends.map((b) => fmt(r.gflops[b]))]);
  const stepHeader = [
    'layer',
    'batch',
    'backend',
    'ms median (min)',
    'n',
    'torch plain ms median (min)',
    'torch tuned ms median (min)',
    'speedup vs plain',
    'vs tuned',
  ];
  const cell = (xs?: number[]) => (xs && xs.length ? `${fmtMs(median(xs))} (${fmtMs(min(xs))})` : '—');
  const ratio = (t: number[] | undefined, o: number[]) => (t && t.length ? `${(median(t) / median(o)).toFixed(2)}×` : '—');
  const stepTable = stepRows.map((r) => [
    r.layer,
    String(r.B),
    r.backend,
    cell(r.ours),
    String(r.ours.length),
    cell(r.plain),
    cell(r.tuned),
    ratio(r.plain, r.ours),
    ratio(r.tuned, r.ours),
  ]);

  const mode = torch
    ? 'PyTorch mode: two long-lived Python subprocesses (plain, tuned) receiving JSON commands over stdin; ' +
      'each round runs ours, torch plain and torch tuned one after another (rotating which goes first), each turn after a ' + GAP_MS + ' ms pause (in a test a product right after another process\'s product ran at half speed) and with one untimed warm-up step; ' +
      'medians and minima are over all timed steps of all rounds. Speedup = torch median ms / ours median ms (> 1: ours faster). ' +
      'js rows: a few steps on their own; their torch columns repeat the native rows\' PyTorch timings.'
    : torchNote;

  const text = [
    'FF layer step benchmark (npm run bench)',
    ...machine.map((m) => `  ${m}`),
    '',
    '(a) sgemm, median GFLOP/s',
    asciiTable(gemmHeader, gemmTable),
    '',
    '(b)+(c) one FF layer training step (forward pos+neg, goodness, p, FF gradient, peer norm, dW, db, smoothed update of W and b, normalized output)',
    asciiTable(stepHeader, stepTable),
    '',
    mode,
    ...(checks.length ? ['', 'same-work check (one step from identical state, checksums of ΔW, Δb, normalized output, goodness, peer means, loss, pair errors):', ...checks.map((c) => `  ${c}`)] : []),
  ].join('\n');
  console.log(text);

  const md = [
    `### Run of ${started.toISOString()}`,
    '',
    ...machine.map((m) => `- ${m}`),
    '',
    '**(a) sgemm, median GFLOP/s**',
    '',
    mdTable(gemmHeader, gemmTable),
    '',
    '**(b)+(c) one FF layer training step**',
    '',
    mdTable(stepHeader, stepTable),
    '',
    mode,
    ...(checks.length ? ['', 'Same-work check:', '', ...checks.map((c) => `- ${c}`)] : []),
    '',
  ].join('\n');
  writeFileSync(path.join(HERE, 'last-run.md'), md);
  log('wrote bench/last-run.md');
}

// `npm run bench -- --profile [options]`: the per-epoch profile of the real training loop
// (bench/ff-epoch-profile.ts) instead of the layer-step benchmark.
(args.has('--profile')
  ? import('./ff-epoch-profile.js').then((m) => m.runProfile(process.argv.slice(2)))
  : args.has('--epoch')
    ? import('./ff-epoch-compare.js').then((m) => m.runEpochCompare(process.argv.slice(2)))
  : args.has('--lc')
    ? import('./lc-step.js').then((m) => m.runLcBench(process.argv.slice(2)))
  : args.has('--conv')
    ? import('./conv-step.js').then((m) => m.runConvBench(process.argv.slice(2)))
  : process.argv.slice(2).join(' ').includes('--engine webgpu')
    ? import('./webgpu-step.js').then((m) => m.runWebGpuBench(process.argv.slice(2)))
    : main()).catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
