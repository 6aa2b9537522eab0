// Reruns the accuracy tests over many seeds and BLAS kernel sets, to set their bars below the
// worst case rather than at what one machine happened to give. Prints each run's accuracies
// (the tests' "accuracy {...}" diagnostics) and the minimum per test and classifier.
//   node scripts/seed-sweep.mjs [--seeds 1-10] [--coretypes Haswell,SkylakeX] [test files…]
// OPENBLAS_CORETYPE picks OpenBLAS's kernels: Haswell = AVX2, SkylakeX = AVX-512 (needs a CPU
// that has it). Every run has a timeout, so a hang cannot stall the sweep.
import { spawnSync } from 'node:child_process';

const DEFAULT_TESTS = ['test/ff/training.test.ts', 'test/ff/labelled-input.test.ts', 'test/bp/gradient.test.ts', 'test/bp/centering.test.ts', 'test/ff/recurrent.test.ts', 'test/readme.test.ts'];
const args = process.argv.slice(2);
const take = (flag, fallback) => {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const [lo, hi] = take('--seeds', '1-10').split('-').map(Number);
const coretypes = take('--coretypes', 'Haswell,SkylakeX').split(',');
const files = args.length ? args : DEFAULT_TESTS;
if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi)) {
  console.error('seed-sweep: --seeds takes a range like 1-10');
  process.exit(2);
}

const worst = new Map();
let failures = 0;
for (const coretype of coretypes) {
  for (let seed = lo; seed <= hi; seed++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', ...files], {
      encoding: 'utf8',
      timeout: 15 * 60_000,
      env: { ...process.env, OPENBLAS_CORETYPE: coretype, FF_TEST_SEED: String(seed) },
    });
    const found = [...r.stdout.matchAll(/^# accuracy (\{.*\})$/gm)].map((m) => JSON.parse(m[1]));
    const merged = Object.assign({}, ...found);
    for (const [k, v] of Object.entries(merged)) worst.set(k, Math.min(worst.get(k) ?? Infinity, v));
    const ok = r.status === 0;
    if (!ok) failures++;
    console.log(`${coretype} seed ${seed}: ${ok ? 'pass' : `FAIL (exit ${r.status ?? r.signal})`} ${JSON.stringify(merged)}`);
  }
}
console.log(`worst over ${coretypes.length * (hi - lo + 1)} runs: ${JSON.stringify(Object.fromEntries(worst))}`);
console.log(failures ? `${failures} failing runs` : 'every run passed');
process.exit(failures ? 1 : 0);
