// Where a net's label units live, chosen once when the net is built (LabelledInput writes the
// host rows; this part moves them to the engine and sets labels drawn there):
//   input       — in the input rows: label pixels, or extra units after the image (dense nets);
//   separate    — feed-forward locally-connected and grid nets with extra units: the units are
//                 their own matrix (ws.label), read by a dense 'label' connection into the
//                 first layer, since the image map has no place for them;
//   label-layer — the recurrent net: the label is clamped on a layer above the top one
//                 (recurrent-dynamics.ts), never in the input;
//   none        — no label goes in (unsupervised runs, objectives that score classes).
import type { Mat } from '../engine/engine.js';
import type { FFNet, Workspace } from './ff-net.js';

export interface LabelUnits {
  readonly kind: 'input' | 'separate' | 'label-layer' | 'none';
  /** Whether a workspace has label units of its own (ws.label, rows × N). */
  readonly ownUnits: boolean;
  /** Whether the first layer's bottom-up sweep reads ws.label (through its 'label' connection). */
  readonly intoFirstLayer: boolean;
  /** Host scratch for the image part of `rows` host rows (separate units only). */
  imageHost(rows: number): Float32Array | null;
  /** Rows [start, start+count) of ws.host to the engine (image rows written as they are). */
  upload(ws: Workspace, start: number, count: number): void;
  /** Labels (on the engine) into the label units of uploaded rows [start, start + labels.rows). */
  setInputLabels(ws: Workspace, start: number, labels: Mat): void;
}

/** The label units of `net`: the recurrent net's label layer, separate units, in the input, or none. */
export function labelUnitsFor(net: FFNet, recurrent: boolean, separate: boolean): LabelUnits {
  if (recurrent) return new NoInputLabel(net, 'label-layer');
  if (separate) return new SeparateLabel(net);
  return net.input.placement === 'none' ? new NoInputLabel(net, 'none') : new InputLabel(net);
}

/** ws.host rows as they are into ws.x. */
function uploadRows(net: FFNet, ws: Workspace, start: number, count: number): void {
  const W = net.inputSize;
  net.engine.write(net.engine.rowView(ws.x, start, count), ws.host.subarray(start * W, (start + count) * W));
}

class InputLabel implements LabelUnits {
  readonly kind = 'input';
  readonly ownUnits = false;
  readonly intoFirstLayer = false;

  constructor(private readonly net: FFNet) {}

  imageHost(): null {
    return null;
  }

  upload(ws: Workspace, start: number, count: number): void {
    uploadRows(this.net, ws, start, count);
  }

  /** Wherever upload put them: the label pixels or units of x, or the first pixels of a channels-last map. */
  setInputLabels(ws: Workspace, start: number, labels: Mat): void {
    const { engine: e, numClasses, channelsLast, imageShape } = this.net;
    const { labelOffset, strength } = this.net.input;
    const units = { offset: 0, stride: 1, count: numClasses, strength };
    if (channelsLast) e.setLabelUnits(e.rowView(ws.x, start, labels.rows), labels, { ...units, stride: imageShape.channels });
    else e.setLabelUnits(e.rowView(ws.x, start, labels.rows), labels, { ...units, offset: labelOffset });
  }
}

class SeparateLabel implements LabelUnits {
  readonly kind = 'separate';
  readonly ownUnits = true;
  readonly intoFirstLayer = true;

  constructor(private readonly net: FFNet) {}

  imageHost(rows: number): Float32Array {
    return new Float32Array(rows * this.net.sizes[0]);
  }

  /** The image part of each host row into ws.x, the label part into ws.label. */
  upload(ws: Workspace, start: number, count: number): void {
    const { engine: e, inputSize: W, numClasses: N } = this.net;
    const D = this.net.sizes[0];
    const image = ws.imageHost!;
    const label = ws.labelHost!;
    for (let i = 0; i < count; i++) {
      const row = ws.host.subarray((start + i) * W, (start + i + 1) * W);
      image.set(row.subarray(0, D), i * D);
      label.set(row.subarray(D, D + N), i * N);
    }
    e.write(e.rowView(ws.x, start, count), image.subarray(0, count * D));
    e.write(e.rowView(ws.label!, start, count), label.subarray(0, count * N));
  }

  setInputLabels(ws: Workspace, start: number, labels: Mat): void {
    const { engine: e, numClasses } = this.net;
    e.setLabelUnits(e.rowView(ws.label!, start, labels.rows), labels, { offset: 0, stride: 1, count: numClasses, strength: this.net.input.strength });
  }
}

/** No label in the input: none at all, or the recurrent net's label layer (its own units). */
class NoInputLabel implements LabelUnits {
  readonly ownUnits: boolean;
  readonly intoFirstLayer = false;

  constructor(
    private readonly net: FFNet,
    readonly kind: 'label-layer' | 'none',
  ) {
    this.ownUnits = kind === 'label-layer';
  }

  imageHost(): null {
    return null;
  }

  upload(ws: Workspace, start: number, count: number): void {
    uploadRows(this.net, ws, start, count);
  }

  setInputLabels(): void {
    throw new Error('setInputLabels: this net has no label in its input');
  }
}
