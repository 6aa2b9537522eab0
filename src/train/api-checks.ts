// The library API's argument checks (createFF, train, TrainingSession, classify, predict,
// evaluate): a bad call fails at once with one line naming the argument, instead of hanging
// (batch size 0), throwing from deep inside a typed array (a layer of −5 units), reporting a
// wrong label as "training diverged", or returning predictions for images of the wrong size.
// Each public entry point checks its arguments once per call; the per-element work is one O(n)
// pass over the inputs (finite values, labels in range), never per minibatch.
import { imageSize, type DatasetSplits, type ImageSet } from '../data/dataset.js';
import { messageValue } from '../util/message-value.js';

/** A value in a message: numbers as JavaScript prints them (NaN, not JSON's null), the rest quoted if odd. */
function shown(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return messageValue(v);
  } catch {
    return typeof v; // a circular object or a BigInt: JSON cannot write it
  }
}
import type { TrainableModel } from './model.js';
import { kebab, MAX_WIDTH, specProblem, type OptionSpec } from './options.js';
import type { InputShape } from './run-config.js';

/** Config keys that record where a run came from rather than set an option (the CLI adds preset). */
const RECORD_KEYS = ['algo', 'preset'];

/** Options a caller set that its option table does not know (a typo such as batchsize), refused. */
export function checkKnownOptions(given: Iterable<string>, specs: Record<string, OptionSpec>, what: string): void {
  for (const k of given) {
    if (!RECORD_KEYS.includes(k) && !Object.hasOwn(specs, k)) {
      throw new Error(`${what}: unknown option ${messageValue(k)} (options are config fields such as ${Object.keys(specs).slice(0, 4).join(', ')})`);
    }
  }
}

/**
 * A model config's values against its option table (the one the CLI parses with): each of its
 * kind and within its option's range. A key the config lacks is skipped (configs rebuilt from
 * older checkpoints lack newer options; the model fills them in). `what` names the call.
 */
export function checkConfigValues(cfg: Record<string, unknown>, specs: Record<string, OptionSpec>, what: string): void {
  for (const [key, spec] of Object.entries(specs)) {
    const v = cfg[key];
    if (v === undefined) continue;
    const expected = specProblem(spec, v);
    if (expected) throw new Error(`${what}: ${key} must be ${expected}, got ${shown(v)}`);
    if ((spec.kind === 'int' || spec.kind === 'number') && v !== null) {
      const x = v as number;
      if ((spec.min !== undefined && x < spec.min) || (spec.max !== undefined && x > spec.max)) {
        throw new Error(`${what}: ${key} must be ${spec.kind === 'int' ? 'an integer' : 'a number'} in [${spec.min}, ${spec.max}], got ${x} (as --${kebab(key)} on the command line)`);
      }
    }
    if (spec.kind === 'list' && Array.isArray(v) && v.some((x: number) => x > MAX_WIDTH)) {
      throw new Error(`${what}: ${key} must list integers in 1..${MAX_WIDTH}, got ${shown(v)}`);
    }
  }
}

function isCount(x: unknown, min = 0): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min;
}

/** The index of the first non-finite value among the first n, or −1. */
function firstNonFinite(a: Float32Array, n: number): number {
  for (let i = 0; i < n; i++) {
    // x − x is 0 for finite x and NaN for ±∞ and NaN: one compare per value.
    const x = a[i];
    if (x - x !== 0) return i;
  }
  return -1;
}

/**
 * `count` images of `D` values each, as classify/predict read them: a Float32Array holding at
 * least count·D values (callers may pass a longer set and a smaller count), all finite.
 */
export function checkImages(images: unknown, count: unknown, D: number, what: string): asserts images is Float32Array {
  if (!isCount(count)) throw new Error(`${what}: count must be a non-negative integer, got ${shown(count)}`);
  if (!(images instanceof Float32Array)) throw new Error(`${what}: images must be a Float32Array, got ${images === null ? 'null' : typeof images === 'object' ? images.constructor.name : typeof images}`);
  if (images.length < count * D) {
    throw new Error(`${what}: ${count} image${count === 1 ? '' : 's'} of ${D} values need ${count * D} values, got ${images.length} (images of another size than the model's input?)`);
  }
  const bad = firstNonFinite(images, count * D);
  if (bad >= 0) throw new Error(`${what}: image ${Math.floor(bad / D)} holds ${images[bad]} at value ${bad % D} (inputs must be finite)`);
}

/** An image set's own consistency: images and labels sized by its count and shape, labels below numClasses. */
function checkSetShape(set: ImageSet, numClasses: number, what: string): void {
  if (!set || typeof set !== 'object') throw new Error(`${what} must be an image set ({ images, labels, count, height, width, channels })`);
  for (const k of ['height', 'width', 'channels'] as const) {
    if (!isCount(set[k], 1)) throw new Error(`${what}.${k} must be a positive integer, got ${shown(set[k])}`);
  }
  if (!isCount(set.count)) throw new Error(`${what}.count must be a non-negative integer, got ${shown(set.count)}`);
  const D = imageSize(set);
  if (!(set.images instanceof Float32Array) || set.images.length !== set.count * D) {
    const got = set.images instanceof Float32Array ? `${set.images.length} values` : 'no Float32Array';
    throw new Error(`${what}: ${set.count} images of ${set.height}×${set.width}×${set.channels} need ${set.count * D} values in images, got ${got}`);
  }
  if (!(set.labels instanceof Uint8Array) || set.labels.length !== set.count) {
    const got = set.labels instanceof Uint8Array ? `${set.labels.length} labels` : 'no Uint8Array of labels';
    throw new Error(`${what}: ${set.count} images need ${set.count} labels, got ${got}`);
  }
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i] >= numClasses) throw new Error(`${what}: label ${i} is ${set.labels[i]}, but the data has ${numClasses} classes (0..${numClasses - 1})`);
  }
}

function checkNumClasses(numClasses: unknown, what: string): asserts numClasses is number {
  // Predictions are bytes: at most 256 classes.
  if (!isCount(numClasses, 2) || numClasses > 256) throw new Error(`${what}: numClasses must be an integer in [2, 256], got ${shown(numClasses)}`);
}

/** evaluate(model, set, numClasses, …): the set's sizes and labels (predict checks the pixels). */
export function checkEvaluationSet(set: ImageSet, numClasses: unknown, what: string): void {
  checkNumClasses(numClasses, what);
  checkSetShape(set, numClasses, `${what}: set`);
}

/** createFF(options, data): the splits a model is sized from (the training set's shape and labels). */
export function checkDataShape(data: DatasetSplits, what: string): void {
  if (!data || typeof data !== 'object') throw new Error(`${what}: data must be dataset splits ({ name, numClasses, train, valid, test, … })`);
  checkNumClasses(data.numClasses, `${what}: data`);
  checkSetShape(data.train, data.numClasses, `${what}: data.train`);
}

/** Options of train() / TrainingSession that count epochs. */
export interface EpochOptions {
  startEpoch?: number;
  stopAfter?: number;
  elapsedBefore?: number;
}

/**
 * train(model, data, opts) / new TrainingSession(…): the model's loop settings, the data's
 * splits (sizes, labels, finite training images) and that they fit the model's input.
 */
export function checkTrainingRun(model: TrainableModel, data: DatasetSplits, opts: EpochOptions, what: string): void {
  const cfg = model.cfg;
  if (!isCount(cfg.batchSize, 1)) throw new Error(`${what}: batchSize must be an integer ≥ 1, got ${shown(cfg.batchSize)}`);
  if (!isCount(cfg.epochs, 1)) throw new Error(`${what}: epochs must be an integer ≥ 1, got ${shown(cfg.epochs)}`);
  if (!(cfg.lr >= 0 && Number.isFinite(cfg.lr))) throw new Error(`${what}: lr must be a finite number ≥ 0, got ${shown(cfg.lr)}`);
  for (const k of ['trainSubset', 'evalSubset', 'evalEvery', 'jitter'] as const) {
    if (!isCount(cfg[k])) throw new Error(`${what}: ${k} must be a non-negative integer, got ${shown(cfg[k])}`);
  }
  // Newer than some configs (a model rebuilt by hand from an old one): absent means off.
  if (cfg.crop !== undefined && !isCount(cfg.crop)) throw new Error(`${what}: crop must be a non-negative integer, got ${shown(cfg.crop)}`);
  if (cfg.flip !== undefined && typeof cfg.flip !== 'boolean') throw new Error(`${what}: flip must be true or false, got ${shown(cfg.flip)}`);
  if (opts.startEpoch !== undefined && !isCount(opts.startEpoch, 1)) throw new Error(`${what}: startEpoch must be an integer ≥ 1, got ${shown(opts.startEpoch)}`);
  if (opts.stopAfter !== undefined && !isCount(opts.stopAfter, 1)) throw new Error(`${what}: stopAfter must be an integer ≥ 1, got ${shown(opts.stopAfter)}`);
  if (opts.elapsedBefore !== undefined && !(opts.elapsedBefore >= 0 && Number.isFinite(opts.elapsedBefore))) {
    throw new Error(`${what}: elapsedBefore must be a finite number ≥ 0, got ${shown(opts.elapsedBefore)}`);
  }
  checkDataShape(data, what);
  checkSetShape(data.valid, data.numClasses, `${what}: data.valid`);
  if (data.train.count === 0) throw new Error(`${what}: data.train has no images`);
  // Every run validates after its last epoch: an empty set would report NaN as "diverged".
  if (data.valid.count === 0) throw new Error(`${what}: data.valid has no images (the loop validates after the last epoch)`);
  checkFits(model.shape, data, what);
  const bad = firstNonFinite(data.train.images, data.train.images.length);
  if (bad >= 0) {
    const D = imageSize(data.train);
    throw new Error(`${what}: data.train image ${Math.floor(bad / D)} holds ${data.train.images[bad]} at value ${bad % D} (inputs must be finite)`);
  }
}

/** The data's images and classes are those the model was built for. */
function checkFits(shape: InputShape, data: DatasetSplits, what: string): void {
  for (const [name, set] of [['train', data.train], ['valid', data.valid]] as const) {
    if (set.height !== shape.height || set.width !== shape.width || set.channels !== shape.channels) {
      throw new Error(
        `${what}: data.${name} holds ${set.height}×${set.width}×${set.channels} images, but the model reads ${shape.height}×${shape.width}×${shape.channels}`,
      );
    }
  }
  if (data.numClasses !== shape.numClasses) throw new Error(`${what}: data has ${data.numClasses} classes, but the model tells ${shape.numClasses} apart`);
}
