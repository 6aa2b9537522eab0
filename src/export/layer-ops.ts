// The pieces of the nets as ONNX ops, on tensors whose last axis is the units (any leading
// axes: [batch, units] or [labels, batch, units], broadcast where they differ): a connection's
// product, bias and ReLU, the row normalization, goodness, and the softmax readout. Each
// mirrors an engine primitive (engine/js-backend.ts is the reference).
import type { Engine } from '../engine/engine.js';
import { localTapInside, localWeightIndex, type LocalGeometry } from '../engine/local-geometry.js';
import type { Connection } from '../stages/layer.js';
import type { GraphBuilder } from './graph-builder.js';

/** ffnormrows' "tiny" (ff/ff-net.ts NORM_EPS), as the engines add it to the row length. */
const NORM_EPS = Math.exp(-50);


/** relu(z + bias), the bias a constant [units]. */
export function biasRelu(b: GraphBuilder, z: string, bias: string): string {
  return b.op('Relu', [b.op('Add', [z, bias])]);
}

/** Σ_j x_j² over the last axis, kept as an axis of size 1. */
export function sumSquares(b: GraphBuilder, x: string): string {
  return b.op('ReduceSumSquare', [x, b.int64s('axis_last', [-1])], { keepdims: 1 });
}

/**
 * The engines' normalizeRows: x / (eps + ‖x‖) with ‖x‖ the root mean square ('rms') or the
 * length ('l2') of the row; `ss` = sumSquares(x) when already made.
 */
export function normalizeRows(b: GraphBuilder, x: string, width: number, mode: 'rms' | 'l2', ss = sumSquares(b, x)): string {
  const len = b.op('Sqrt', [mode === 'rms' ? b.op('Div', [ss, b.scalar(width)]) : ss]);
  return b.op('Div', [x, b.op('Add', [len, b.scalar(NORM_EPS)])]);
}

/** Remove the last axis (of size 1). */
export function dropLastAxis(b: GraphBuilder, x: string): string {
  return b.op('Squeeze', [x, b.int64s('axis_last', [-1])]);
}

/** softmax over the last axis. */
export function softmax(b: GraphBuilder, logits: string): string {
  return b.op('Softmax', [logits], { axis: -1 });
}

/** Σ of a list of tensors (one: itself). */
export function sum(b: GraphBuilder, terms: string[]): string {
  return terms.reduce((acc, t) => b.op('Add', [acc, t]));
}

/**
 * A connection's weights as the dense matrix (fanIn × units) a MatMul applies: dense ones as
 * they are (grid nets' masked weights are already zero outside their windows), locally
 * connected ones expanded to their dense equivalent, zero wherever a unit's window does not reach.
 */
export async function denseWeights(engine: Engine, c: Connection): Promise<{ data: Float32Array; rows: number; cols: number }> {
  const w = await engine.read(c.weight.value);
  if (c.kind.name === 'dense') return { data: w, rows: c.weight.value.rows, cols: c.weight.value.cols };
  if (c.kind.name === 'local') return localAsDense(c.kind.geometry, w);
  throw new Error(`cannot export a '${c.kind.name}' connection to ONNX`);
}

/** The dense (C_in·H·W) × (C_out·H·W) equivalent of an LC weight matrix (layout: engine/local-geometry.ts). */
export function localAsDense(g: LocalGeometry, w: Float32Array): { data: Float32Array; rows: number; cols: number } {
  const { height: H, width: W, inChannels: Ci, outChannels: Co, window: K } = g;
  const r = (K - 1) / 2;
  const rows = Ci * H * W;
  const cols = Co * H * W;
  const out = new Float32Array(rows * cols);
  for (let co = 0; co < Co; co++)
    for (let py = 0; py < H; py++)
      for (let px = 0; px < W; px++) {
        const unit = (co * H + py) * W + px;
        for (let ci = 0; ci < Ci; ci++)
          for (let dy = 0; dy < K; dy++)
            for (let dx = 0; dx < K; dx++) {
              if (!localTapInside(g, py, px, dy, dx)) continue;
              const src = (ci * H + py + dy - r) * W + px + dx - r;
              out[src * cols + unit] = w[localWeightIndex(g, co, py, px, ci, dy, dx)];
            }
      }
  return { data: out, rows, cols };
}
