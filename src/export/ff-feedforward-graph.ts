// A feed-forward FF run as ONNX outputs (ff/classify.ts, ff/linear-probe.ts):
//   supervised   — 'softmax': the one pass with the neutral label, the online softmax's
//                  probabilities; 'goodness': the label's total goodness for every label (the
//                  N labelled copies of the batch run as one leading axis of the graph);
//   unsupervised — 'probe' and 'probe-layerK': the linear probes' probabilities.
// Dense, grid (masked dense) and locally-connected (as its dense equivalent) layers alike.
import type { FFNet } from '../ff/ff-net.js';
import { probeHead, probeModes } from '../ff/linear-probe.js';
import { centred, withLabels } from './ff-input.js';
import { headProbabilities, labelScores, sweep, totalGoodness, type NetConstants } from './ff-sweep.js';
import type { GraphOutput } from './graph-output.js';

export async function feedForwardOutputs(k: NetConstants, net: FFNet, images: string): Promise<GraphOutput[]> {
  const b = k.b;
  const x = centred(b, net, images);
  if (net.heads.kind === 'probes') {
    const { layers } = await sweep(k, net, withLabels(b, net, x, false), Math.max(...net.softmaxLayers) + 1);
    const out: GraphOutput[] = [];
    for (const mode of probeModes(net)) {
      const head = probeHead(net, mode)!;
      const value = await headProbabilities(k, layers, head.layers, head.heads);
      out.push({ name: mode, value, doc: `probabilities of the linear probe on hidden layer(s) ${head.layers.map((l) => l + 1).join(', ')}` });
    }
    return out;
  }
  const neutral = await sweep(k, net, withLabels(b, net, x, false), Math.max(...net.softmaxLayers) + 1);
  const softmax = await headProbabilities(k, neutral.layers, net.softmaxLayers, net.softmax);
  const every = await sweep(k, net, withLabels(b, net, x, true), Math.max(...net.goodnessLayers) + 1);
  const goodness = labelScores(b, net, totalGoodness(b, net, every.layers.map((v) => v.g)));
  return [
    { name: 'softmax', value: softmax, doc: 'probabilities of the online softmax, one pass with the neutral label' },
    { name: 'goodness', value: goodness, doc: `total goodness of hidden layer(s) ${net.goodnessLayers.map((l) => l + 1).join(', ')} with each label (higher is better)` },
  ];
}
