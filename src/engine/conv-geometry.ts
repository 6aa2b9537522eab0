// The geometry and memory layout of the weight-shared convolution kernels: im2col and its
// adjoint col2im, max and average pooling, GroupNorm, and the layout conversion between them
// and the channel-planar maps of the images and LC layers.
//
// Layout: channels last (H·W·C), one row per example: value (c at pixel y, x) sits at
// (y·W + x)·C + c. Why: a batch of n maps is then also an (n·H·W) × C matrix (Engine.reshape,
// no copy), and a convolution is
//   patches = im2col(x)            (n·Ho·Wo) × (K·K·C_in), column (ky·K + kx)·C_in + ci
//   y       = patches · w          w: (K·K·C_in) × C_out — one gemm, no transpose, and its
//                                  (n·Ho·Wo) × C_out result IS the n × (Ho·Wo·C_out) output map
//   bias    = addBias / colSum on the (n·Ho·Wo) × C_out view (a per-channel vector)
//   dw      = patchesᵀ · dy        (gemm transA)
//   dx      = col2im(dy · wᵀ)      (gemm transB, then the accumulating adjoint of im2col)
// A 1×1 convolution is a dense layer applied at every pixel, and a K×K convolution of a K×K
// map without padding is the dense layer on the flattened H·W·C row.
// The images and the LC layers are channel-planar (C·H·W); toChannelsLast / toChannelsFirst
// convert (a per-row transpose of a C × H·W matrix) — once per batch at the input, or once
// per data set where the loader can. A dense layer after a conv layer needs no conversion:
// it reads the H·W·C row as it is (only pictures of its weights must know the order).
// Max pooling keeps nothing for its backward: maxPoolBackward finds each window's first
// maximum again in the pooled input (which the layer keeps anyway for ReLU's backward).
//
// Grouped convolution (G groups: group g's output channels read only its C_in/G input channels)
// is not a kernel of its own: a group's channels are not contiguous in this layout and gemm has
// no leading dimension, so the conv connection copies each group's channels out of and into
// the maps (copyChannels) and runs the same im2col and products on the group.

/** The sliding-window geometry shared by im2col and col2im (a conv layer adds outChannels). */
export interface PatchGeometry {
  height: number;
  width: number;
  channels: number;
  /** K: the side of the square kernel. */
  kernel: number;
  stride: number;
  /** Zero rows and columns added on every side. */
  padding: number;
}

/**
 * A conv layer: its patches and its output channels. The weight is (K·K·C_in) × C_out, or with
 * G groups (K·K·C_in) × (C_out/G): group g's (K·K·C_in/G) × (C_out/G) weight is its rows
 * [g·K·K·C_in/G, (g+1)·K·K·C_in/G).
 */
export interface ConvGeometry extends PatchGeometry {
  outChannels: number;
  /** Channel groups (1 when absent): both channel counts split into this many equal runs. */
  groups?: number;
}

/** A copy of `count` channels per position between two channels-last maps of the same positions. */
export interface ChannelCopy {
  /** Channels per position of the source and the destination maps. */
  srcChannels: number;
  dstChannels: number;
  /** The first channel read, and the first written. */
  srcStart: number;
  dstStart: number;
  count: number;
  /** 0: the destination channels are overwritten; 1: added to. */
  beta: 0 | 1;
}

/** Max or average pooling over window×window blocks, moved by stride, no padding. */
export interface PoolGeometry {
  height: number;
  width: number;
  channels: number;
  window: number;
  stride: number;
}

/** GroupNorm per example: the channels split into `groups` equal runs, each normalized over all positions. */
export interface GroupNormGeometry {
  /** H·W of the map. */
  positions: number;
  channels: number;
  groups: number;
}

const isPositiveInt = (v: number) => Number.isInteger(v) && v > 0;

/** Output side of a sliding window: ⌊(n + 2·pad − k) / stride⌋ + 1. */
function slide(n: number, k: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - k) / stride) + 1;
}

export function patchOutHeight(g: PatchGeometry): number {
  return slide(g.height, g.kernel, g.stride, g.padding);
}

export function patchOutWidth(g: PatchGeometry): number {
  return slide(g.width, g.kernel, g.stride, g.padding);
}

/** Values per source row (H·W·C). */
export function patchInputSize(g: PatchGeometry): number {
  return g.height * g.width * g.channels;
}

/** Columns of the patch matrix (K·K·C). */
export function patchSize(g: PatchGeometry): number {
  return g.kernel * g.kernel * g.channels;
}

/** Patch-matrix rows per example (Ho·Wo). */
export function patchPositions(g: PatchGeometry): number {
  return patchOutHeight(g) * patchOutWidth(g);
}

/** Values per output row of a conv layer (Ho·Wo·C_out). */
export function convOutputSize(g: ConvGeometry): number {
  return patchPositions(g) * g.outChannels;
}

export function convWeightShape(g: ConvGeometry): { rows: number; cols: number } {
  return { rows: patchSize(g), cols: g.outChannels / convGroups(g) };
}

export function convGroups(g: ConvGeometry): number {
  return g.groups ?? 1;
}

/** One group's own geometry: C_in/G input and C_out/G output channels. */
export function groupGeometry(g: ConvGeometry): ConvGeometry {
  const G = convGroups(g);
  return { ...g, channels: g.channels / G, outChannels: g.outChannels / G, groups: 1 };
}

/** Multiply-adds of one example's forward product (K²·C_in·C_out·Ho·Wo). */
export function convMacs(g: ConvGeometry): number {
  return (patchSize(g) * g.outChannels * patchPositions(g)) / convGroups(g);
}

export function poolOutHeight(g: PoolGeometry): number {
  return slide(g.height, g.window, g.stride, 0);
}

export function poolOutWidth(g: PoolGeometry): number {
  return slide(g.width, g.window, g.stride, 0);
}

export function poolInputSize(g: PoolGeometry): number {
  return g.height * g.width * g.channels;
}

export function poolOutputSize(g: PoolGeometry): number {
  return poolOutHeight(g) * poolOutWidth(g) * g.channels;
}

/** Throw a one-line error unless the patch (or conv) geometry is usable. */
export function checkPatchGeometry(g: PatchGeometry | ConvGeometry): void {
  const dims = [g.height, g.width, g.channels, g.kernel, g.stride];
  if ('outChannels' in g) dims.push(g.outChannels);
  if (!dims.every(isPositiveInt) || !(Number.isInteger(g.padding) && g.padding >= 0)) {
    throw new Error(`conv geometry: sizes, channels, kernel and stride must be positive integers and padding a non-negative one, got ${describePatch(g)}`);
  }
  if (g.padding >= g.kernel) throw new Error(`conv geometry: padding ${g.padding} must be smaller than the kernel ${g.kernel}`);
  if ('outChannels' in g && g.groups !== undefined) {
    const G = g.groups;
    if (!isPositiveInt(G) || g.channels % G !== 0 || g.outChannels % G !== 0) {
      throw new Error(`conv geometry: ${G} channel groups must divide both the ${g.channels} input and the ${g.outChannels} output channels`);
    }
  }
  if (g.height + 2 * g.padding < g.kernel || g.width + 2 * g.padding < g.kernel) {
    throw new Error(`conv geometry: the ${g.kernel}×${g.kernel} kernel does not fit the padded ${g.height}×${g.width} map`);
  }
}

export function checkPoolGeometry(g: PoolGeometry): void {
  if (![g.height, g.width, g.channels, g.window, g.stride].every(isPositiveInt)) {
    throw new Error(`pool geometry: sizes, channels, window and stride must be positive integers, got ${describePool(g)}`);
  }
  if (g.window > g.height || g.window > g.width) throw new Error(`pool geometry: the ${g.window}×${g.window} window does not fit the ${g.height}×${g.width} map`);
}

export function checkGroupNormGeometry(g: GroupNormGeometry): void {
  if (![g.positions, g.channels, g.groups].every(isPositiveInt)) {
    throw new Error(`group norm geometry: positions, channels and groups must be positive integers, got ${g.positions} positions, ${g.channels} channels, ${g.groups} groups`);
  }
  if (g.channels % g.groups !== 0) throw new Error(`group norm geometry: ${g.channels} channels do not split into ${g.groups} equal groups`);
}

/** "32×32×3, 3×3 stride 1 pad 1 (→ 32×32×64)". */
export function describePatch(g: PatchGeometry | ConvGeometry): string {
  const groups = 'outChannels' in g && (g.groups ?? 1) > 1 ? `, ${g.groups} groups` : '';
  const out = 'outChannels' in g ? `${groups} (→ ${patchOutHeight(g)}×${patchOutWidth(g)}×${g.outChannels})` : '';
  return `${g.height}×${g.width}×${g.channels}, ${g.kernel}×${g.kernel} stride ${g.stride} pad ${g.padding}${out}`;
}

export function describePool(g: PoolGeometry): string {
  return `${g.height}×${g.width}×${g.channels}, ${g.window}×${g.window} stride ${g.stride}`;
}
