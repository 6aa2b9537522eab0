// A backprop run (bp/bp-net.ts) as an ONNX output 'output': images − mean (centred runs),
// RMS-normalized when the run normalizes its input, the hidden ReLU layers (dense, grid, or
// locally connected as the dense equivalent), then the softmax readout's probabilities.
import type { BPNet } from '../bp/bp-net.js';
import type { NetConstants } from './ff-sweep.js';
import type { GraphOutput } from './graph-output.js';
import { biasRelu, normalizeRows, softmax } from './layer-ops.js';

export async function bpOutputs(k: NetConstants, net: BPNet, images: string): Promise<GraphOutput[]> {
  const b = k.b;
  const mean = net.inputMean;
  let a = mean ? b.op('Sub', [images, b.floats('input_mean', mean, [mean.length])]) : images;
  if (net.cfg.inputNorm === 'rms') a = normalizeRows(b, a, net.inputSize, 'rms');
  for (const layer of net.layers) a = biasRelu(b, b.op('MatMul', [a, await k.weights(layer.bottomUp)]), await k.param(layer.bias, true));
  const logits = b.op('Add', [b.op('MatMul', [a, await k.param(net.outputWeight)]), await k.param(net.outputBias, true)]);
  return [{ name: 'output', value: softmax(b, logits), doc: 'probabilities of the softmax output layer' }];
}
