// FF's command-line/config options (train/options.ts parses them): the shared run options plus
// every knob of ff/config.ts, each with its kind, range and help line.
import { RUN_OPTION_SPECS, type OptionSpec } from '../train/options.js';
import type { FFConfig } from './config.js';
import { OBJECTIVE_NAMES } from './objectives/registry.js';

export const FF_OPTION_SPECS: Record<keyof Omit<FFConfig, 'algo'>, OptionSpec> = {
  ...RUN_OPTION_SPECS,
  epochs: { kind: 'int', min: 1, max: 100000, help: 'training epochs (per layer in greedy mode)' },
  goodness: { kind: 'enum', values: ['max-ssq', 'min-ssq'], help: 'positive data has high (max-ssq) or low (min-ssq) goodness' },
  goodnessPower: { kind: 'enum', values: [1, 2], help: 'goodness Σ y² (2) or Σ y (1)' },
  goodnessReduce: { kind: 'enum', values: ['sum', 'mean'], help: 'sum or mean over units' },
  threshold: { kind: 'number', min: -1e9, max: 1e9, nullable: true, help: 'θ (default: layer width for sum, 1 for mean)' },
  temperature: { kind: 'number', min: 1e-6, max: 1e6, help: 'T in σ((G − θ)/T)' },
  loss: { kind: 'enum', values: OBJECTIVE_NAMES, help: "the layer objective: per-case logistic loss, the SymBa pair loss, or cwc (channel-wise competitive: softmax over class channel groups' goodness, no negatives)" },
  symbaAlpha: { kind: 'number', min: 0, max: 1e6, help: 'SymBa α' },
  exactGradient: { kind: 'bool', help: "keep the factor 2 of d(y²)/dy (ffnew.m drops it)" },
  norm: { kind: 'enum', values: ['rms', 'l2', 'group'], help: 'normalization between layers: per row (rms, l2) or GroupNorm of conv maps (group)' },
  normGroups: { kind: 'int', min: 1, max: 100000, help: 'group norm: channel groups of each hidden map' },
  peerLambda: { kind: 'number', min: 0, max: 10, help: 'peer-normalization strength λ' },
  peerDecay: { kind: 'number', min: 0, max: 0.9999, help: 'peer-normalization running-mean decay' },
  peerInit: { kind: 'number', min: 0, max: 100, help: 'initial running mean' },
  labelInput: { kind: 'enum', values: ['auto', 'pixels', 'extra'], help: 'label over the first N pixels or as N extra input units (auto: pixels for one-channel images)' },
  labelStrength: { kind: 'number', min: 0, max: 1000, help: 'value of the label pixel' },
  negativeData: { kind: 'enum', values: ['wrong-label', 'hybrid'], help: 'negative data: the image with a wrong label, or hybrids of two images (unsupervised: no label input)' },
  negatives: { kind: 'enum', values: ['hard', 'random', 'teacher-forced', 'self-generated'], help: "the negative case's label: hard (online softmax over the wrong labels), random (uniform over them), teacher-forced (softmax over all labels: sometimes the true one) or self-generated (sequences: positive-only minibatches, then a sleep phase on continuations the model generates)" },
  blurPasses: { kind: 'int', min: 0, max: 1000, help: 'hybrid: blur passes of the random mask (more: larger regions)' },
  sleepCycles: { kind: 'int', min: 1, max: 100000, help: 'self-generated: wake/sleep cycles per epoch (1 = one sleep phase after the epoch; more = shorter phases, each sleeping on as many generated windows as it woke on)' },
  probeLayers: { kind: 'list', nullable: true, help: 'hybrid: 1-based hidden layers read by the linear probes (default the last three)' },
  softmaxLayers: { kind: 'list', nullable: true, help: '1-based hidden layers read by the softmax (default all but the first)' },
  softmaxLr: { kind: 'number', min: 0, max: 100, help: 'softmax (hybrid: probe) learning rate' },
  softmaxWeightCost: { kind: 'number', min: 0, max: 10, help: 'softmax (hybrid: probe) weight cost' },
  goodnessLayers: { kind: 'list', nullable: true, help: '1-based hidden layers summed by the goodness classifier (default all but the first)' },
  trainMode: { kind: 'enum', values: ['simultaneous', 'greedy'], help: 'all layers every minibatch, or one layer at a time' },
  architecture: { kind: 'enum', values: ['feedforward', 'recurrent'], help: 'one bottom-up sweep, or the recurrent net with top-down connections and a clamped label layer' },
  iterations: { kind: 'int', min: 1, max: 100, help: 'recurrent: synchronous updates after the bottom-up pass' },
  damping: { kind: 'number', min: 0, max: 0.99, help: 'recurrent: weight of the old state (state ← d·old + (1−d)·new)' },
  lateral: { kind: 'bool', help: "recurrent: each hidden layer also reads its own previous state" },
  gradientFrom: { kind: 'int', min: 1, max: 100, help: 'recurrent: first iteration whose FF gradients are used (earlier ones only settle the net)' },
  testFrom: { kind: 'int', min: 1, max: 100, help: 'recurrent: goodness classifier averages from this iteration' },
  testTo: { kind: 'int', min: 1, max: 100, help: 'recurrent: … to this iteration' },
};
