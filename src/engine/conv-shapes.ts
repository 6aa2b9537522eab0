// Operand checks of the convolution kernels (Engine.im2col … toChannelsFirst), shared by every
// backend so they all throw the same one-line errors before any memory is touched.
import {
  checkGroupNormGeometry,
  checkPatchGeometry,
  checkPoolGeometry,
  patchInputSize,
  patchPositions,
  patchSize,
  poolInputSize,
  poolOutputSize,
  type ChannelCopy,
  type GroupNormGeometry,
  type PatchGeometry,
  type PoolGeometry,
} from './conv-geometry.js';
import { checkShape, type Mat } from './engine.js';

/** im2col(x, cols) and col2im(cols, x): x n × H·W·C, cols (n·Ho·Wo) × K·K·C. Returns n. */
export function checkPatchShapes(what: 'im2col' | 'col2im', x: Mat, cols: Mat, g: PatchGeometry): number {
  checkPatchGeometry(g);
  const n = x.rows;
  checkShape(`${what} x`, x, n, patchInputSize(g));
  checkShape(`${what} cols`, cols, n * patchPositions(g), patchSize(g));
  return n;
}

/** A pooling kernel's operands: `maps` n × H·W·C (x, dx) and `pooled` n × Ho·Wo·C (y, dy). */
export function checkPoolShapes(what: string, maps: [string, Mat][], pooled: [string, Mat][], g: PoolGeometry): number {
  checkPoolGeometry(g);
  const n = maps[0][1].rows;
  for (const [name, m] of maps) checkShape(`${what} ${name}`, m, n, poolInputSize(g));
  for (const [name, m] of pooled) checkShape(`${what} ${name}`, m, n, poolOutputSize(g));
  return n;
}

/** GroupNorm's operands: maps n × positions·channels, stats n × 2·groups. */
export function checkGroupNormShapes(what: string, maps: [string, Mat][], stats: Mat, g: GroupNormGeometry): number {
  checkGroupNormGeometry(g);
  const n = maps[0][1].rows;
  for (const [name, m] of maps) checkShape(`${what} ${name}`, m, n, g.positions * g.channels);
  checkShape(`${what} stats`, stats, n, 2 * g.groups);
  return n;
}

/** copyChannels: both maps have the same rows and positions, and the channel runs fit. Returns the positions. */
export function checkChannelCopy(src: Mat, dst: Mat, o: ChannelCopy): number {
  const ints = [o.srcChannels, o.dstChannels, o.count];
  if (!ints.every((v) => Number.isInteger(v) && v > 0) || !Number.isInteger(o.srcStart) || !Number.isInteger(o.dstStart) || o.srcStart < 0 || o.dstStart < 0) {
    throw new Error(`copyChannels: channel counts must be positive integers and starts non-negative, got ${JSON.stringify(o)}`);
  }
  if (o.srcStart + o.count > o.srcChannels || o.dstStart + o.count > o.dstChannels) throw new Error(`copyChannels: channels [${o.srcStart}, ${o.srcStart + o.count}) → [${o.dstStart}, ${o.dstStart + o.count}) outside ${o.srcChannels} / ${o.dstChannels}`);
  if (o.beta !== 0 && o.beta !== 1) throw new Error(`copyChannels: beta must be 0 or 1, got ${String(o.beta)}`);
  if (src.cols % o.srcChannels !== 0) throw new Error(`copyChannels: ${src.cols} columns do not split into ${o.srcChannels} channels`);
  const positions = src.cols / o.srcChannels;
  checkShape('copyChannels destination', dst, src.rows, positions * o.dstChannels);
  return positions;
}

/** toChannelsLast / toChannelsFirst: out has x's shape and x.cols splits into `channels` equal planes. */
export function checkChannelShapes(what: string, x: Mat, out: Mat, channels: number): number {
  if (!Number.isInteger(channels) || channels <= 0 || x.cols % channels !== 0) {
    throw new Error(`${what}: ${x.cols} columns do not split into ${String(channels)} channels`);
  }
  checkShape(`${what} output`, out, x.rows, x.cols);
  return x.cols / channels;
}

/** Throw a one-line error when two arrays share memory (an output that must not alias an input). */
export function checkDisjoint(what: string, outName: string, out: Float32Array, inName: string, input: Float32Array): void {
  if (out.length && input.length && out.buffer === input.buffer &&
      out.byteOffset < input.byteOffset + input.byteLength && input.byteOffset < out.byteOffset + out.byteLength) {
    throw new Error(`${what}: the output ${outName} must not share memory with ${inName}`);
  }
}

/** GroupNorm's eps: finite and positive, so a constant group gives 0, not NaN. */
export function checkGroupNormEps(eps: number): void {
  if (!(Number.isFinite(eps) && eps > 0)) throw new Error(`groupNormForward: eps must be a positive number, got ${String(eps)}`);
}
