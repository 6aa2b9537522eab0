// The FF net's input preparation (ff/labelled-input.ts) as ONNX ops, so that an exported model
// takes raw pixel values in [0, 1]: centring (the training set's channel means subtracted),
// then the label — over the first N pixels, in N extra units, in separate label units (LC and
// grid nets, read by their own dense connection), or none (recurrent and unsupervised nets).
// Two label cases: the neutral label (strength/N on every label unit: the softmax's pass) and
// every label at once, as a leading axis of N copies of the batch (the goodness classifier's
// N passes, batched in the graph).
import type { FFNet } from '../ff/ff-net.js';
import type { GraphBuilder } from './graph-builder.js';

/** What the first hidden layer reads: `x`, normalized whole; `label`, separate label units. */
export interface PreparedInput {
  x: string;
  label: string | null;
}

/** images − mean (the centring the run was trained with), or the images. */
export function centred(b: GraphBuilder, net: FFNet, images: string): string {
  const mean = net.input.mean;
  return mean ? b.op('Sub', [images, b.floats('input_mean', mean, [mean.length])]) : images;
}

/**
 * The label units' values: [N] for the neutral label, or [N, 1, N] for every label (row r:
 * label r's one-of-N code times labelStrength), broadcast over the batch.
 */
function labelValues(net: FFNet, every: boolean): { data: Float32Array; dims: number[] } {
  const N = net.numClasses;
  const s = net.input.strength;
  if (!every) return { data: new Float32Array(N).fill(s / N), dims: [N] };
  const data = new Float32Array(N * N);
  for (let r = 0; r < N; r++) data[r * N + r] = s;
  return { data, dims: [N, 1, N] };
}

/** The net's input for images `x` (batch × D, centred) with the neutral label or with every label. */
export function withLabels(b: GraphBuilder, net: FFNet, x: string, every: boolean): PreparedInput {
  const placement = net.input.placement;
  if (placement === 'none') return { x, label: null };
  const N = net.numClasses;
  const D = net.input.imageSize;
  const labels = labelValues(net, every);
  const tag = every ? 'every_label' : 'neutral_label';
  if (net.labelUnits.kind === 'separate') return { x, label: b.floats(tag, labels.data, labels.dims) };
  if (placement === 'pixels') {
    // (x − mean) with its first N pixels replaced: × a 0/1 mask, + the label on those pixels.
    const keep = new Float32Array(D).fill(1).fill(0, 0, N);
    const pixels = new Float32Array((every ? N : 1) * D);
    for (let r = 0; r < (every ? N : 1); r++) pixels.set(labels.data.subarray(r * N, (r + 1) * N), r * D);
    const masked = b.op('Mul', [x, b.floats('label_pixels_keep', keep, [D])]);
    return { x: b.op('Add', [masked, b.floats(`${tag}_pixels`, pixels, every ? [N, 1, D] : [D])]), label: null };
  }
  // 'extra': the label units appended to each row, so both parts need the full batch shape.
  const batch = b.op('Slice', [b.op('Shape', [x]), b.int64s('zero', [0]), b.int64s('one', [1])]);
  const label = b.floats(tag, labels.data, every ? labels.dims : [1, N]);
  if (!every) {
    const shape = b.op('Concat', [batch, b.int64s('one', [1])], { axis: 0 });
    return { x: b.op('Concat', [x, b.op('Expand', [label, shape])], { axis: -1 }), label: null };
  }
  const images = b.op('Expand', [b.op('Unsqueeze', [x, b.int64s('zero', [0])]), b.int64s('labels_1_1', [N, 1, 1])]);
  const labelShape = b.op('Concat', [b.int64s('one', [1]), batch, b.int64s('one', [1])], { axis: 0 });
  return { x: b.op('Concat', [images, b.op('Expand', [label, labelShape])], { axis: -1 }), label: null };
}
