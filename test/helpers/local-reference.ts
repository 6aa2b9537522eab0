// float64 reference for locally-connected connections in tests: the LC weights as the dense
// (C_in·H·W) × (C_out·H·W) matrix they stand for, zero wherever a unit does not look.
import { localInputSize, localOutputSize, localTapInside, localWeightIndex, type LocalGeometry } from '../../src/engine/local-geometry.js';

export function denseFromLocal(g: LocalGeometry, w: ArrayLike<number>): Float64Array {
  const fout = localOutputSize(g);
  const r = (g.window - 1) / 2;
  const M = new Float64Array(localInputSize(g) * fout);
  for (let co = 0; co < g.outChannels; co++)
    for (let py = 0; py < g.height; py++)
      for (let px = 0; px < g.width; px++)
        for (let ci = 0; ci < g.inChannels; ci++)
          for (let dy = 0; dy < g.window; dy++)
            for (let dx = 0; dx < g.window; dx++) {
              if (!localTapInside(g, py, px, dy, dx)) continue;
              const src = (ci * g.height + py + dy - r) * g.width + px + dx - r;
              M[src * fout + (co * g.height + py) * g.width + px] = w[localWeightIndex(g, co, py, px, ci, dy, dx)];
            }
  return M;
}

/** y = x·M for one row (float64). */
export function rowTimes(x: ArrayLike<number>, M: Float64Array, cols: number): Float64Array {
  const y = new Float64Array(cols);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    for (let j = 0; j < cols; j++) y[j] += xi * M[i * cols + j];
  }
  return y;
}
