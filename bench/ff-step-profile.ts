// Where does one FF layer step spend its time? Times each engine call of the step in
// bench/ff-step.ts separately (median over repeats) on the native engine.
//   node --import tsx bench/ff-step-profile.ts [B] [K] [N] [reps]
// Diagnostic only: `npm run bench` is the benchmark.
import { performance } from 'node:perf_hooks';

import { getEngine } from '../src/engine/select.js';
import { loadNativeEngine } from '../src/engine/native-backend.js';
import { Rng } from '../src/engine/rng.js';

const [B, K, N, REPS] = [100, 2000, 2000, 20].map((d, i) => Number(process.argv[2 + i] ?? d));
const e = getEngine(process.argv[6] ?? 'native');
const R = 2 * B;
const rng = new Rng(1);
const x = e.fromArray(rng.fillNormal(new Float32Array(R * K), 1), R, K);
const W = e.fromArray(rng.fillNormal(new Float32Array(K * N), 1 / Math.sqrt(K)), K, N);
const b = e.zeros(1, N);
const [sW, sb, y, n, g, posSum, coef, pv, dz, dW, db] = [
  [K, N], [1, N], [R, N], [R, N], [R, 1], [1, N], [R, 1], [1, N], [R, N], [K, N], [1, N],
].map(([r, c]) => e.zeros(r, c));

const parts: [string, () => unknown][] = [
  ['gemm forward (2B×K·K×N)', () => e.gemm(x, W, y)],
  ['addBias+relu', () => e.addBias(y, b, true)],
  ['normalizeRows rms', () => e.normalizeRows(y, n, 'rms', Math.exp(-50))],
  ['rowPowerSum', () => e.rowPowerSum(y, g, 2)],
  ['colSum pos rows', () => e.colSum(e.rowView(y, 0, B), posSum, 1, 0)],
  ['read g + posSum', () => Promise.all([e.read(g), e.read(posSum)])],
  ['write coef', () => e.write(coef, new Float32Array(R).fill(-0.5))],
  ['scaleRows', () => e.scaleRows(y, coef, dz, 2)],
  ['write push', () => e.write(pv, new Float32Array(N).fill(0.001))],
  ['addRowVector pos rows', () => e.addRowVector(e.rowView(dz, 0, B), pv, 1)],
  ['gemm dW (transA)', () => e.gemm(x, dz, dW, { transA: true })],
  ['colSum db', () => e.colSum(dz, db, 1, 0)],
  ['smoothStep W', () => e.smoothStep(W, sW, dW, { gradScale: 1 / B, smoothing: 0.9, lr: 0.01, weightCost: 0.001 })],
  ['smoothStep b', () => e.smoothStep(b, sb, db, { gradScale: 1 / B, smoothing: 0.9, lr: 0.01, weightCost: 0 })],
];

const times = new Map<string, number[]>(parts.map(([k]) => [k, []]));
for (let r = 0; r < REPS + 2; r++) {
  for (const [name, f] of parts) {
    const t0 = performance.now();
    await f();
    const dt = performance.now() - t0;
    if (r >= 2) times.get(name)!.push(dt);
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
let total = 0;
console.log(`${e.name} engine, B=${B} (2B=${R} rows), ${K}→${N}, ${REPS} repeats; native: ${loadNativeEngine().reason}`);
for (const [name] of parts) {
  const m = med(times.get(name)!);
  total += m;
  console.log(`${name.padEnd(28)} ${m.toFixed(3).padStart(9)} ms`);
}
console.log(`${'sum of medians'.padEnd(28)} ${total.toFixed(3).padStart(9)} ms`);
