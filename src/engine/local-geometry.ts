// The geometry and memory layout of a locally-connected (LC) connection: no weight sharing,
// every unit of an H×W map (C_out units per location) sees a K×K window of the source map
// (all C_in channels), zero outside the map. Source and target maps share H×W.
//
// Layout (the same in every backend, in checkpoints and in receptive-field pictures):
//   maps      rows × (C·H·W), channel-planar like the images: index (c·H + y)·W + x;
//   weights   a (H·C_out·C_in·K·K) × W matrix: row (((py·C_out + co)·C_in + ci)·K + dy)·K + dx,
//             column px — the weight from source pixel (ci, py+dy−K/2, px+dx−K/2) to unit
//             (co, py, px). Taps that fall outside the map exist, stay 0 and get no gradient.
// Neighbouring units of a map row have neighbouring weights, which is what lets the kernels
// work along map rows with vector instructions (native/lc_kernels.c).

export interface LocalGeometry {
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  /** K: the side of the square window, odd. */
  window: number;
}

/** Values per source row (C_in·H·W). */
export function localInputSize(g: LocalGeometry): number {
  return g.inChannels * g.height * g.width;
}

/** Values per target row (C_out·H·W). */
export function localOutputSize(g: LocalGeometry): number {
  return g.outChannels * g.height * g.width;
}

/** Shape of the weight matrix. */
export function localWeightShape(g: LocalGeometry): { rows: number; cols: number } {
  return { rows: g.height * g.outChannels * g.inChannels * g.window * g.window, cols: g.width };
}

/** Flat index of the weight from tap (ci, dy, dx) to unit (co, py, px). */
export function localWeightIndex(g: LocalGeometry, co: number, py: number, px: number, ci: number, dy: number, dx: number): number {
  const K = g.window;
  return ((((py * g.outChannels + co) * g.inChannels + ci) * K + dy) * K + dx) * g.width + px;
}

/** Whether tap (dy, dx) of unit (py, px) falls inside the map. */
export function localTapInside(g: LocalGeometry, py: number, px: number, dy: number, dx: number): boolean {
  const r = (g.window - 1) / 2;
  const y = py + dy - r;
  const x = px + dx - r;
  return y >= 0 && y < g.height && x >= 0 && x < g.width;
}

/** Throw a one-line error unless the geometry is usable. */
export function checkLocalGeometry(g: LocalGeometry): void {
  const dims = [g.height, g.width, g.inChannels, g.outChannels, g.window];
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`locally-connected geometry: height, width, channels and window must be positive integers, got ${describeLocal(g)}`);
  }
  if (g.window % 2 !== 1) throw new Error(`locally-connected geometry: the window must be odd, got ${g.window}`);
}

/** "32×32×3 → 32×32×3, window 11". */
export function describeLocal(g: LocalGeometry): string {
  return `${g.height}×${g.width}×${g.inChannels} → ${g.height}×${g.width}×${g.outChannels}, window ${g.window}`;
}

/** N(0, 1)/sqrt(K²·C_in) weights inside the map (ffnew.m's 1/sqrt(fan-in)), 0 outside. */
export function initLocalWeights(g: LocalGeometry, normal: () => number): Float32Array {
  const { rows, cols } = localWeightShape(g);
  const w = new Float32Array(rows * cols);
  const std = 1 / Math.sqrt(g.window * g.window * g.inChannels);
  for (let co = 0; co < g.outChannels; co++)
    for (let py = 0; py < g.height; py++)
      for (let ci = 0; ci < g.inChannels; ci++)
        for (let dy = 0; dy < g.window; dy++)
          for (let dx = 0; dx < g.window; dx++)
            for (let px = 0; px < g.width; px++) {
              if (localTapInside(g, py, px, dy, dx)) w[localWeightIndex(g, co, py, px, ci, dy, dx)] = normal() * std;
            }
  return w;
}
