// Input dropout, a training augmentation (issue 34, item 3): each input value is zeroed with
// probability p and the survivors scaled by 1/(1−p), so the expected input is unchanged and
// evaluation reads the inputs as they are. One uniform draw per value from the model's RNG.
import type { Rng } from '../engine/rng.js';

/** Drops values of `x` in place with probability `p` (0 ≤ p < 1); p = 0 draws nothing. */
export function dropInputs(x: Float32Array, p: number, rng: Rng): void {
  if (!(p > 0)) return;
  if (!(p < 1)) throw new Error(`input dropout must be below 1, got ${p}`);
  const keep = 1 / (1 - p);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform() < p ? 0 : x[i] * keep;
}
