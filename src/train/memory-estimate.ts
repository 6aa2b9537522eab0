// How much memory training a net takes, worked out from its config before anything is
// allocated, so that an impossible --layers is refused in one line instead of being
// OOM-killed minutes later or failing with "Invalid typed array length".
import { freemem, totalmem } from 'node:os';

/** Longest Float32Array V8 makes in Node 20 (elements); longer ones throw. */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;
/** Node reads a file whole only up to 2 GiB − 1 bytes, and checkpoints are read whole. */
export const MAX_CHECKPOINT_BYTES = 2 ** 31 - 1;
/** Share of the machine's memory a run may plan on; the rest is for the system and other programs. */
export const MEMORY_SHARE = 0.8;

/** What the estimate needs from a config and its dataset. */
export interface NetSize {
  algo: string;
  layers: number[];
  optimizer: string;
  batchSize: number;
  /** Values per image (height·width·channels). */
  inputSize: number;
  numClasses: number;
  /** Grid nets: every hidden layer's weights also have a 0/1 mask of their size. */
  masked?: boolean;
  /** Conv nets: per layer its weights, its map and what the layer above reads (values per row), and its patch matrix. */
  conv?: ConvLayerSize[];
}

export interface ConvLayerSize {
  weights: number;
  channels: number;
  map: number;
  output: number;
  /** im2col's patch values per row (K²·C_in·H·W). */
  patches: number;
}

export interface MemoryEstimate {
  /** Bytes in use at the peak of training: while a checkpoint is being written. */
  peakBytes: number;
  /** Trainable values (weights, biases, softmax heads). */
  parameters: number;
  checkpointBytes: number;
  /** The biggest single tensor. */
  largest: { name: string; rows: number; cols: number };
}

export interface MachineMemory {
  totalBytes: number;
  /** What the system can hand out now without swapping (MemAvailable). */
  availableBytes: number;
  /** What this process already uses (the dataset among it). */
  inUseBytes: number;
}

/** Rows of the FF and BP evaluation scratch buffers (see ff/classify.ts and bp/bp-model.ts). */
const FF_EVAL_IMAGES = 100;
const BP_EVAL_ROWS = 500;

export function estimateTrainingMemory(net: NetSize): MemoryEstimate {
  if (net.conv) return estimateConvMemory(net, net.conv);
  const { layers, inputSize: D, numClasses: N, batchSize: B } = net;
  const sizes = [D, ...layers];
  const tensors: { name: string; rows: number; cols: number }[] = [];
  layers.forEach((w, l) => {
    tensors.push({ name: `layer ${l + 1} weights`, rows: sizes[l], cols: w }, { name: `layer ${l + 1} biases`, rows: 1, cols: w });
    // FF: an online softmax head may read any hidden layer (counted for all: they are small).
    if (net.algo === 'ff') tensors.push({ name: `softmax head ${l + 1}`, rows: w, cols: N });
  });
  if (net.algo !== 'ff') tensors.push({ name: 'output weights', rows: sizes[sizes.length - 1], cols: N }, { name: 'output biases', rows: 1, cols: N });
  const parameters = tensors.reduce((a, t) => a + t.rows * t.cols, 0);
  const largest = tensors.reduce((a, t) => (t.rows * t.cols > a.rows * a.cols ? t : a));

  // Per trainable value: the value, its optimizer state (Adam keeps two), one gradient.
  const states = net.optimizer === 'adam' ? 2 : 1;
  const checkpointBytes = 4 * parameters * (1 + states);
  // Writing a checkpoint reads values and state out (a copy), then encodes them into one
  // buffer (another copy) while training's own buffers stay allocated.
  const maskBytes = net.masked ? 4 * layers.reduce((a, w, l) => a + sizes[l] * w, 0) : 0;
  const paramBytes = 4 * parameters * (2 + states) + 2 * checkpointBytes + maskBytes;

  const hidden = layers.reduce((a, w) => a + w, 0);
  let scratch: number;
  if (net.algo === 'ff') {
    // Workspaces of 3B rows (neutral, positive, negative) and of the classifiers (100 images,
    // and 100 images × N labels): input, its host copy and normalized input, then per layer
    // the ReLU states and their normalized copies; plus per layer the gradient of the states.
    const rows = 3 * B + FF_EVAL_IMAGES * (1 + N);
    scratch = rows * (3 * D + 2 * hidden + layers.length) + 2 * B * hidden;
  } else {
    // Training and evaluation workspaces: input (and its normalized copy), activations and
    // their deltas, outputs.
    const rows = B + BP_EVAL_ROWS;
    scratch = rows * (2 * D + 2 * hidden + 4 * N);
  }
  return { peakBytes: paramBytes + 4 * scratch, parameters, checkpointBytes, largest };
}

/**
 * Conv nets: few weights, large maps. Per row of a workspace: the input and its normalized
 * copy, per layer its map, the gradient there, the pooled and normalized maps, and the patch
 * matrix (kept per layer by its connection). Workspaces as for dense FF nets.
 */
function estimateConvMemory(net: NetSize, conv: ConvLayerSize[]): MemoryEstimate {
  const { inputSize: D, numClasses: N, batchSize: B } = net;
  const tensors = conv.flatMap((c, l) => [
    { name: `layer ${l + 1} weights`, rows: c.weights / c.channels, cols: c.channels },
    { name: `layer ${l + 1} biases`, rows: 1, cols: c.channels },
    ...(net.algo === 'ff' ? [{ name: `softmax head ${l + 1}`, rows: c.output, cols: N }] : []),
  ]);
  if (net.algo !== 'ff') tensors.push({ name: 'output weights', rows: conv[conv.length - 1].output, cols: N });
  const parameters = tensors.reduce((a, t) => a + t.rows * t.cols, 0);
  const largest = tensors.reduce((a, t) => (t.rows * t.cols > a.rows * a.cols ? t : a));
  const states = net.optimizer === 'adam' ? 2 : 1;
  const checkpointBytes = 4 * parameters * (1 + states);
  const paramBytes = 4 * parameters * (2 + states) + 2 * checkpointBytes;
  const perRow = 3 * D + conv.reduce((a, c) => a + 2 * c.map + 2 * c.output + c.patches, 0);
  const rows = net.algo === 'ff' ? 3 * B + FF_EVAL_IMAGES : B + BP_EVAL_ROWS;
  return { peakBytes: paramBytes + 4 * rows * perRow, parameters, checkpointBytes, largest };
}

/** This machine's memory as Node sees it (a cgroup limit counts as the total). */
export function machineMemory(): MachineMemory {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = totalmem();
  return {
    totalBytes: constrained > 0 && constrained < total ? constrained : total,
    availableBytes: freemem(),
    inUseBytes: process.memoryUsage().rss,
  };
}

/**
 * Why the net cannot be trained here (one line), or undefined. `what` names the net for the
 * message, e.g. "--layers 40000,40000".
 */
export function memoryRefusal(net: NetSize, est: MemoryEstimate, machine: MachineMemory, what = describeNet(net)): string | undefined {
  const { largest } = est;
  if (largest.rows * largest.cols > MAX_TENSOR_ELEMENTS) {
    return (
      `${what}: the ${largest.name} would be ${largest.rows}×${largest.cols} = ${count(largest.rows * largest.cols)} values; ` +
      `Node.js arrays hold at most ${count(MAX_TENSOR_ELEMENTS)}`
    );
  }
  const budget = MEMORY_SHARE * machine.totalBytes;
  if (machine.inUseBytes + est.peakBytes > budget) {
    return (
      `${what} needs about ${gb(est.peakBytes)} for weights, optimizer state, gradients and checkpoint copies; ` +
      `this machine has ${gb(machine.totalBytes)} (a run may plan on ${Math.round(100 * MEMORY_SHARE)} %, ${gb(machine.inUseBytes)} already in use)`
    );
  }
  if (est.checkpointBytes > MAX_CHECKPOINT_BYTES) {
    return (
      `${what} makes ${gb(est.checkpointBytes)} checkpoints; ff reads checkpoints of at most ${gb(MAX_CHECKPOINT_BYTES)} ` +
      `(Node's limit for reading a file whole), so --resume, eval and predict would fail`
    );
  }
  return undefined;
}

/** A notice when the net fits the machine but not what is free right now, else undefined. */
export function memoryWarning(net: NetSize, est: MemoryEstimate, machine: MachineMemory, what = describeNet(net)): string | undefined {
  if (est.peakBytes <= machine.availableBytes) return undefined;
  return `${what} needs about ${gb(est.peakBytes)}, but only ${gb(machine.availableBytes)} is free now; training may be killed for lack of memory`;
}

export function describeNet(net: NetSize): string {
  const algo = net.algo === 'ff' ? '' : `--algo ${net.algo} `;
  return `${algo}--layers ${net.layers.join(',')}${net.optimizer === 'adam' ? ' with --optimizer adam' : ''}`;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 2 : 1)} GB`;
const count = (n: number) => n.toLocaleString('en-US');
