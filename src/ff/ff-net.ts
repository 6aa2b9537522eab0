// An FF network: hidden layers (ff-layer.ts) wired by connections, and three parts chosen
// once from the config when it is built:
//   dynamics (dynamics.ts) — how the activities are computed and which training step runs:
//     feed-forward (each layer reads the one below; one bottom-up sweep), or recurrent
//     (SPEC §4: each layer reads the layer below and the layer above — the top one the clamped
//     label layer — at the previous time step, optionally itself; after an initial bottom-up
//     sweep, `iterations` synchronous damped updates);
//   heads (heads.ts) — the online softmax, or an unsupervised run's linear probes;
//   label units (label-units.ts) — the label in the input rows, in units of its own, on the
//     recurrent net's label layer, or nowhere.
// Either wiring can be locally connected (--connectivity local, train/local-maps.ts): every
// hidden layer is then an H×W×C map and every connection between maps (bottom-up, top-down,
// lateral) is LC; connections from label units stay dense. Feed-forward LC nets cannot place
// 'extra' label units in the image map, so they read them through a second, dense connection
// (source 'label') into the first layer, as the recurrent net reads its clamped label layer.
// Grid nets (--connectivity grid, train/grid-maps.ts) do the same with dense connections kept
// sparse by a 0/1 mask: bottom-up windows, and top-down the transposed windows of the layer above.
// Conv nets (--connectivity conv, train/conv-maps.ts) read the image channels last; each layer
// is a convolution of the map below, pooled and normalized (RMS, or GroupNorm) before the layer
// above reads it, while its objective sees the map before pooling.
// The learning steps are in ff-step.ts and recurrent-step.ts (the layer rule on a row layout's
// positive and negative rows: learn-from-rows.ts); the classifiers in classify.ts.
import type { Engine, GroupNormGeometry, Mat } from '../engine/engine.js';
import { Rng } from '../engine/rng.js';
import type { Param } from '../train/optimizer.js';
import { resolveLayerList, type FFConfig } from './config.js';
import type { Dynamics } from './dynamics.js';
import { FeedForwardDynamics } from './feed-forward-dynamics.js';
import { RecurrentDynamics } from './recurrent-dynamics.js';
import { FFLayer, type SourceKind } from './ff-layer.js';
import { headLayersFor, headsFor, type Heads } from './heads.js';
import type { ImageShape } from './hybrid-negatives.js';
import type { LabelledInput } from './labelled-input.js';
import { labelUnitsFor, type LabelUnits } from './label-units.js';
import { negativeSourceFor, type NegativeSource } from './negative-source.js';
import { GROUP_NORM_EPS, NORM_EPS } from './norm-eps.js';
import { buildLayers } from '../stages/build-layers.js';
import { NetStages } from '../stages/net-stages.js';
import { groupNormGeometries, netSpecFor, type NetSpec } from '../stages/net-spec.js';

/** Scratch for one row count: input, and per layer the ReLU outputs, normalized states, goodness. */
export interface Workspace {
  rows: number;
  /** The image map (with label pixels, or — dense nets — extra label units): what n[0] normalizes. */
  x: Mat;
  /** Host rows as LabelledInput writes them (upload() moves them to x, and label when separate). */
  host: Float32Array;
  /** Separate label units only: the image part of host, de-interleaved. */
  imageHost: Float32Array | null;
  /** Layer l's newest ReLU activities (what goodness is measured on). */
  y: Mat[];
  /** Conv layers with pooling: layer l's pooled map (what n[l+1] normalizes); null elsewhere. */
  pooled: (Mat | null)[];
  /** GroupNorm's per-row statistics for n[0..L] (null with row norms). */
  normStats: (Mat | null)[];
  /** n[0]: normalized input; n[l+1]: layer l's normalized state (what other layers read). */
  n: Mat[];
  g: Mat[];
  /** The dynamics' per-layer state (recurrent: layer l's damped state). Label units of their own (rows × N). */
  state: Mat[];
  label: Mat | null;
  labelHost: Float32Array | null;
  /** A black box's output for the rows, and it normalized: what the layer after the box reads. */
  boxOut: Mat | null;
  boxN: Mat | null;
}

export class FFNet {
  /** Layer sizes including the input: [D, h1, h2, …] (a conv layer's: its map before pooling). */
  readonly sizes: number[];
  /** Values of n[0], n[1], …: what the layers above (and the heads) read; sizes, or pooled maps. */
  readonly outSizes: number[];
  /** The net description FF and backprop share. */
  readonly spec: NetSpec;
  /** Conv nets read the image channels last (the data sets store it channel-planar). */
  readonly channelsLast: boolean;
  /** GroupNorm of n[0..L] (--norm group; from the net description, as backprop's), or null. */
  private readonly groupNorms: GroupNormGeometry[] | null;
  readonly layers: FFLayer[] = [];
  /** How activities are computed, what a workspace keeps, which training step runs. */
  readonly dynamics: Dynamics;
  /** The online softmax, or (hybrid negatives: trained without labels) the linear probes. */
  readonly heads: Heads;
  /** Where the label units live: in the input, on their own, on the label layer, or nowhere. */
  readonly labelUnits: LabelUnits;
  /**
   * Softmax weights from hidden layer l (null where l does not feed the softmax). In
   * unsupervised runs this head is the combined linear probe (heads.combined).
   */
  readonly softmax: (Param | null)[];
  /** Where every training step gets its negative data (chosen once from the config). */
  readonly negatives: NegativeSource;
  /** 0-based hidden layers read by the softmax (or probes) and by the goodness classifier. */
  readonly softmaxLayers: number[];
  readonly goodnessLayers: number[];
  readonly rng: Rng;
  /** Values per host input row (the image, plus label units when they are extra). */
  readonly inputSize: number;
  readonly numClasses: number;
  readonly imageShape: ImageShape;
  /** The net description shared with backprop: the stages' order, the box, the analog chip. */
  readonly stages: NetStages;
  /** Counts weight updates (caches of the net's outputs compare it). */
  version = 0;
  private readonly workspaces = new Map<number, Workspace>();
  private readonly buffers = new Map<string, unknown>();

  constructor(
    readonly engine: Engine,
    readonly cfg: FFConfig,
    /** How an image (and, feed-forward, its label) becomes the first layer's input. */
    readonly input: LabelledInput,
    /** Height, width and channels of the images (hybrid negatives need the 2-D layout). */
    imageShape?: ImageShape,
  ) {
    this.imageShape = imageShape ?? { height: 1, width: input.imageSize, channels: 1 };
    if (imageShape && imageShape.height * imageShape.width * imageShape.channels !== input.imageSize) {
      throw new Error(`image shape ${imageShape.height}×${imageShape.width}×${imageShape.channels} does not match ${input.imageSize}-value images`);
    }
    if (cfg.layers.length === 0) throw new Error('the net needs at least one hidden layer');
    const recurrent = cfg.architecture === 'recurrent';
    if (recurrent && input.placement !== 'none') throw new Error('the recurrent net takes its label from the label layer, not the input');
    this.inputSize = input.width;
    this.numClasses = input.numClasses;
    // The per-layer description FF and backprop share: kinds, geometries, the connections each reads.
    const spec = netSpecFor(cfg, this.imageShape, {
      inputSize: this.inputSize,
      numClasses: this.numClasses,
      extraLabelUnits: input.placement === 'extra',
      recurrent,
      lateral: cfg.lateral,
    });
    this.spec = spec;
    this.sizes = [spec.inputSize, ...spec.layers.map((l) => l.width)];
    this.outSizes = [spec.inputSize, ...spec.layers.map((l) => l.outputSize)];
    this.channelsLast = spec.layers[0].kind === 'conv' && this.imageShape.channels > 1;
    if (cfg.negativeData === 'hybrid' && !imageShape) throw new Error('hybrid negatives need the image shape (height, width, channels)');
    this.negatives = negativeSourceFor(cfg, this.numClasses, this.imageShape);
    this.softmaxLayers = headLayersFor(cfg);
    this.goodnessLayers = resolveLayerList(cfg.goodnessLayers, cfg.layers.length, 'goodness-layers');
    this.rng = new Rng(cfg.seed);
    this.stages = new NetStages(engine, cfg, this.sizes[0]);
    if (cfg.norm === 'group' && spec.layers[0].kind !== 'conv') throw new Error('--norm group normalizes conv maps: use it with --connectivity conv');
    this.groupNorms = cfg.norm === 'group' ? groupNormGeometries(spec, this.imageShape) : null;
    if (spec.layers[0].kind === 'conv' && this.stages.any) throw new Error('conv nets have no black box or analog chip yet (--box-after, --analog-*)');
    this.layers.push(...buildLayers(spec, this.rng, (l, width, incoming, rng) => new FFLayer(engine, cfg, l, width, incoming, rng, this.numClasses)));
    // The heads draw nothing from the RNG: made after the layers, the weights are the same.
    this.heads = headsFor(engine, cfg, this.softmaxLayers, this.outSizes.slice(1, this.layers.length + 1), this.numClasses);
    this.softmax = this.heads.combined;
    this.dynamics = recurrent ? new RecurrentDynamics(this) : new FeedForwardDynamics(this);
    this.labelUnits = labelUnitsFor(this, recurrent, spec.separateLabel);
  }

  /** The row normalization of nets that have one (GroupNorm is for conv nets, which use it through normalize). */
  get rowNorm(): 'rms' | 'l2' {
    return this.cfg.norm === 'group' ? 'rms' : this.cfg.norm;
  }

  get numLayers(): number {
    return this.cfg.layers.length;
  }

  /** Bottom-up weights of every layer (what receptive-field pictures and weight RMS show). */
  get weights(): Param[] {
    return this.layers.map((layer) => layer.bottomUp.weight);
  }

  /** Each layer's peer-normalization means (1 × width, on the engine). */
  get peerMeans(): Mat[] {
    return this.layers.map((layer) => layer.peerMeans);
  }

  threshold(l: number): number {
    return this.layers[l].threshold;
  }

  /** Goodness as the config defines it, from the raw power sum of a layer. */
  goodness(rawSum: number, l: number): number {
    return this.layers[l].goodness(rawSum);
  }

  /**
   * A step's own buffers (a head's logits, the hybrid images of a batch size), made by `make`
   * on first use of `key` and reused by every later minibatch, like the workspaces.
   */
  cached<T>(key: string, make: () => T): T {
    if (!this.buffers.has(key)) this.buffers.set(key, make());
    return this.buffers.get(key) as T;
  }

  /** Scratch buffers for `rows` rows, allocated once per distinct row count. */
  workspace(rows: number): Workspace {
    let ws = this.workspaces.get(rows);
    if (!ws) {
      const e = this.engine;
      const N = this.numClasses;
      const labelUnits = this.labelUnits.ownUnits;
      ws = {
        rows,
        x: e.zeros(rows, this.sizes[0]),
        host: new Float32Array(rows * this.inputSize),
        imageHost: this.labelUnits.imageHost(rows),
        y: this.sizes.slice(1).map((w) => e.zeros(rows, w)),
        pooled: this.spec.layers.map((l) => (l.pool ? e.zeros(rows, l.outputSize) : null)),
        normStats: this.outSizes.map((_, i) => (this.groupNorms ? e.zeros(rows, 2 * this.groupNorms[i].groups) : null)),
        n: this.outSizes.map((w) => e.zeros(rows, w)),
        g: this.cfg.layers.map(() => e.zeros(rows, 1)),
        state: this.dynamics.states(rows),
        label: labelUnits ? e.zeros(rows, N) : null,
        labelHost: labelUnits ? new Float32Array(rows * N) : null,
        boxOut: this.stages.box ? e.zeros(rows, this.stages.box.width) : null,
        boxN: this.stages.box ? e.zeros(rows, this.stages.box.width) : null,
      };
      this.workspaces.set(rows, ws);
    }
    return ws;
  }

  /**
   * Rows [start, start+count) of ws.host (as LabelledInput wrote them) to the engine: into ws.x,
   * or — separate label units — the image part into ws.x and the label part into ws.label.
   */
  upload(ws: Workspace, start: number, count: number): void {
    const e = this.engine;
    const W = this.inputSize;
    if (this.channelsLast) {
      // Up as written (channel-planar), then channels last on the engine, as backprop does.
      const planar = e.rowView(this.cached(`planar:${ws.rows}`, () => e.zeros(ws.rows, W)), start, count);
      e.write(planar, ws.host.subarray(start * W, (start + count) * W));
      e.toChannelsLast(planar, e.rowView(ws.x, start, count), this.imageShape.channels);
      return;
    }
    this.labelUnits.upload(ws, start, count);
  }

  /**
   * The bottom-up sweep of rows [start, start+count) of ws.x through hidden layers 0..upTo−1:
   * n[0] = normalized input; y[l] = relu(n[l]·W + b); n[l+1] = normalized y[l]; g[l] = goodness
   * sum. Recurrent nets start from it (top-down input absent) and keep y as their state.
   */
  forward(ws: Workspace, start: number, count: number, upTo = this.numLayers): void {
    const e = this.engine;
    const v = (m: Mat) => e.rowView(m, start, count);
    const st = this.stages;
    const pass = st.beginPass();
    this.normalize(ws, 0, v(ws.x), start, count);
    let input = v(ws.n[0]);
    for (const s of st.order) {
      if (s.kind === 'box') {
        // The box reads what the next layer would have read; the next layer reads its output, normalized.
        s.box.forward(input, v(ws.boxOut!));
        e.normalizeRows(v(ws.boxOut!), v(ws.boxN!), this.rowNorm, NORM_EPS);
        input = v(ws.boxN!);
        continue;
      }
      const l = s.index;
      if (l >= upTo) break;
      const y = v(ws.y[l]);
      // Feed-forward nets: the first layer's separate label units (recurrent: top-down comes later).
      this.layers[l].feedForward(input, y, st, pass, l === 0 && this.labelUnits.intoFirstLayer ? v(ws.label!) : undefined, start);
      const pool = this.spec.layers[l].pool;
      if (pool || this.cfg.norm === 'group') {
        // Conv: the goodness of the map (if the objective reads it), then the pooled map normalized for the layer above.
        if (this.layers[l].objective.usesPassGoodness) e.rowPowerSum(y, v(ws.g[l]), this.cfg.goodnessPower);
        const pooled = pool ? v(ws.pooled[l]!) : y;
        if (pool) (this.cfg.pool === 'avg' ? e.avgPoolForward(y, pooled, pool) : e.maxPoolForward(y, pooled, pool));
        this.normalize(ws, l + 1, pooled, start, count);
      } else if (this.cfg.goodnessPower === 2) {
        // Σ y² is both the goodness and the normalizer: one pass over the row for both.
        e.normalizeRows(y, v(ws.n[l + 1]), this.rowNorm, NORM_EPS, v(ws.g[l]));
      } else {
        e.normalizeRows(y, v(ws.n[l + 1]), this.rowNorm, NORM_EPS);
        e.rowPowerSum(y, v(ws.g[l]), 1);
      }
      this.dynamics.swept(ws, l, y, start, count);
      input = v(ws.n[l + 1]);
    }
  }

  /** n[i] ← x normalized (rows [start, start+count)): RMS or L2 per row, or GroupNorm over the map's channels. */
  private normalize(ws: Workspace, i: number, x: Mat, start: number, count: number): void {
    const e = this.engine;
    const out = e.rowView(ws.n[i], start, count);
    if (this.cfg.norm !== 'group') return e.normalizeRows(x, out, this.rowNorm, NORM_EPS);
    const stats = e.rowView(ws.normStats[i]!, start, count);
    e.groupNormForward(x, out, stats, this.groupNorms![i], GROUP_NORM_EPS);
  }

  /** What hidden layer l reads bottom-up: the normalized input or state below it, or a box's output. */
  below(ws: Workspace, l: number): Mat {
    return l > 0 && l - 1 === this.stages.boxAfter ? ws.boxN! : ws.n[l];
  }

  /**
   * Input rows [start, start + labels.rows), already uploaded, get the labels (on the engine) in
   * their label units, wherever upload put them.
   */
  setInputLabels(ws: Workspace, start: number, labels: Mat): void {
    this.labelUnits.setInputLabels(ws, start, labels);
  }

  /** Rows [start, start+count) of every source a layer's connections read, as of now. */
  sources(ws: Workspace, l: number, start: number, count: number): Map<SourceKind, Mat> {
    const e = this.engine;
    const v = (m: Mat) => e.rowView(m, start, count);
    const out = new Map<SourceKind, Mat>();
    for (const c of this.layers[l].connections) {
      if (c.source === 'input' || c.source === 'below') out.set(c.source, v(this.below(ws, l)));
      else if (c.source === 'above') out.set('above', v(ws.n[l + 2]));
      else if (c.source === 'self') out.set('self', v(ws.n[l + 1]));
      else out.set('label', v(ws.label!));
    }
    return out;
  }

  /** Softmax logits (rows×N) from the normalized states of the given layers, rows [start, start+count). */
  logits(ws: Workspace, start: number, count: number, layers: number[], out: Mat, heads: (Param | null)[] = this.softmax): void {
    const e = this.engine;
    layers.forEach((l, i) => {
      const s = heads[l];
      if (!s) throw new Error(`layer ${l + 1} does not feed the softmax`);
      e.gemm(e.rowView(ws.n[l + 1], start, count), s.value, out, { beta: i === 0 ? 0 : 1 });
    });
  }

  /** Every trainable tensor and optimizer state, by stable name (for checkpoints). */
  params(): Param[] {
    const present = (p: Param | null): p is Param => p !== null;
    return [...this.layers.flatMap((layer) => layer.params()), ...this.heads.combined.filter(present), ...this.heads.alone.filter(present)];
  }
}

export { GROUP_NORM_EPS, NORM_EPS };
