// The channel-wise competitive objective (CwComp, AAAI 2024; DeeperForward's "mean goodness",
// ICLR 2025): a layer's channels are split into one contiguous group per class, the goodness of
// group k is the mean over its channels and all positions of y² (power 2) or of y (power 1),
// and the loss is the cross-entropy of softmax(G/T) against the row's label. No negative rows
// and no label in the input: the classes compete for the image inside the layer, and the
// layer's G/T are its logits (per-layer predictions, summed over layers by the classifier).
// Group sums are one product with a fixed 0/1·(1/size) assignment matrix M (width × N); the
// gradient at y is (p − onehot)/T · Mᵀ, gated by the ReLU (power 1) or times y (power 2), so
// every engine runs it with the kernels it already has.
import type { Mat } from '../../engine/engine.js';
import type { LayerStats, Objective, ObjectiveLayer, ObjectiveRows, ObjectiveSettings } from './objective.js';

export class ChannelGroupObjective implements Objective {
  readonly name = 'cwc';
  readonly usesPassGoodness = false;
  private readonly assign: Mat;
  private readonly classes: number;

  constructor(
    private readonly settings: ObjectiveSettings,
    private readonly layer: ObjectiveLayer,
  ) {
    const { width, channels, numClasses: N } = layer;
    if (N < 2) throw new Error('--loss cwc needs a classification task (at least 2 classes)');
    if (channels % N !== 0) throw new Error(`--loss cwc: a layer's ${channels} channels do not split into ${N} equal class groups (make each layer's channels a multiple of ${N})`);
    if (settings.goodness !== 'max-ssq') throw new Error('--loss cwc scores each class by its group goodness: use --goodness max-ssq');
    this.classes = N;
    const per = channels / N;
    const positions = width / channels;
    const m = new Float32Array(width * N);
    for (let j = 0; j < width; j++) m[j * N + Math.floor((j % channels) / per)] = 1 / (per * positions);
    this.assign = layer.engine.fromArray(m, width, N);
  }

  /** G (rows × N): each class group's mean of y^power. */
  measurement(y: Mat, _passGoodness: Mat): Mat {
    const e = this.layer.engine;
    const g = this.layer.scratch('group-goodness', y.rows, this.classes);
    let src = y;
    if (this.settings.goodnessPower === 2) {
      src = this.layer.scratch('squares', y.rows, y.cols);
      e.multiply(y, y, src);
    }
    e.gemm(src, this.assign, g);
    return g;
  }

  /** Per-row logits G/T (what the classifier sums over layers). */
  logits(measured: Float32Array, out: Float32Array = new Float32Array(measured.length)): Float32Array {
    const T = this.settings.temperature;
    for (let i = 0; i < measured.length; i++) out[i] = measured[i] / T;
    return out;
  }

  gradient(y: Mat, measured: Mat, rows: ObjectiveRows, stats: LayerStats): Mat {
    const e = this.layer.engine;
    const N = this.classes;
    const { positives: P, negatives, labels } = rows;
    if (negatives !== 0) throw new Error('--loss cwc learns from positive rows alone');
    if (!labels || labels.rows !== P) throw new Error(`--loss cwc needs the label of every row (${P} rows, ${labels?.rows ?? 0} labels)`);
    // The 2 of d(y²)/dy is kept only with exactGradient, as the row objectives do.
    const dGdy = this.settings.goodnessPower === 2 && this.settings.exactGradient ? 2 : 1;
    // ((softmax(G/T) − onehot)/T)·dGdy per row and class (engine/step-maths.ts), then back through M.
    const c = this.layer.scratch('group-coef', P, N);
    e.groupCoefficients(measured, labels, c, this.settings.temperature, dGdy, stats.tally, stats.at);
    const dz = this.layer.scratch('dz', P, y.cols);
    e.gemm(c, this.assign, dz, { transB: true });
    if (this.settings.goodnessPower === 2) e.multiply(dz, y, dz);
    else e.reluBackward(dz, y, dz);
    return dz;
  }
}
