// Host-side layout conversion of image rows: the data sets store images channel-planar
// (C·H·W), conv nets read them channels last (H·W·C; engine/conv-geometry.ts).

/** Channel-planar image rows (C·H·W) → channels last (H·W·C), into `out` (at least as long). */
export function planarToChannelsLast(rows: Float32Array, shape: { height: number; width: number; channels: number }, out: Float32Array): Float32Array {
  const { height, width, channels: C } = shape;
  const plane = height * width;
  const size = plane * C;
  const n = rows.length / size;
  for (let r = 0; r < n; r++) {
    const o = r * size;
    for (let c = 0; c < C; c++) for (let p = 0; p < plane; p++) out[o + p * C + c] = rows[o + c * plane + p];
  }
  return out.subarray(0, rows.length);
}
