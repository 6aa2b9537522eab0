// JsEngine's convolution methods: the operand checks (conv-shapes.ts) and the reference loops
// (js-conv.ts) on CPU matrices. Kept out of js-backend.ts so that file stays one screenful of
// dense kernels; the native and wasm engines run the same checks before their own kernels.
import type { GroupNormGeometry, PatchGeometry, PoolGeometry } from './conv-geometry.js';
import { checkChannelShapes, checkDisjoint, checkGroupNormEps, checkGroupNormShapes, checkPatchShapes, checkPoolShapes } from './conv-shapes.js';
import { cpu } from './cpu-mat.js';
import type { Mat, ScaleOptions } from './engine.js';
import * as conv from './js-conv.js';

const d = (m: Mat) => cpu(m).data;

export function im2col(x: Mat, cols: Mat, g: PatchGeometry): void {
  const n = checkPatchShapes('im2col', x, cols, g);
  checkDisjoint('im2col', 'cols', d(cols), 'x', d(x));
  conv.jsIm2col(g, n, d(x), d(cols));
}

export function col2im(cols: Mat, x: Mat, g: PatchGeometry, { alpha = 1, beta = 0 }: ScaleOptions): void {
  const n = checkPatchShapes('col2im', x, cols, g);
  checkDisjoint('col2im', 'x', d(x), 'cols', d(cols));
  conv.jsCol2im(g, n, alpha, d(cols), beta, d(x));
}

export function maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
  const n = checkPoolShapes('maxPoolForward', [['x', x]], [['y', y]], g);
  checkDisjoint('maxPoolForward', 'y', d(y), 'x', d(x));
  conv.jsMaxPoolForward(g, n, d(x), d(y));
}

export function maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void {
  const n = checkPoolShapes('maxPoolBackward', [['x', x], ['dx', dx]], [['dy', dy]], g);
  checkDisjoint('maxPoolBackward', 'dx', d(dx), 'x', d(x));
  checkDisjoint('maxPoolBackward', 'dx', d(dx), 'dy', d(dy));
  conv.jsMaxPoolBackward(g, n, d(x), d(dy), d(dx));
}

export function avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
  const n = checkPoolShapes('avgPoolForward', [['x', x]], [['y', y]], g);
  checkDisjoint('avgPoolForward', 'y', d(y), 'x', d(x));
  conv.jsAvgPoolForward(g, n, d(x), d(y));
}

export function avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void {
  const n = checkPoolShapes('avgPoolBackward', [['dx', dx]], [['dy', dy]], g);
  checkDisjoint('avgPoolBackward', 'dx', d(dx), 'dy', d(dy));
  conv.jsAvgPoolBackward(g, n, d(dy), d(dx));
}

export function groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void {
  const n = checkGroupNormShapes('groupNormForward', [['x', x], ['y', y]], stats, g);
  checkGroupNormEps(eps);
  checkDisjoint('groupNormForward', 'stats', d(stats), 'x', d(x));
  checkDisjoint('groupNormForward', 'stats', d(stats), 'y', d(y));
  conv.jsGroupNormForward(g, n, eps, d(x), d(y), d(stats));
}

export function groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void {
  const n = checkGroupNormShapes('groupNormBackward', [['y', y], ['dy', dy], ['dx', dx]], stats, g);
  checkDisjoint('groupNormBackward', 'dx', d(dx), 'stats', d(stats));
  conv.jsGroupNormBackward(g, n, d(y), d(dy), d(stats), d(dx));
}

export function toChannelsLast(x: Mat, out: Mat, channels: number): void {
  const hw = checkChannelShapes('toChannelsLast', x, out, channels);
  checkDisjoint('toChannelsLast', 'out', d(out), 'x', d(x));
  conv.jsTransposeRows(x.rows, channels, hw, d(x), d(out));
}

export function toChannelsFirst(x: Mat, out: Mat, channels: number): void {
  const hw = checkChannelShapes('toChannelsFirst', x, out, channels);
  checkDisjoint('toChannelsFirst', 'out', d(out), 'x', d(x));
  conv.jsTransposeRows(x.rows, hw, channels, d(x), d(out));
}
