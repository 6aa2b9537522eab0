// One draw from a categorical distribution sharpened or flattened by a temperature t:
// p^(1/t), renormalised. Computed in log space relative to the most probable class,
// exp((ln p − ln p_max) / t), so the most probable class weighs 1 and a small t is nearly
// greedy: p^(1/t) itself underflows to 0 for every class at t = 0.001 (0.3^1000), and an
// all-zero row is sampled uniformly (Rng.categorical) — the opposite of what was asked.
import type { Rng } from '../engine/rng.js';
import { sampleAtTemperatureWith } from '../engine/step-maths.js';

/**
 * A class 0..n−1 drawn from `probs[offset .. offset+n)` at `temperature` (> 0). t = 1 draws
 * from the probabilities as given (the same draw as rng.categorical); a row with no positive
 * value is sampled uniformly. `scratch` (≥ n values) saves an allocation per draw.
 */
export function sampleAtTemperature(probs: ArrayLike<number>, offset: number, n: number, temperature: number, rng: Rng, scratch: Float64Array = new Float64Array(n)): number {
  return sampleAtTemperatureWith(rng.uniform(), probs, offset, n, temperature, scratch);
}
