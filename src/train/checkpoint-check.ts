// What a model needs from a loaded checkpoint before rebuilding itself: the algorithm it was
// written for, a config of the shape that algorithm expects (checked against its option
// table), the input shape and the RNG state. Checkpoints may come from other tools or
// versions, so each check names what is wrong in one line instead of failing deep inside
// a constructor ("list is not iterable").
import type { RngState } from '../engine/rng.js';
import type { InputShape } from './run-config.js';
import type { Checkpoint } from './checkpoint-format.js';
import { specProblem as problem, type OptionSpec } from './options.js';
import { messageValue as short } from '../util/message-value.js';

export interface CheckedCheckpoint<C> {
  config: C;
  shape: InputShape;
  rng: RngState;
  adamSteps: Record<string, number> | undefined;
}

/** Config keys that record where a run came from rather than set an option. */
const RECORD_KEYS = ['algo', 'preset'];
/**
 * Options that size memory or loops (the per-iteration statistics, the workspace, blur passes,
 * window sizes): held to their option's range on load, so a damaged value cannot allocate or
 * spin for minutes before any tensor is compared.
 */
const SIZING_KEYS = ['iterations', 'gradientFrom', 'testFrom', 'testTo', 'batchSize', 'blurPasses', 'window', 'mapChannels'];

/**
 * `addedLater`: options newer than some checkpoints, each with the value that reproduces what
 * versions before it did (not its current default).
 */
export function checkCheckpoint<C>(
  ck: Checkpoint,
  algo: string,
  specs: Record<string, OptionSpec>,
  addedLater: Record<string, unknown> = {},
): CheckedCheckpoint<C> {
  const fail = (why: string) => new Error(`${ck.source ?? 'checkpoint'}: ${why}`);
  const { state } = ck;
  const config: Record<string, unknown> = { ...addedLater, ...ck.config };
  if (typeof config.algo === 'string' && config.algo !== ck.algo) {
    throw fail(`metadata says algo '${short(ck.algo)}' but its config is for '${short(config.algo)}'`);
  }
  if (ck.algo !== algo) throw fail(`holds a '${short(ck.algo)}' model, not '${algo}'`);
  // In a verified file, a key this version does not know comes from a newer version: the model
  // it describes cannot be rebuilt faithfully. (Unverified files already carry a warning.)
  const unknown = Object.keys(config).filter((k) => !RECORD_KEYS.includes(k) && !(k in specs));
  if (unknown.length && ck.verified) throw fail(`config for algo '${algo}' has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 3).map((k) => short(JSON.stringify(k))).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''} (written by a newer version, or damaged)`);
  const missing = Object.keys(specs).filter((k) => !(k in config));
  if (missing.length) throw fail(`config for algo '${algo}' lacks ${missing.join(', ')}`);
  for (const [key, spec] of Object.entries(specs)) {
    const expected = problem(spec, config[key]);
    if (expected) throw fail(`config ${key} = ${short(JSON.stringify(config[key]))} is not valid for algo '${algo}' (expected ${expected})`);
    const range = spec.kind === 'int' && SIZING_KEYS.includes(key) ? spec : undefined;
    const v = config[key] as number;
    if (range && ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max))) {
      throw fail(`config ${key} = ${v} is outside [${range.min}, ${range.max}]`);
    }
  }
  // Every hidden layer's width against its bias in the file, and the input against the first
  // weights, before the model allocates anything from these numbers.
  const layers = config.layers as number[];
  for (let i = 0; i < layers.length; i++) {
    const bias = ck.tensors.get(`layer${i + 1}.bias`);
    if (!bias) throw fail(`tensor layer${i + 1}.bias is missing (expected shape [1,${layers[i]}])`);
    if (bias.data.length !== layers[i]) throw fail(`tensor layer${i + 1}.bias holds ${bias.data.length} values, but config layers says layer ${i + 1} has ${layers[i]} units`);
  }
  const shape = state.shape as InputShape | undefined;
  const dims = ['height', 'width', 'channels', 'numClasses'] as const;
  // Predictions are stored as bytes, so at most 256 classes.
  if (!shape || !dims.every((d) => isInt(shape[d], 1, d === 'numClasses' ? 256 : 1e6)) || shape.numClasses < 2) {
    throw fail(`state.shape is missing or invalid (expected {height, width, channels, numClasses}), got ${short(JSON.stringify(shape) ?? 'nothing')}`);
  }
  const w1 = ck.tensors.get('layer1.weight');
  const pixels = shape.height * shape.width * shape.channels;
  // A conv layer's weights are K·K·C × C_out/G, whatever the image's height and width.
  const groups1 = Array.isArray(config.convGroups) && typeof config.convGroups[0] === 'number' && config.convGroups[0] > 0 ? config.convGroups[0] : 1;
  const needed = config.connectivity === 'conv' ? ((config.window as number) ** 2 * shape.channels * layers[0]) / groups1 : pixels;
  if (!w1 || w1.data.length < needed) {
    throw fail(`state.shape ${shape.height}×${shape.width}×${shape.channels} does not fit tensor layer1.weight (${w1 ? `${w1.data.length} values` : 'missing'})`);
  }
  const rng = state.rng as RngState | undefined;
  if (!rng || !Array.isArray(rng.s) || rng.s.length !== 4 || !rng.s.every((x) => isInt(x, 0, 2 ** 32 - 1)) || !(rng.spare === null || Number.isFinite(rng.spare))) {
    throw fail('state.rng is missing or invalid');
  }
  const adamSteps = state.adamSteps as Record<string, number> | undefined;
  if (adamSteps !== undefined && (typeof adamSteps !== 'object' || adamSteps === null || !Object.values(adamSteps).every((x) => isInt(x, 0, Infinity)))) {
    throw fail('state.adamSteps is invalid');
  }
  return { config: config as C, shape, rng, adamSteps };
}

function isInt(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}
