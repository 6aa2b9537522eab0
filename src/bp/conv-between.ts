// What backprop does between the layers of a conv net (issue 32), exactly as FF's forward
// (ff/ff-net.ts) does it: the image read channels last and GroupNorm'ed as one group (a
// per-image standardization), and after each conv layer (conv + per-channel bias + ReLU, the
// layer's own) an optional 2×2 pooling (max or average) and GroupNorm with --norm-groups groups:
//   n₀ = GN₁(x),  y_l = relu(conv(n_l) + b_l),  n_{l+1} = GN_G(pool(y_l)),  logits = n_L·W + b
// and the backward of those between-layer steps: from the gradient at n_{l+1} to the gradient
// at y_l (GroupNorm backward, then the pooling's), which the layer's backward gates by its ReLU.
import type { GroupNormGeometry, PoolGeometry } from '../engine/conv-geometry.js';
import type { Engine, Mat } from '../engine/engine.js';
import { GROUP_NORM_EPS } from '../ff/ff-net.js';
import type { MapShape } from '../train/grid-maps.js';
import { groupNormGeometries, type NetSpec } from '../stages/net-spec.js';

/** Scratch of one row count: the normalized maps, their statistics, pooled maps and gradients. */
export interface ConvBuffers {
  /** n[0]: the normalized image; n[l+1]: layer l's pooled, normalized map (what layer l+1 and the output read). */
  n: Mat[];
  /** GroupNorm's (mean, rstd) per row and group of n[i]. */
  stats: Mat[];
  /** Layer l's pooled map before normalization (null: no pooling after layer l). */
  pooled: (Mat | null)[];
  /** dn[l]: the gradient at n[l] (l ≥ 1; dn[0] is never needed: the image learns nothing). */
  dn: (Mat | null)[];
}

export class ConvBetween {
  /** GroupNorm geometry of n[0..L]. */
  private readonly norms: GroupNormGeometry[];
  private readonly pools: (PoolGeometry | undefined)[];

  constructor(
    private readonly engine: Engine,
    private readonly spec: NetSpec,
    image: MapShape,
    private readonly pool: 'max' | 'avg',
  ) {
    for (const [l, layer] of spec.layers.entries()) {
      if (layer.geometry.kind !== 'conv') throw new Error(`layer ${l + 1} is not a conv layer`);
      if (layer.norm.name !== 'group') throw new Error('backprop on conv nets normalizes between layers with GroupNorm only: add --norm group');
    }
    this.norms = groupNormGeometries(spec, image);
    this.pools = spec.layers.map((layer) => layer.pool);
  }

  /** Values of n[0..L]. */
  get outSizes(): number[] {
    return [this.spec.inputSize, ...this.spec.layers.map((l) => l.outputSize)];
  }

  buffers(rows: number): ConvBuffers {
    const e = this.engine;
    return {
      n: this.outSizes.map((w) => e.zeros(rows, w)),
      stats: this.norms.map((g) => e.zeros(rows, 2 * g.groups)),
      pooled: this.spec.layers.map((l) => (l.pool ? e.zeros(rows, l.outputSize) : null)),
      dn: this.outSizes.map((w, i) => (i === 0 ? null : e.zeros(rows, w))),
    };
  }

  /** n[i] ← GroupNorm(x) for the first `count` rows. */
  normalize(b: ConvBuffers, i: number, x: Mat, count: number): void {
    const e = this.engine;
    e.groupNormForward(x, e.rowView(b.n[i], 0, count), e.rowView(b.stats[i], 0, count), this.norms[i], GROUP_NORM_EPS);
  }

  /** After layer l's ReLU output y: n[l+1] ← GroupNorm(pool(y)). */
  afterLayer(b: ConvBuffers, l: number, y: Mat, count: number): void {
    const e = this.engine;
    const pool = this.pools[l];
    let pooled = y;
    if (pool) {
      pooled = e.rowView(b.pooled[l]!, 0, count);
      if (this.pool === 'avg') e.avgPoolForward(y, pooled, pool);
      else e.maxPoolForward(y, pooled, pool);
    }
    this.normalize(b, l + 1, pooled, count);
  }

  /**
   * From the gradient at n[l+1] (dn[l+1], overwritten) to dy, the gradient at layer l's ReLU
   * output y (what Layer.backward gates by the ReLU).
   */
  backAfterLayer(b: ConvBuffers, l: number, y: Mat, dy: Mat, count: number): void {
    const e = this.engine;
    const v = (m: Mat) => e.rowView(m, 0, count);
    const pool = this.pools[l];
    const dn = v(b.dn[l + 1]!);
    // GroupNorm backward in place when a pooling follows (its gradient then goes through the pool); straight into dy otherwise.
    e.groupNormBackward(v(b.n[l + 1]), dn, v(b.stats[l + 1]), pool ? dn : dy, this.norms[l + 1]);
    if (!pool) return;
    if (this.pool === 'avg') e.avgPoolBackward(dn, dy, pool);
    else e.maxPoolBackward(y, dn, dy, pool);
  }
}
