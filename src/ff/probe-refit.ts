// Fresh linear probes fitted AFTER training, on the frozen net (the paper's protocol, SPEC §3:
// "afterwards a linear softmax is trained on the normalized activities of the last three
// hidden layers"). The online probes of linear-probe.ts learn while the features still move;
// this fit sees only the final features. Same head rule as the online probes (trainHead), on
// the same probe layers, the same training images, with its own epochs and Hinton schedule.
import { Rng } from '../engine/rng.js';
import type { ImageSet } from '../data/dataset.js';
import { Param, scheduleGain } from '../train/optimizer.js';
import type { FFNet } from './ff-net.js';
import { NEUTRAL } from './labelled-input.js';
import { PROBE } from './linear-probe.js';
import { labelsOnEngine, trainHead } from './softmax-step.js';

export const PROBE_REFIT_FILE = 'probe-refit.json';

/** What `ff probe` writes into the run directory (PROBE_REFIT_FILE): per probe, online and refit error on valid and test. */
export interface ProbeRefitReport {
  epochs: number;
  trainImages: number;
  seconds: number;
  valid: string;
  test: string;
  probes: { mode: string; online: Record<string, number>; refit: Record<string, number> }[];
}

export interface RefitOptions {
  epochs: number;
  batchSize?: number;
  /** Seed of the minibatch order (default the run's seed). */
  seed?: number;
  /** Called after each epoch: 1-based epoch, training error of the combined probe, seconds. */
  onEpoch?: (epoch: number, trainError: number, seconds: number) => void;
}

/** The refit heads: per probe mode ('probe', 'probe-layerK'), the layers it reads and its weights. */
export interface RefitProbes {
  modes: string[];
  layers: Map<string, number[]>;
  heads: Map<string, (Param | null)[]>;
}

/** Fit fresh (zero-initialised) probes on `train`'s images through the frozen `net`. */
export async function refitProbes(net: FFNet, train: ImageSet, opts: RefitOptions): Promise<RefitProbes> {
  if (net.heads.kind !== 'probes') throw new Error('probe refit needs an unsupervised run (--negative-data hybrid); supervised runs have their softmax');
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new Error(`--epochs must be a positive integer, got '${opts.epochs}'`);
  const probes = emptyProbes(net);
  const B = opts.batchSize ?? net.cfg.batchSize;
  const top = Math.max(...net.softmaxLayers) + 1;
  const rng = new Rng(opts.seed ?? net.cfg.seed);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const t0 = performance.now();
    rng.shuffle(order);
    // Slots 0, 1: the combined probe's loss and errors this epoch; 2, 3: the others' (unused).
    const tally = net.engine.tally(4);
    for (let start = 0; start < train.count; start += B) {
      const c = Math.min(B, train.count - start);
      const ws = net.workspace(c);
      const labels = new Uint8Array(c);
      for (let i = 0; i < c; i++) {
        const k = order[start + i];
        net.input.write(ws.host, i, train.images, k, NEUTRAL);
        labels[i] = train.labels[k];
      }
      const truth = labelsOnEngine(net, labels);
      net.upload(ws, 0, c);
      net.forward(ws, 0, c, top);
      const gain = scheduleGain('hinton', (epoch - 1 + (start + c / 2) / train.count) / opts.epochs);
      for (const mode of probes.modes) trainHead(net, ws, 0, truth, probes.layers.get(mode)!, probes.heads.get(mode)!, gain, tally, mode === PROBE ? 0 : 2);
    }
    const errors = (await net.engine.readTally(tally))[1];
    opts.onEpoch?.(epoch, errors / train.count, (performance.now() - t0) / 1000);
  }
  return probes;
}

/** Error rate of each refit probe on `set` (one label-free pass per chunk, every probe on it). */
export async function probeErrorRates(net: FFNet, probes: RefitProbes, set: ImageSet, chunk = 500): Promise<Map<string, number>> {
  const e = net.engine;
  const N = net.numClasses;
  const top = Math.max(...net.softmaxLayers) + 1;
  const wrong = new Map(probes.modes.map((m) => [m, 0]));
  for (let start = 0; start < set.count; start += chunk) {
    const c = Math.min(chunk, set.count - start);
    const ws = net.workspace(c);
    for (let i = 0; i < c; i++) net.input.write(ws.host, i, set.images, start + i, NEUTRAL);
    net.upload(ws, 0, c);
    net.forward(ws, 0, c, top);
    const logits = e.zeros(c, N);
    for (const mode of probes.modes) {
      net.logits(ws, 0, c, probes.layers.get(mode)!, logits, probes.heads.get(mode)!);
      const z = await e.read(logits);
      let errs = 0;
      for (let i = 0; i < c; i++) {
        let best = 0;
        for (let j = 1; j < N; j++) if (z[i * N + j] > z[i * N + best]) best = j;
        if (best !== set.labels[start + i]) errs++;
      }
      wrong.set(mode, wrong.get(mode)! + errs);
    }
    e.dispose(logits);
  }
  return new Map([...wrong].map(([m, w]) => [m, w / set.count]));
}

/**
 * Put the refit probes in place of the net's online ones, so that its classifiers ('probe',
 * 'probe-layerK') use them (ff probe --save-to). The heads' optimizer state stays the online
 * probes'; it matters only if training is resumed.
 */
export async function installProbes(net: FFNet, probes: RefitProbes): Promise<void> {
  const e = net.engine;
  for (const mode of probes.modes) {
    const target = mode === PROBE ? net.heads.combined : net.heads.alone;
    for (const l of probes.layers.get(mode)!) e.write(target[l]!.value, await e.read(probes.heads.get(mode)![l]!.value));
  }
}

/** Zero heads shaped like the net's own probes: one combined, one per probe layer. */
function emptyProbes(net: FFNet): RefitProbes {
  const fresh = (l: number, tag: string) => new Param(`refit.${tag}${l + 1}`, net.engine.zeros(net.softmax[l]!.value.rows, net.numClasses), net.engine, net.cfg);
  const none = () => new Array<Param | null>(net.numLayers).fill(null);
  const modes = [PROBE];
  const layers = new Map([[PROBE, net.softmaxLayers]]);
  const combined = none();
  for (const l of net.softmaxLayers) combined[l] = fresh(l, 'probe');
  const heads = new Map([[PROBE, combined]]);
  for (const l of net.softmaxLayers) {
    const mode = `probe-layer${l + 1}`;
    const alone = none();
    alone[l] = fresh(l, 'alone');
    modes.push(mode);
    layers.set(mode, [l]);
    heads.set(mode, alone);
  }
  return { modes, layers, heads };
}
