// What live training is pushing apart, measured in the worker between minibatches: the goodness
// each hidden layer gives positive data (an image with its right label, or for an unsupervised
// run a real image) and negative data (the image with a wrong label drawn as training draws it —
// from the one-pass softmax over the wrong labels — or a hybrid image). A few cases from the
// current minibatch position are shown with their images; a fixed held-out set gives the
// per-layer histograms.
import { Rng, makeHybrids, softmaxScores, type FFNet, type ImageSet } from '../src/core.js';
import { sampleHardNegatives } from '../src/ff/labels.js';

const D = 784;

export interface GoodnessSample {
  /** The positive and the negative images (count × 784 each). */
  posImages: Float32Array;
  negImages: Float32Array;
  /** Their labels (the negatives' wrong ones); none for an unsupervised run. */
  posLabels: number[];
  negLabels: number[];
  /** goodness[l][i]: hidden layer l's goodness for case i, as the config defines it. */
  posGoodness: number[][];
  negGoodness: number[][];
}

export interface LiveGoodness {
  /** A few cases of the minibatch training is at, with their images. */
  examples: GoodnessSample;
  /** Held-out cases for the histograms (images dropped). */
  histogram: Pick<GoodnessSample, 'posGoodness' | 'negGoodness'>;
  thresholds: number[];
  higherIsBetter: boolean;
}

/** Each hidden layer's goodness for rows (image i of `images` with `labels[i]`). */
async function rowGoodness(net: FFNet, images: Float32Array, labels: ArrayLike<number>, count: number): Promise<number[][]> {
  const e = net.engine;
  const ws = net.workspace(count);
  for (let i = 0; i < count; i++) net.input.write(ws.host, i, images, i, labels[i]);
  net.upload(ws, 0, count);
  net.forward(ws, 0, count);
  const sums = await Promise.all(net.cfg.layers.map((_, l) => e.read(e.rowView(ws.g[l], 0, count))));
  return sums.map((s, l) => Array.from(s, (v) => net.goodness(v, l)));
}

/** `count` images of `split` from `start`: positives and negatives, and each layer's goodness for both. */
async function sample(net: FFNet, split: ImageSet, start: number, count: number, rng: Rng, blurPasses: number): Promise<GoodnessSample> {
  const posImages = split.images.slice(start * D, (start + count) * D);
  const labels = split.labels.slice(start, start + count);
  let negImages = posImages;
  const negLabels = new Int32Array(count);
  const unsupervised = net.heads.kind === 'probes';
  if (unsupervised) {
    negImages = makeHybrids(posImages, count, { height: 28, width: 28, channels: 1 }, blurPasses, rng).images.slice();
  } else {
    sampleHardNegatives(await softmaxScores(net, posImages, count), labels, net.numClasses, rng, negLabels);
  }
  return {
    posImages,
    negImages,
    posLabels: unsupervised ? [] : Array.from(labels),
    negLabels: unsupervised ? [] : Array.from(negLabels),
    posGoodness: await rowGoodness(net, posImages, labels, count),
    negGoodness: await rowGoodness(net, negImages, negLabels, count),
  };
}

/**
 * The examples at `position` of the training images and the histograms over the first `heldOut`
 * validation images. Its own random streams: training's are untouched.
 */
export async function liveGoodness(net: FFNet, train: ImageSet, valid: ImageSet, position: number, shown: number, heldOut: number, blurPasses: number): Promise<LiveGoodness> {
  const at = position % Math.max(1, train.count - shown);
  const examples = await sample(net, train, at, shown, new Rng(position + 1), blurPasses);
  const all = await sample(net, valid, 0, Math.min(heldOut, valid.count), new Rng(7), blurPasses);
  return {
    examples,
    histogram: { posGoodness: all.posGoodness, negGoodness: all.negGoodness },
    thresholds: net.cfg.layers.map((_, l) => net.threshold(l)),
    higherIsBetter: net.cfg.goodness !== 'min-ssq',
  };
}
