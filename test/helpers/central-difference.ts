// Finite-difference checks of a gradient against a float64 loss: central differences at chosen
// coordinates, and the bound both conv gradient tests hold them to.
import assert from 'node:assert/strict';

/** (loss(value + h·e_j) − loss(value − h·e_j)) / 2h, with value copied to float64. */
export function centralDifference(value: ArrayLike<number>, j: number, loss: (p: Float64Array) => number, h: number): number {
  const p = Float64Array.from(value);
  p[j] = value[j] + h;
  const up = loss(p);
  p[j] = value[j] - h;
  return (up - loss(p)) / (2 * h);
}

/**
 * |grad[j] − fd| ≤ 2e-3·(|fd| + 0.05·max|fd|) at every probed coordinate j (fd[k] belongs to
 * probes[k]); `source` names what computed grad in the message.
 */
export function assertNearDifferences(what: string, source: string, grad: ArrayLike<number>, probes: readonly number[], fd: readonly number[]): void {
  const big = Math.max(...fd.map(Math.abs));
  probes.forEach((j, k) => {
    const lim = 2e-3 * (Math.abs(fd[k]) + 0.05 * big);
    assert.ok(Math.abs(grad[j] - fd[k]) <= lim, `d loss / d ${what}[${j}]: ${source} ${grad[j]}, finite difference ${fd[k]} (bound ${lim.toExponential(2)})`);
  });
}
