// JsEngine's convolution methods: the operand checks (conv-shapes.ts, plus which outputs may
// not share memory with which inputs) and the reference loops (js-conv.ts) on CPU matrices.
// Kept out of js-backend.ts so that file stays one screenful of dense kernels; the native and
// wasm engines call the same check* functions before their own kernels, so every backend
// throws the same one-line errors.
import type { ChannelCopy, GroupNormGeometry, PatchGeometry, PoolGeometry } from './conv-geometry.js';
import { checkChannelCopy, checkChannelShapes, checkDisjoint, checkGroupNormEps, checkGroupNormShapes, checkPatchShapes, checkPoolShapes } from './conv-shapes.js';
import { cpu } from './cpu-mat.js';
import type { Mat, ScaleOptions } from './engine.js';
import * as conv from './js-conv.js';

const d = (m: Mat) => cpu(m).data;

/** Each check returns the number of rows (images). */
export const check = {
  im2col(x: Mat, cols: Mat, g: PatchGeometry): number {
    const n = checkPatchShapes('im2col', x, cols, g);
    checkDisjoint('im2col', 'cols', d(cols), 'x', d(x));
    return n;
  },
  col2im(cols: Mat, x: Mat, g: PatchGeometry): number {
    const n = checkPatchShapes('col2im', x, cols, g);
    checkDisjoint('col2im', 'x', d(x), 'cols', d(cols));
    return n;
  },
  poolForward(what: 'maxPoolForward' | 'avgPoolForward', x: Mat, y: Mat, g: PoolGeometry): number {
    const n = checkPoolShapes(what, [['x', x]], [['y', y]], g);
    checkDisjoint(what, 'y', d(y), 'x', d(x));
    return n;
  },
  maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): number {
    const n = checkPoolShapes('maxPoolBackward', [['x', x], ['dx', dx]], [['dy', dy]], g);
    checkDisjoint('maxPoolBackward', 'dx', d(dx), 'x', d(x));
    checkDisjoint('maxPoolBackward', 'dx', d(dx), 'dy', d(dy));
    return n;
  },
  avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): number {
    const n = checkPoolShapes('avgPoolBackward', [['dx', dx]], [['dy', dy]], g);
    checkDisjoint('avgPoolBackward', 'dx', d(dx), 'dy', d(dy));
    return n;
  },
  /** y may be x; stats is separate. */
  groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): number {
    const n = checkGroupNormShapes('groupNormForward', [['x', x], ['y', y]], stats, g);
    checkGroupNormEps(eps);
    checkDisjoint('groupNormForward', 'stats', d(stats), 'x', d(x));
    checkDisjoint('groupNormForward', 'stats', d(stats), 'y', d(y));
    if (d(x).byteOffset !== d(y).byteOffset) checkDisjoint('groupNormForward', 'y', d(y), 'x', d(x));
    return n;
  },
  /** dx may be dy or y exactly; stats is separate. */
  groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): number {
    const n = checkGroupNormShapes('groupNormBackward', [['y', y], ['dy', dy], ['dx', dx]], stats, g);
    checkDisjoint('groupNormBackward', 'dx', d(dx), 'stats', d(stats));
    if (d(dx).byteOffset !== d(dy).byteOffset) checkDisjoint('groupNormBackward', 'dx', d(dx), 'dy', d(dy));
    if (d(dx).byteOffset !== d(y).byteOffset) checkDisjoint('groupNormBackward', 'dx', d(dx), 'y', d(y));
    return n;
  },
  /** Returns H·W (the positions per channel). */
  channels(what: 'toChannelsLast' | 'toChannelsFirst', x: Mat, out: Mat, channels: number): number {
    const hw = checkChannelShapes(what, x, out, channels);
    checkDisjoint(what, 'out', d(out), 'x', d(x));
    return hw;
  },
};

export function im2col(x: Mat, cols: Mat, g: PatchGeometry): void {
  conv.jsIm2col(g, check.im2col(x, cols, g), d(x), d(cols));
}

export function col2im(cols: Mat, x: Mat, g: PatchGeometry, { alpha = 1, beta = 0 }: ScaleOptions): void {
  conv.jsCol2im(g, check.col2im(cols, x, g), alpha, d(cols), beta, d(x));
}

export function maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
  conv.jsMaxPoolForward(g, check.poolForward('maxPoolForward', x, y, g), d(x), d(y));
}

export function maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void {
  conv.jsMaxPoolBackward(g, check.maxPoolBackward(x, dy, dx, g), d(x), d(dy), d(dx));
}

export function avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
  conv.jsAvgPoolForward(g, check.poolForward('avgPoolForward', x, y, g), d(x), d(y));
}

export function avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void {
  conv.jsAvgPoolBackward(g, check.avgPoolBackward(dy, dx, g), d(dy), d(dx));
}

export function groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void {
  conv.jsGroupNormForward(g, check.groupNormForward(x, y, stats, g, eps), eps, d(x), d(y), d(stats));
}

export function groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void {
  conv.jsGroupNormBackward(g, check.groupNormBackward(y, dy, stats, dx, g), d(y), d(dy), d(stats), d(dx));
}

export function toChannelsLast(x: Mat, out: Mat, channels: number): void {
  conv.jsTransposeRows(x.rows, channels, check.channels('toChannelsLast', x, out, channels), d(x), d(out));
}

/** dst[i, p·Cd + dstStart + k] = src[i, p·Cs + srcStart + k] (+ the old value when beta is 1), k < count. */
export function copyChannels(src: Mat, dst: Mat, o: ChannelCopy): void {
  const positions = checkChannelCopy(src, dst, o);
  checkDisjoint('copyChannels', 'dst', d(dst), 'src', d(src));
  const S = d(src);
  const D = d(dst);
  const { srcChannels: Cs, dstChannels: Cd, srcStart, dstStart, count } = o;
  for (let q = 0; q < src.rows * positions; q++) {
    const s = q * Cs + srcStart;
    const t = q * Cd + dstStart;
    if (o.beta === 0) D.set(S.subarray(s, s + count), t);
    else for (let k = 0; k < count; k++) D[t + k] += S[s + k];
  }
}

export function toChannelsFirst(x: Mat, out: Mat, channels: number): void {
  const hw = check.channels('toChannelsFirst', x, out, channels);
  conv.jsTransposeRows(x.rows, hw, channels, d(x), d(out));
}
