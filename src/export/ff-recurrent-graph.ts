// A recurrent FF run (SPEC §4, ff/ff-net.ts) as ONNX outputs, its iterations unrolled:
//   'softmax'  — the initial bottom-up sweep (no label), the online softmax on it, as `ff eval`;
//   'goodness' — for every label at once (a leading axis of N copies, which the clamped label
//                layer creates by broadcasting): the sweep, then iterations 1..testTo of
//                synchronous updates y = relu(Σ_connections source(t−1)·W + b), each state
//                damped as s ← d·s + (1 − d)·y and normalized, the goodness averaged over
//                iterations testFrom..testTo (the window is the run's, fixed in the graph).
import type { FFNet } from '../ff/ff-net.js';
import { centred } from './ff-input.js';
import { headProbabilities, labelScores, measure, sweep, totalGoodness, type LayerValues, type NetConstants } from './ff-sweep.js';
import type { GraphOutput } from './graph-output.js';
import { biasRelu, normalizeRows, sum } from './layer-ops.js';

export async function recurrentOutputs(k: NetConstants, net: FFNet, images: string): Promise<GraphOutput[]> {
  const b = k.b;
  const cfg = net.cfg;
  const x = centred(b, net, images);
  const { n0, layers: start } = await sweep(k, net, { x, label: null }, net.numLayers);
  const softmax = await headProbabilities(k, start, net.softmaxLayers, net.softmax);

  // The clamped label layer: row r is label r's one-of-N code × labelStrength, over the batch.
  const N = net.numClasses;
  const code = new Float32Array(N * N);
  for (let r = 0; r < N; r++) code[r * N + r] = cfg.labelStrength;
  const label = b.floats('clamped_label', code, [N, 1, N]);

  let states = start.map((v) => v.y);
  let n = [n0, ...start.map((v) => v.n)];
  const window: string[] = [];
  for (let t = 1; t <= cfg.testTo; t++) {
    const now: LayerValues[] = [];
    for (let l = 0; l < net.numLayers; l++) {
      const layer = net.layers[l];
      const terms: string[] = [];
      for (const c of layer.connections) {
        const source = c.source === 'input' || c.source === 'below' ? n[l] : c.source === 'above' ? n[l + 2] : c.source === 'self' ? n[l + 1] : label;
        terms.push(b.op('MatMul', [source, await k.weights(c)]));
      }
      now.push(measure(b, net, l, biasRelu(b, sum(b, terms), await k.param(layer.bias, true))));
    }
    if (t >= cfg.testFrom) window.push(totalGoodness(b, net, now.map((v) => v.g)));
    if (t < cfg.testTo) {
      const d = cfg.damping;
      states = states.map((s, l) => b.op('Add', [b.op('Mul', [now[l].y, b.scalar(1 - d)]), b.op('Mul', [s, b.scalar(d)])]));
      n = [n0, ...states.map((s, l) => normalizeRows(b, s, net.sizes[l + 1], cfg.norm as 'rms' | 'l2'))];
    }
  }
  const goodness = labelScores(b, net, sum(b, window), 1 / window.length);
  return [
    { name: 'softmax', value: softmax, doc: 'probabilities of the online softmax on the bottom-up sweep' },
    { name: 'goodness', value: goodness, doc: `goodness of hidden layer(s) ${net.goodnessLayers.map((l) => l + 1).join(', ')} with each label clamped, averaged over iterations ${cfg.testFrom}-${cfg.testTo}` },
  ];
}
