// Command-line/config options of a model: each config key has one spec (kind, range, help),
// so parsing, validation and `--help` come from one table. Unknown or out-of-range values
// are rejected with a one-line message.
import type { RunConfig } from './run-config.js';

type Spec =
  | { kind: 'int' | 'number'; min?: number; max?: number; help: string; nullable?: boolean }
  | { kind: 'enum'; values: readonly (string | number)[]; help: string }
  | { kind: 'bool'; help: string }
  | { kind: 'list'; help: string; nullable?: boolean }
  | { kind: 'string'; help: string; allowEmpty?: boolean };

/** Options every model shares (RunConfig). */
export const RUN_OPTION_SPECS: Record<keyof RunConfig, Spec> = {
  dataset: { kind: 'string', help: 'mnist, fashion-mnist or cifar-10' },
  layers: { kind: 'list', help: 'hidden layer widths, e.g. 1000,1000,1000' },
  epochs: { kind: 'int', min: 1, max: 100000, help: 'training epochs' },
  batchSize: { kind: 'int', min: 1, max: 100000, help: 'minibatch size' },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'random seed' },
  lr: { kind: 'number', min: 0, max: 100, help: 'learning rate (FF: of the layers; the softmax has its own)' },
  weightCost: { kind: 'number', min: 0, max: 10, help: 'L2 weight cost (not on biases)' },
  optimizer: { kind: 'enum', values: ['smooth', 'adam', 'momentum'], help: "smooth (Hinton's smoothed gradient), adam, momentum" },
  smoothing: { kind: 'number', min: 0, max: 0.9999, help: 'gradient smoothing of the smooth optimizer' },
  momentum: { kind: 'number', min: 0, max: 0.9999, help: 'momentum of the momentum optimizer' },
  adamBeta1: { kind: 'number', min: 0, max: 0.9999, help: 'Adam β1' },
  adamBeta2: { kind: 'number', min: 0, max: 0.999999, help: 'Adam β2' },
  adamEps: { kind: 'number', min: 0, max: 1, help: 'Adam ε' },
  schedule: { kind: 'enum', values: ['hinton', 'constant', 'linear', 'cosine'], help: 'learning-rate gain over epochs (cosine: from 1 down to --lr-floor)' },
  lrFloor: { kind: 'number', min: 0, max: 1, help: 'cosine schedule: the gain at the end of the run' },
  jitter: { kind: 'int', min: 0, max: 10, help: 'shift training images by up to ±J pixels' },
  crop: { kind: 'int', min: 0, max: 16, help: 'after jitter: pad training images by P zero pixels, take a random crop of their size' },
  flip: { kind: 'bool', help: 'after crop: mirror training images left to right with probability 1/2' },
  trainOnAll: { kind: 'bool', help: 'train on all 60,000 training images (validation then overlaps)' },
  textSplit: { kind: 'enum', values: ['paper', 'book'], help: "aesop: train on the paper's 217 strings, or on every 100-character piece of the book except the 31 held-out strings and a 10-character margin around each" },
  center: { kind: 'enum', values: ['auto', 'none', 'channel-mean'], help: "subtract each channel's training mean from the images (auto: colour images only)" },
  evalEvery: { kind: 'int', min: 0, max: 100000, help: 'validate every N epochs (0 = only at the end)' },
  evalSubset: { kind: 'int', min: 0, max: 10000000, help: 'validation images per check (0 = all)' },
  trainSubset: { kind: 'int', min: 0, max: 10000000, help: 'train on the first N training images only (0 = all)' },
  earlyStop: { kind: 'int', min: 0, max: 100000, help: "stop when validation error (the first classifier's) has not improved for N validations; keep the best validation's weights (0 = off)" },
  inputDropout: { kind: 'number', min: 0, max: 0.95, help: 'training: zero each input value with probability p, scale the rest by 1/(1−p) (0 = off)' },
  dropout: { kind: 'number', min: 0, max: 0.99, help: 'training: zero each hidden unit after its ReLU with probability p (before its objective and the layer above), scale the rest by 1/(1−p) (0 = off)' },
  connectivity: {
    kind: 'enum',
    values: ['dense', 'local', 'grid', 'conv'],
    help: "dense hidden layers, locally-connected H×W×C maps of the image's size (--layers must then be H·W·C each), grids of local receptive fields (--grid), or weight-shared convolutions (--layers: output channels per layer)",
  },
  window: { kind: 'int', min: 1, max: 99, help: 'local and conv: side K of the K×K window of each unit (odd; conv pads K//2)' },
  mapChannels: { kind: 'int', min: 1, max: 1000, help: 'local: units per map location' },
  grid: { kind: 'string', allowEmpty: true, help: 'grid: window/stride/channels per hidden layer, e.g. 10/6/128,2/1/220,2/1/512' },
  poolAfter: { kind: 'list', nullable: true, help: 'conv: 2×2 pooling (stride 2) after these 1-based hidden layers, e.g. 1,2,3' },
  pool: { kind: 'enum', values: ['max', 'avg'], help: 'conv: max or average pooling' },
  convStride: { kind: 'list', nullable: true, help: 'conv: stride per hidden layer, e.g. 1,2,1 (1..K; padding stays K//2, so stride 2 halves a map)' },
  convGroups: { kind: 'list', nullable: true, help: "conv: channel groups per hidden layer, e.g. 1,2,4,4 (each divides the layer's input and output channels; fewer multiply-adds, the same width)" },
  boxAfter: { kind: 'int', min: 0, max: 100, help: 'a black box (fixed random matrix + ReLU, unknown to the learner) after this 1-based hidden layer (0 = none; feed-forward dense nets)' },
  boxDrift: { kind: 'number', min: 0, max: 1, help: "the box's matrix drifts: a random-walk step of this size (× its initial std) per training step" },
  device: { kind: 'int', min: 1, max: 2 ** 32 - 1, help: 'simulated analog chip: which one (its fixed weight and gain variation)' },
  analogVariation: { kind: 'number', min: 0, max: 10, help: "σ of each hidden weight's fixed multiplicative variation on the chip" },
  analogGain: { kind: 'number', min: 0, max: 10, help: "σ of each hidden unit's fixed gain variation on the chip" },
  analogMulNoise: { kind: 'number', min: 0, max: 10, help: "σ of multiplicative noise on each unit's total input at every pass" },
  analogAddNoise: { kind: 'number', min: 0, max: 10, help: "σ of additive noise on each unit's total input at every pass" },
  analogWeightNoise: { kind: 'number', min: 0, max: 10, help: 'σ of multiplicative noise on every hidden weight at every pass' },
  analogDrift: { kind: 'number', min: 0, max: 1, help: "the chip's weight variation drifts: a multiplicative random-walk step of this σ per training step" },
};

/** The widest layer a list option accepts. */
export const MAX_WIDTH = 100_000;
const DIGITS = /^\d+$/;
/** A decimal with an optional fraction and exponent: 12, -0.5, .5, 1e-3. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parse one option value from a string; throws a one-line error naming the option. */
export function parseOptionValue(key: string, raw: string | boolean, specs: Record<string, Spec>): unknown {
  const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
  const name = `--${kebab(key)}`;
  if (!spec) throw new Error(`unknown option ${name}`);
  const s = String(raw).trim();
  if (spec.kind !== 'bool' && (spec as { nullable?: boolean }).nullable && (s === 'default' || s === 'null')) return null;
  switch (spec.kind) {
    case 'bool':
      if (raw === true || s === 'true' || s === '1' || s === 'yes') return true;
      if (s === 'false' || s === '0' || s === 'no') return false;
      throw new Error(`${name} must be true or false, got '${s}'`);
    case 'int':
    case 'number': {
      // Number() also reads 0x10, 0o7, 0b1 and Infinity: only plain decimals are values here.
      if (spec.kind === 'int' && !DIGITS.test(s)) throw new Error(`${name} must be an integer (digits only), got '${s}'`);
      const v = Number(s);
      if (!DECIMAL.test(s) || !Number.isFinite(v)) throw new Error(`${name} must be a decimal number, got '${s}'`);
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
        throw new Error(`${name} must be in [${spec.min}, ${spec.max}], got ${v}`);
      }
      return v;
    }
    case 'enum': {
      const hit = spec.values.find((x) => String(x) === s);
      if (hit === undefined) throw new Error(`${name} must be one of ${spec.values.join(', ')}, got '${s}'`);
      return hit;
    }
    case 'list': {
      const texts = s.split(',').map((p) => p.trim());
      const parts = texts.map(Number);
      if (texts.some((t) => !DIGITS.test(t)) || parts.some((v) => v < 1 || v > MAX_WIDTH)) {
        throw new Error(`${name} must be a comma-separated list of integers in 1..${MAX_WIDTH.toLocaleString('en-US')} (digits only), got '${s}'`);
      }
      return parts;
    }
    case 'string':
      if (!s && !spec.allowEmpty) throw new Error(`${name} must not be empty`);
      return s;
  }
}

/**
 * What a value should have been, or undefined when it has the type its option's spec names.
 * Ranges are not checked here: a checkpoint loads again even if a range has tightened since
 * it trained; the library's createFF checks them (api-checks.ts) as the CLI's parser does.
 */
export function specProblem(spec: Spec, v: unknown): string | undefined {
  if (v === null && 'nullable' in spec && spec.nullable) return undefined;
  switch (spec.kind) {
    case 'int':
      return isInteger(v) ? undefined : 'an integer';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : 'a number';
    case 'enum':
      return spec.values.includes(v as string | number) ? undefined : `one of ${spec.values.join(', ')}`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'true or false';
    case 'list':
      return Array.isArray(v) && v.length > 0 && v.every((x) => isInteger(x) && x >= 1) ? undefined : 'a list of positive integers';
    case 'string':
      if (spec.allowEmpty) return typeof v === 'string' ? undefined : 'a string';
      return typeof v === 'string' && v !== '' ? undefined : 'a non-empty string';
  }
}

function isInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/** Apply `key=value` overrides (already camelCase keys) onto a base config. */
export function applyOptions<T extends Record<string, unknown>>(base: T, overrides: Record<string, string | boolean>, specs: Record<string, Spec>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) out[k] = parseOptionValue(k, v, specs);
  return out as T;
}

/** Parse `--some-option value` pairs left over by the CLI parser into camelCase overrides. */
export function parseOverrideArgs(args: string[], specs: Record<string, Spec>): Record<string, string | boolean> {
  const byFlag = new Map(Object.keys(specs).map((k) => [`--${kebab(k)}`, k]));
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const key = byFlag.get(flag);
    if (!key) throw new Error(`unknown option ${flag}${a.startsWith('--') ? '' : ' (options look like --name value)'}`);
    const spec = specs[key];
    if (inline !== undefined) out[key] = inline;
    else if (spec.kind === 'bool' && (i + 1 >= args.length || args[i + 1].startsWith('--'))) out[key] = true;
    else if (i + 1 < args.length) out[key] = args[++i];
    else throw new Error(`option ${flag} needs a value`);
  }
  return out;
}

/** One help line per option: flag, help, [default]. */
export function optionHelp(specs: Record<string, Spec>, defaults: Record<string, unknown>): string {
  return Object.entries(specs)
    .map(([k, s]) => {
      const d = defaults[k];
      const dv = Array.isArray(d) ? d.join(',') : d === null ? 'default' : String(d);
      return `  --${kebab(k).padEnd(22)} ${s.help} [${dv}]`;
    })
    .join('\n');
}

export type { Spec as OptionSpec };
