// The integer hash behind the engines' counter-based randomness (perturb's noise, dropout's
// masks): u32 multiplies, xors and shifts only, so JS (Math.imul), C and WGSL (u32 wraps) give
// the same bits, and a draw is a function of its counters, not of a generator's state.

export const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finalizer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One key per (seed, stream); the key enters a draw twice, so two streams are not XOR-shifted copies. */
export function streamKey(seed: number, stream: number): number {
  return fmix32(fmix32((seed ^ GOLDEN) >>> 0) ^ stream);
}
