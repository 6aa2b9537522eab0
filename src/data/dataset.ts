// The in-memory form every dataset loader produces, and small helpers on it.
//
// Images are float32 in [0, 1], one image after another (row-major within an image). Colour
// images are channel-planar like CIFAR-10's files: all red pixels, then all green, then all
// blue. Splits that come from the same file share memory (they are views, see `subset`).

/** A set of equally sized images with integer labels. */
export interface ImageSet {
  /** count × (height·width·channels) values in [0, 1]. */
  images: Float32Array;
  /** count labels, each < numClasses of the dataset. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  /**
   * Sequence datasets (aesop): the indices of the windows whose context is a string's first
   * symbols, in order; each string's windows follow its start. Absent for images.
   */
  sequenceStarts?: Uint32Array;
  /**
   * Soft targets (count × classes, rows summing to 1) instead of labels for training: each
   * presentation's label is drawn from its row, so a student learns a teacher's outputs
   * (distillation) with any learning rule that takes labels.
   */
  targets?: Float32Array;
}

/** A dataset cut into training, validation and test sets. */
export interface DatasetSplits {
  /** Registry name: 'mnist', 'fashion-mnist' or 'cifar-10'. */
  name: string;
  numClasses: number;
  classNames: string[];
  train: ImageSet;
  valid: ImageSet;
  test: ImageSet;
  /** What the test set is, for reports ("official test set", "official test images 0–999"). */
  testDescription: string;
  /** What the validation set is, for reports. */
  validDescription: string;
  /** True when valid's images are also in train (trainOnAll), so valid scores are not held-out. */
  validOverlapsTrain: boolean;
  /** The directory the files were read from. */
  dir: string;
}

/** Values per image: height·width·channels. */
export function imageSize(set: ImageSet): number {
  return set.height * set.width * set.channels;
}

/** Images start .. start+count−1 of `set`, as views that share its memory (no copy). */
export function subset(set: ImageSet, start: number, count: number): ImageSet {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > set.count) {
    throw new Error(`subset ${start}+${count} is outside the set of ${set.count} images`);
  }
  const n = imageSize(set);
  return {
    images: set.images.subarray(start * n, (start + count) * n),
    labels: set.labels.subarray(start, start + count),
    count,
    height: set.height,
    width: set.width,
    channels: set.channels,
    ...(set.sequenceStarts ? { sequenceStarts: set.sequenceStarts.filter((i) => i >= start && i < start + count).map((i) => i - start) } : {}),
    ...(set.targets ? { targets: set.targets.subarray(start * (set.targets.length / set.count), (start + count) * (set.targets.length / set.count)) } : {}),
  };
}

/** Converts bytes 0..255 to floats 0..1 in one pass. */
export function bytesToUnitFloats(bytes: Uint8Array, out: Float32Array = new Float32Array(bytes.length), offset = 0): Float32Array {
  for (let i = 0; i < bytes.length; i++) out[offset + i] = bytes[i] / 255;
  return out;
}

/** Count of each label 0..numClasses−1 in a set. */
export function labelCounts(set: ImageSet, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < set.count; i++) counts[set.labels[i]]++;
  return counts;
}

/**
 * A dataset as read from disk, before it is cut into splits: every training image (in file
 * order) and the test set. Loaders return this; `makeSplits` cuts it. Registry caches it.
 */
export interface LoadedDataset {
  name: string;
  numClasses: number;
  classNames: string[];
  /** The whole official training set, in file order. */
  trainAll: ImageSet;
  test: ImageSet;
  testDescription: string;
  /** How many images at the END of trainAll form the validation set. */
  validCount: number;
  dir: string;
}

/**
 * train = the first trainAll.count − validCount training images, valid = the last validCount.
 * With trainOnAll, train = all of them and valid (the same last images) overlaps train.
 */
export function makeSplits(d: LoadedDataset, trainOnAll = false): DatasetSplits {
  const n = d.trainAll.count;
  const heldOut = n - d.validCount;
  const fmt = (k: number) => k.toLocaleString('en-US');
  const valid = subset(d.trainAll, heldOut, d.validCount);
  return {
    name: d.name,
    numClasses: d.numClasses,
    classNames: d.classNames,
    train: trainOnAll ? d.trainAll : subset(d.trainAll, 0, heldOut),
    valid,
    test: d.test,
    testDescription: d.testDescription,
    validDescription: trainOnAll
      ? `last ${fmt(d.validCount)} of the official training set (ALSO IN TRAIN: not held out)`
      : `last ${fmt(d.validCount)} of the official training set (held out)`,
    validOverlapsTrain: trainOnAll,
    dir: d.dir,
  };
}
