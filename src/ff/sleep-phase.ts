// The sleep phase of SPEC §6 ("self-generated" negatives, used offline): after an epoch of
// wake minibatches (positive-only updates on the real text; the online softmax learns as
// usual), the model continues every training string from its first context, sampling each
// next symbol from its own softmax, and then learns from the generated windows as negatives
// alone. The paper reported it could not replicate this separated-phase result; this runs it
// so a user can see what it does.
//
// Sequences are the aesop dataset's form: a context is a 1×L strip of S one-hot channels
// (channel-planar, value c·L + t), the label the next symbol; `sequenceStarts` marks the
// window of each string whose context is the string's first L symbols.
import type { ImageSet } from '../data/dataset.js';
import type { Rng } from '../engine/rng.js';
import { softmaxScores } from './classify.js';
import type { FFEpochStats } from './ff-step.js';
import type { FFNet } from './ff-net.js';
import { sampleTeacherForced } from './labels.js';
import { learnFromInputRows } from './learn-from-rows.js';
import { rowLayout, writeCases } from './row-layout.js';

/** Generated windows: `count` contexts (strips) and the symbol generated after each. */
export interface GeneratedWindows {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Why a set cannot be continued, or undefined when it is a sequence set (a one-line reason). */
export function sequenceProblem(set: Pick<ImageSet, 'height' | 'sequenceStarts'>): string | undefined {
  if (!set.sequenceStarts || set.sequenceStarts.length === 0) return 'self-generated negatives need a dataset of sequences (--dataset aesop)';
  if (set.height !== 1) return 'self-generated negatives need contexts as 1×L strips of one-hot channels';
  return undefined;
}

/** The strip shifted one symbol to the left, `symbol` appended (channel-planar, L positions, S channels). */
export function shiftStrip(src: Float32Array, so: number, dst: Float32Array, dO: number, L: number, S: number, symbol: number): void {
  for (let c = 0; c < S; c++) {
    for (let t = 0; t < L - 1; t++) dst[dO + c * L + t] = src[so + c * L + t + 1];
    dst[dO + c * L + L - 1] = c === symbol ? 1 : 0;
  }
}

/**
 * Continues each string of `set` for as many steps as it has windows, sampling from the
 * softmax at `temperature`: window k of string s is (its context so far, the symbol sampled).
 */
export async function generateContinuations(net: FFNet, set: ImageSet, temperature: number, rng: Rng): Promise<GeneratedWindows> {
  const why = sequenceProblem(set);
  if (why) throw new Error(why);
  const starts = set.sequenceStarts!;
  const n = starts.length;
  const L = set.width;
  const S = set.channels;
  const D = L * S;
  const steps = Array.from(starts, (s, i) => (i + 1 < n ? starts[i + 1] : set.count) - s);
  const longest = Math.max(...steps);
  let ctx = new Float32Array(n * D);
  for (let i = 0; i < n; i++) ctx.set(set.images.subarray(starts[i] * D, (starts[i] + 1) * D), i * D);
  let next = new Float32Array(n * D);
  const total = steps.reduce((a, b) => a + b, 0);
  const images = new Float32Array(total * D);
  const labels = new Uint8Array(total);
  const offset = Int32Array.from(steps, (_, i) => steps.slice(0, i).reduce((a, b) => a + b, 0));
  const sampled = new Int32Array(n);
  for (let k = 0; k < longest; k++) {
    const probs = await softmaxScores(net, ctx, n);
    sampleTeacherForced(probs, net.numClasses, temperature, rng, sampled);
    for (let i = 0; i < n; i++) {
      if (k < steps[i]) {
        images.set(ctx.subarray(i * D, (i + 1) * D), (offset[i] + k) * D);
        labels[offset[i] + k] = sampled[i];
      }
      shiftStrip(ctx, i * D, next, i * D, L, S, sampled[i]);
    }
    [ctx, next] = [next, ctx];
  }
  return { images, labels, count: total };
}

/** `set` with only `n` of its strings (drawn at random; all of them, in order, when n is their number). */
function someStrings(set: ImageSet, n: number, rng: Rng): ImageSet {
  const starts = set.sequenceStarts!;
  if (n >= starts.length) return set;
  // Each chosen string keeps its windows; they are gathered into a set of their own.
  const chosen = rng.shuffle(Array.from(starts.keys())).slice(0, n).sort((a, b) => a - b);
  const D = set.height * set.width * set.channels;
  const ranges = chosen.map((i) => [starts[i], i + 1 < starts.length ? starts[i + 1] : set.count] as const);
  const count = ranges.reduce((a, [s, e]) => a + e - s, 0);
  const images = new Float32Array(count * D);
  const labels = new Uint8Array(count);
  const newStarts = new Uint32Array(n);
  let at = 0;
  ranges.forEach(([s, e], k) => {
    newStarts[k] = at;
    images.set(set.images.subarray(s * D, e * D), at * D);
    labels.set(set.labels.subarray(s, e), at);
    at += e - s;
  });
  return { ...set, images, labels, count, sequenceStarts: newStarts };
}

/**
 * The sleep phase: generate continuations of the training strings, then negative-only
 * updates of every layer from them, in shuffled minibatches of the run's batch size.
 */
export async function sleepPhase(net: FFNet, train: ImageSet, gain: number, stats: FFEpochStats, temperature = 1, strings = train.sequenceStarts?.length ?? 0): Promise<void> {
  const g = await generateContinuations(net, someStrings(train, strings, net.rng), temperature, net.rng);
  const cases = stats.cases;
  const D = train.width * train.channels;
  const B = net.cfg.batchSize;
  const order = Array.from({ length: g.count }, (_, i) => i);
  net.rng.shuffle(order);
  const images = new Float32Array(B * D);
  const labels = new Int32Array(B);
  const hostRows = new Float32Array(B * net.inputSize);
  for (let b = 0; b < g.count; b += B) {
    const count = Math.min(B, g.count - b);
    for (let i = 0; i < count; i++) {
      const w = order[b + i];
      images.set(g.images.subarray(w * D, (w + 1) * D), i * D);
      labels[i] = g.labels[w];
    }
    const layout = rowLayout({ positive: 0, negative: count });
    const host = hostRows.subarray(0, count * net.inputSize);
    writeCases(net.input, host, layout.negative, images, labels.subarray(0, count));
    await learnFromInputRows(net, host, layout, gain, stats);
  }
  // The epoch's means are per minibatch case (a wake case and its sleep counterpart make one
  // pair, as a positive and its negative do): the sleep adds losses, not cases.
  stats.cases = cases;
}
