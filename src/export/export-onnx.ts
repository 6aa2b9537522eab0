// A trained run as an ONNX model (the library function behind `ff export --format onnx`): one
// graph whose input 'images' is a batch of raw images (batch × H·W·C values in [0, 1],
// channel-planar as the datasets keep them) and whose outputs are the run's classifiers, each
// named after its `ff eval --mode`. The run's config, kind and class names go in the model's
// metadata. Runs on a simulated analog chip or with a black box are refused (their stages add
// noise and drift a fixed graph could not reproduce), as is anything the graphs do not know.
import { BPModel } from '../bp/bp-model.js';
import type { LoadedRun } from '../experiments/load-run.js';
import { FFModel } from '../ff/ff-model.js';
import { bpOutputs } from './bp-graph.js';
import { classNamesOf } from './class-names.js';
import { feedForwardOutputs } from './ff-feedforward-graph.js';
import { recurrentOutputs } from './ff-recurrent-graph.js';
import { NetConstants } from './ff-sweep.js';
import { GraphBuilder } from './graph-builder.js';
import type { GraphOutput } from './graph-output.js';
import { encodeModel, IR_VERSION, OPSET } from './onnx-proto.js';
import { localInputSize, localOutputSize } from '../engine/local-geometry.js';
import type { Layer } from '../stages/layer.js';
import { messageValue } from '../util/message-value.js';

/** What protobuf can hold in one file (2 GiB), less room for the graph itself. */
const MAX_CONSTANT_BYTES = 2 ** 31 - 2 ** 24;

export const EXPORT_FORMATS = ['onnx'] as const;
const EXPORTED_CONNECTIVITY = ['dense', 'local', 'grid'];

export interface OnnxExport {
  bytes: Uint8Array;
  /** 'ff feed-forward', 'ff recurrent', 'ff unsupervised' or 'bp', with the connectivity. */
  kind: string;
  /** The graph's outputs, in order. */
  outputs: string[];
}

/** The run kind in words, or a one-line refusal for a kind that cannot be exported. */
export function exportKind(run: LoadedRun): string {
  const m = run.model;
  const connectivity = String(run.config.connectivity ?? 'dense');
  // What the graphs know how to write; anything newer is refused rather than written wrong.
  if (!EXPORTED_CONNECTIVITY.includes(connectivity)) throw new Error(refusal(`a run with --connectivity ${messageValue(connectivity)}`));
  const net = (m as { net?: { stages?: { order?: { kind: string }[] } } }).net;
  if (net?.stages?.order?.some((s) => s.kind !== 'layer' && s.kind !== 'box')) throw new Error(refusal('a run with stages other than dense, grid or locally-connected layers'));
  if (m instanceof FFModel) {
    if (m.net.stages.any) throw new Error(refusal('an FF run with a black box or a simulated analog chip', NOISE));
    const arch = m.net.heads.kind === 'probes' ? 'unsupervised' : m.net.dynamics.kind;
    return `ff ${arch} (${connectivity})`;
  }
  if (m instanceof BPModel) {
    if (m.net.stages.any) throw new Error(refusal('a backprop run with a black box or a simulated analog chip', NOISE));
    return `bp (${connectivity})`;
  }
  throw new Error(refusal(`a ${messageValue(m.algo)} run`));
}

const NOISE = ' (its stages add noise and drift a fixed graph cannot reproduce)';

function refusal(what: string, why = ''): string {
  return `cannot export ${what} to ONNX${why}`;
}

export async function exportOnnx(run: LoadedRun, opts: { producerVersion?: string } = {}): Promise<OnnxExport> {
  const kind = exportKind(run);
  const m = run.model as FFModel | BPModel;
  const bytes = denseWeightBytes(m.net.layers);
  if (bytes > MAX_CONSTANT_BYTES) {
    throw new Error(`the ${kind} net's weights take ${(bytes / 2 ** 30).toFixed(1)} GiB as dense matrices, more than one ONNX file holds (2 GiB)`);
  }
  const { height, width, channels, numClasses } = run.shape;
  const D = height * width * channels;
  const b = new GraphBuilder();
  const images = b.input('images', ['batch', D], `raw images in [0, 1], ${height}×${width}×${channels} each, channel-planar (all of channel 0, then channel 1, …)`);
  const k = new NetConstants(b, m.engine);
  let outputs: GraphOutput[];
  if (m instanceof BPModel) outputs = await bpOutputs(k, m.net, images);
  else if (m.net.dynamics.kind === 'recurrent') outputs = await recurrentOutputs(k, m.net, images);
  else outputs = await feedForwardOutputs(k, m.net, images);
  for (const o of outputs) b.output(o.name, o.value, ['batch', numClasses], o.doc);
  const doc = `${kind} net trained by forward-forward on ${String(run.config.dataset)}: outputs ${outputs.map((o) => o.name).join(', ')} (batch × ${numClasses} scores; the predicted class is the argmax)`;
  const file = encodeModel({
    ir_version: IR_VERSION,
    producer_name: 'forward-forward',
    producer_version: opts.producerVersion ?? '',
    doc_string: doc,
    graph: b.graph(`forward-forward ${kind}`, doc),
    opset_import: [{ domain: '', version: OPSET }],
    metadata_props: [
      { key: 'forward-forward.algo', value: m.algo },
      { key: 'forward-forward.kind', value: kind },
      { key: 'forward-forward.input_shape', value: JSON.stringify({ height, width, channels }) },
      { key: 'forward-forward.outputs', value: JSON.stringify(Object.fromEntries(outputs.map((o) => [o.name, o.doc]))) },
      { key: 'forward-forward.class_names', value: JSON.stringify(classNamesOf(String(run.config.dataset), numClasses)) },
      { key: 'forward-forward.config', value: JSON.stringify(run.config) },
    ],
  });
  return { bytes: file, kind, outputs: outputs.map((o) => o.name) };
}

/** What the hidden layers' connections take as dense float32 matrices (locally-connected ones expanded). */
export function denseWeightBytes(layers: Layer[]): number {
  let values = 0;
  for (const c of layers.flatMap((layer) => layer.connections)) {
    values += c.kind.name === 'local' ? localInputSize(c.kind.geometry) * localOutputSize(c.kind.geometry) : c.weight.value.rows * c.weight.value.cols;
  }
  return 4 * values;
}
