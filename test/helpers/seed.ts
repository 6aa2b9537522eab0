// The seed of the accuracy tests. scripts/seed-sweep.mjs reruns them over many seeds (and
// BLAS kernel sets) through FF_TEST_SEED, to check that their bars hold on any machine.
export function testSeed(fallback: number): number {
  const s = process.env.FF_TEST_SEED;
  if (s === undefined || s === '') return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`FF_TEST_SEED must be a non-negative integer, got '${s}'`);
  return n;
}
