// The native engine's matrix product under each OpenBLAS kernel set this CPU can run, against
// OpenBLAS's own choice, in one run: `node --import tsx bench/blas-cores.ts [--reps 20]`.
// OpenBLAS reads OPENBLAS_CORETYPE only when it loads, so each kernel set is timed in a child
// process. The product is one FF layer's forward for the paper's net: 200 rows (100 positive +
// 100 negative) × 2000 inputs × 2000 units. Says why `ff` restarts itself on a CPU OpenBLAS
// does not know (src/cli/relaunch.ts).
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { cpuFlags } from '../src/engine/blas-kernels.js';
import { loadNativeEngine } from '../src/engine/native-backend.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '20' }, child: { type: 'boolean', default: false } } });
const reps = Number(values.reps);
const [M, K, N] = [200, 2000, 2000];

if (values.child) {
  const { engine, reason } = loadNativeEngine();
  if (!engine) throw new Error(`no native engine: ${reason}`);
  const a = new Float32Array(M * K).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = new Float32Array(K * N).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(M * N);
  for (let r = 0; r < 3; r++) engine.addon.gemm(false, false, M, N, K, 1, a, b, 0, c);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    engine.addon.gemm(false, false, M, N, K, 1, a, b, 0, c);
    times.push(performance.now() - t);
  }
  const median = [...times].sort((x, y) => x - y)[times.length >> 1];
  const core = engine.addon.blasCore?.() ?? '';
  process.stdout.write(JSON.stringify({ core, blas: engine.addon.blas, threads: engine.addon.blasThreads(), gflops: (2 * M * N * K) / (median * 1e6) }));
} else {
  const flags = cpuFlags();
  const sets: (string | undefined)[] = [undefined, 'Haswell'];
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd'].every((f) => flags.has(f))) sets.push('SkylakeX');
  const rows: string[] = [];
  let own = 0;
  for (const set of sets) {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.FF_OPENBLAS_FALLBACK;
    if (set) env.OPENBLAS_CORETYPE = set;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/blas-cores.ts', '--child', '--reps', String(reps)], { encoding: 'utf8', env, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`child for ${set ?? 'own choice'} failed: ${r.stderr.trim().split('\n').at(-1)}`);
    const m = JSON.parse(r.stdout) as { core: string; blas: string; threads: number; gflops: number };
    if (!set) own = m.gflops;
    rows.push(`| ${set ? `OPENBLAS_CORETYPE=${set}` : "OpenBLAS's own choice"} | ${m.core} | ${m.threads} | ${m.gflops.toFixed(1)} | ${(m.gflops / own).toFixed(2)} |`);
    if (!set) process.stdout.write(`${m.blas}; sgemm ${M}×${K} · ${K}×${N}, median of ${reps}\n\n`);
  }
  process.stdout.write(['| kernels | OpenBLAS says | threads | GFLOP/s | vs own choice |', '| --- | --- | ---: | ---: | ---: |', ...rows].join('\n') + '\n');
}
