// The FF net's bottom-up sweep (FFNet.forward) and its readouts as ONNX ops: normalized input,
// each hidden layer's ReLU activities, their goodness and normalized state; the softmax (or
// probe) head on the normalized states; and the goodness classifier's per-label total.
import type { Engine } from '../engine/engine.js';
import type { FFNet } from '../ff/ff-net.js';
import type { Param } from '../train/optimizer.js';
import type { Connection } from '../stages/layer.js';
import type { GraphBuilder } from './graph-builder.js';
import type { PreparedInput } from './ff-input.js';
import { biasRelu, denseWeights, dropLastAxis, normalizeRows, softmax, sum, sumSquares } from './layer-ops.js';

/** Every constant of the net made once, whichever branches of the graph use it. */
export class NetConstants {
  private readonly made = new Map<string, Promise<string>>();
  constructor(
    readonly b: GraphBuilder,
    readonly engine: Engine,
  ) {}

  private once(key: string, make: () => Promise<string>): Promise<string> {
    let name = this.made.get(key);
    if (!name) this.made.set(key, (name = make()));
    return name;
  }

  /** A connection's weights as a dense fanIn × units matrix. */
  weights(c: Connection): Promise<string> {
    return this.once(c.weight.name, async () => {
      const { data, rows, cols } = await denseWeights(this.engine, c);
      return this.b.floats(c.weight.name, data, [rows, cols]);
    });
  }

  /** A parameter as it is (a bias: [units]; a head: rows × cols). */
  param(p: Param, vector = false): Promise<string> {
    return this.once(p.name, async () => {
      const data = await this.engine.read(p.value);
      return this.b.floats(p.name, data, vector ? [data.length] : [p.value.rows, p.value.cols]);
    });
  }
}

/** A layer's values in the graph: activities y, their raw power sum g (last axis kept) and normalized state n. */
export interface LayerValues {
  y: string;
  g: string;
  n: string;
}

/** g = Σ y² or Σ y over the units of y (the goodness's raw sum), and y normalized. */
export function measure(b: GraphBuilder, net: FFNet, l: number, y: string): LayerValues {
  const width = net.sizes[l + 1];
  const ss = sumSquares(b, y);
  const g = net.cfg.goodnessPower === 2 ? ss : b.op('ReduceSum', [y, b.int64s('axis_last', [-1])], { keepdims: 1 });
  return { y, g, n: normalizeRows(b, y, width, net.cfg.norm as 'rms' | 'l2', ss) };
}

/**
 * The bottom-up sweep through hidden layers 0..upTo−1: n[0] = normalized input, then each
 * layer relu(n[l]·W + b) — plus, in the first layer of a net with separate label units, the
 * label through its own connection. Returns n[0] and each layer's values.
 */
export async function sweep(k: NetConstants, net: FFNet, input: PreparedInput, upTo: number): Promise<{ n0: string; layers: LayerValues[] }> {
  const b = k.b;
  const n0 = normalizeRows(b, input.x, net.sizes[0], net.cfg.norm as 'rms' | 'l2');
  const layers: LayerValues[] = [];
  let below = n0;
  for (let l = 0; l < upTo; l++) {
    const layer = net.layers[l];
    let z = b.op('MatMul', [below, await k.weights(layer.bottomUp)]);
    if (l === 0 && input.label && net.labelUnits.intoFirstLayer) z = b.op('Add', [z, b.op('MatMul', [input.label, await k.weights(layer.connection('label')!)])]);
    const v = measure(b, net, l, biasRelu(b, z, await k.param(layer.bias, true)));
    layers.push(v);
    below = v.n;
  }
  return { n0, layers };
}

/** Softmax of Σ_l n[l+1]·head_l over the given layers (the online softmax, or a probe). */
export async function headProbabilities(k: NetConstants, layers: LayerValues[], which: number[], heads: (Param | null)[]): Promise<string> {
  const terms: string[] = [];
  for (const l of which) terms.push(k.b.op('MatMul', [layers[l].n, await k.param(heads[l]!)]));
  return softmax(k.b, sum(k.b, terms));
}

/** Σ over the goodness layers of each layer's goodness (raw sum, or its mean over units), last axis dropped. */
export function totalGoodness(b: GraphBuilder, net: FFNet, raw: string[]): string {
  const terms = net.goodnessLayers.map((l) => (net.cfg.goodnessReduce === 'mean' ? b.op('Div', [raw[l], b.scalar(net.sizes[l + 1])]) : raw[l]));
  return dropLastAxis(b, sum(b, terms));
}

/**
 * Per-label scores [labels, batch] → the classifier's [batch, labels], higher is better (a
 * min-ssq net's best label has the lowest goodness), scaled by `weight`.
 */
export function labelScores(b: GraphBuilder, net: FFNet, total: string, weight = 1): string {
  const scale = (net.cfg.goodness === 'max-ssq' ? 1 : -1) * weight;
  const scaled = scale === 1 ? total : b.op('Mul', [total, b.scalar(scale)]);
  // A total that does not depend on the label (possible in a recurrent net) is still one per label.
  const full = b.op('Expand', [scaled, b.int64s('labels_1', [net.numClasses, 1])]);
  return b.op('Transpose', [full], { perm: [1, 0] });
}
