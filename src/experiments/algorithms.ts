// The learning algorithms the CLI can train, each with its option table, defaults and
// constructors. Backprop registers itself here next to FF.
import { BPModel, createBPModel } from '../bp/bp-model.js';
import { BP_DEFAULTS, BP_OPTION_SPECS, type BPConfig } from '../bp/config.js';
import type { DatasetSplits } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import { FF_DEFAULTS, type FFConfig } from '../ff/config.js';
import { createFFModel, FFModel } from '../ff/ff-model.js';
import type { Checkpoint } from '../train/checkpoint-format.js';
import type { TrainableModel } from '../train/model.js';
import { FF_OPTION_SPECS } from '../ff/options.js';
import type { OptionSpec } from '../train/options.js';
import { bpPresetOverrides, getPreset } from './presets.js';

export interface Algorithm {
  name: string;
  defaults: Record<string, unknown>;
  specs: Record<string, OptionSpec>;
  /** Config from a preset name (its algorithm-specific part) plus overrides already parsed. */
  presetConfig(preset: string): Record<string, unknown>;
  create(engine: Engine, config: Record<string, unknown>, data: DatasetSplits): TrainableModel;
  fromCheckpoint(engine: Engine, ck: Checkpoint): TrainableModel;
  /** Its classifiers in result tables (the evaluate() mode, main one first) and how each tests. */
  classifiers: { mode: string; testing: string }[];
}

const registry = new Map<string, Algorithm>();

export function registerAlgorithm(a: Algorithm): void {
  registry.set(a.name, a);
}

export function getAlgorithm(name: string): Algorithm {
  const a = registry.get(name);
  if (!a) throw new Error(`unknown algorithm '${name}' (choose ${[...registry.keys()].join(', ')})`);
  return a;
}

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

registerAlgorithm({
  name: 'ff',
  defaults: FF_DEFAULTS as unknown as Record<string, unknown>,
  specs: FF_OPTION_SPECS as Record<string, OptionSpec>,
  presetConfig: (preset) => ({ ...FF_DEFAULTS, ...getPreset(preset).ff }),
  create: (engine, config, data) => createFFModel(engine, config as unknown as FFConfig, data),
  fromCheckpoint: (engine, ck) => FFModel.fromCheckpoint(engine, ck),
  classifiers: [
    { mode: 'goodness', testing: 'goodness for every label' },
    { mode: 'softmax', testing: 'one-pass softmax' },
  ],
});

registerAlgorithm({
  name: 'bp',
  defaults: BP_DEFAULTS as unknown as Record<string, unknown>,
  specs: BP_OPTION_SPECS as Record<string, OptionSpec>,
  presetConfig: (preset) => ({ ...BP_DEFAULTS, ...bpPresetOverrides(preset) }),
  create: (engine, config, data) => createBPModel(engine, config as unknown as BPConfig, data),
  fromCheckpoint: (engine, ck) => BPModel.fromCheckpoint(engine, ck),
  classifiers: [{ mode: 'output', testing: 'output layer' }],
});
