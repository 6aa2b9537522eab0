// The classifier of nets whose layers score classes themselves (--loss cwc): one label-free
// pass, each layer's class-group goodness as logits, and the prediction from the sum of the
// layers' log-probabilities over --goodness-layers ('groups'), over one layer alone
// ('groups-layerK': per-layer accuracy), or over a range of layers ('groups-layersI-J',
// DeeperForward's layer ensemble: the range is chosen on validation, `ff eval --split valid`).
// Every layer's logits come from the same pass, so validating all the modes after one another
// on the same images runs the pass once (a cache that any weight update invalidates).
import type { FFNet } from './ff-net.js';
import { ChannelGroupObjective } from './objectives/channel-groups.js';
import { NEUTRAL } from './labelled-input.js';

export const GROUPS_MODE = 'groups';

/** The net's layers score classes (their objective is cwc). */
export function scoresClassesPerLayer(net: FFNet): boolean {
  return net.layers[0].objective instanceof ChannelGroupObjective;
}

/** 'groups' and one 'groups-layerK' per hidden layer. */
export function groupModes(net: FFNet): string[] {
  return [GROUPS_MODE, ...net.layers.map((_, l) => `${GROUPS_MODE}-layer${l + 1}`)];
}

/**
 * One 'groups-layersI-J' per range of two or more consecutive hidden layers (1-based, I < J).
 * Not among the model's listed classifiers (validated every epoch, tested at the end of a run):
 * there are many, and which one to use is a choice made on validation with `ff eval`.
 */
export function groupRangeModes(net: FFNet): string[] {
  return rangeModesOf(net.numLayers);
}

/** The range modes of a net of `layers` hidden layers (`ff eval` knows a run by its classifiers). */
export function rangeModesOf(layers: number): string[] {
  const out: string[] = [];
  for (let i = 1; i <= layers; i++) for (let j = i + 1; j <= layers; j++) out.push(`${GROUPS_MODE}-layers${i}-${j}`);
  return out;
}

/** The 0-based layers a groups mode sums (null: not a groups mode of this net). */
export function groupModeLayers(net: FFNet, mode: string): number[] | null {
  if (mode === GROUPS_MODE) return net.goodnessLayers;
  const one = /^groups-layer(\d+)$/.exec(mode);
  if (one) {
    const l = Number(one[1]) - 1;
    return l >= 0 && l < net.numLayers ? [l] : null;
  }
  const range = /^groups-layers(\d+)-(\d+)$/.exec(mode);
  if (!range) return null;
  const [from, to] = [Number(range[1]) - 1, Number(range[2]) - 1];
  if (from < 0 || to >= net.numLayers || from >= to) return null;
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

interface Cached {
  images: Float32Array;
  count: number;
  version: number;
  /** Per layer, count × N log-probabilities. */
  logProbs: Float32Array[];
}
/** Per net, the passes of the last two image sets (an image set and its mirror images, --tta flip). */
const cache = new WeakMap<FFNet, Cached[]>();
const CACHED_SETS = 2;

/** count × N probabilities: softmax of the summed per-layer log-probabilities of `layers`. */
export async function groupScores(net: FFNet, images: Float32Array, count: number, layers: number[]): Promise<Float32Array> {
  const N = net.numClasses;
  const kept = (cache.get(net) ?? []).filter((c) => c.version === net.version);
  let hit = kept.find((c) => c.images === images && c.count === count);
  if (!hit) {
    hit = { images, count, version: net.version, logProbs: await layerLogProbs(net, images, count) };
    kept.unshift(hit);
  }
  cache.set(net, kept.slice(0, CACHED_SETS));
  const out = new Float32Array(count * N);
  for (const l of layers) for (let i = 0; i < out.length; i++) out[i] += hit.logProbs[l][i];
  for (let i = 0; i < count; i++) logSoftmaxInPlace(out.subarray(i * N, (i + 1) * N), true);
  return out;
}

/** Chunks of images through every layer: per layer, count × N log-softmax of its logits. */
async function layerLogProbs(net: FFNet, images: Float32Array, count: number): Promise<Float32Array[]> {
  const N = net.numClasses;
  const D = net.input.imageSize;
  const out = net.layers.map(() => new Float32Array(count * N));
  for (let start = 0; start < count; start += CHUNK) {
    const c = Math.min(CHUNK, count - start);
    const ws = net.workspace(c);
    for (let i = 0; i < c; i++) net.input.write(ws.host, i, images.subarray(start * D, (start + c) * D), i, NEUTRAL);
    net.upload(ws, 0, c);
    net.forward(ws, 0, c);
    const measured = await Promise.all(net.layers.map((layer, l) => net.engine.read(layer.objective.measurement(ws.y[l], ws.g[l]))));
    net.layers.forEach((layer, l) => {
      const logits = (layer.objective as ChannelGroupObjective).logits(measured[l]);
      for (let i = 0; i < c; i++) logSoftmaxInPlace(logits.subarray(i * N, (i + 1) * N), false);
      out[l].set(logits, start * N);
    });
  }
  return out;
}

/** Images per pass: large products without large buffers. */
const CHUNK = 100;

/** x ← log softmax(x), or softmax(x) when `probabilities`. */
function logSoftmaxInPlace(x: Float32Array, probabilities: boolean): void {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  let sum = 0;
  for (const v of x) sum += Math.exp(v - max);
  const logSum = Math.log(sum) + max;
  for (let k = 0; k < x.length; k++) x[k] = probabilities ? Math.exp(x[k] - logSum) : x[k] - logSum;
}
