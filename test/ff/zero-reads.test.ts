// Issue 33: a training step reads nothing back from the engine. Every supervised FF minibatch
// used to make 1 + 2L blocking reads (the softmax's probabilities, each layer's goodness and
// positive column sums; a recurrent one 1 + 2 × iterations), each of which stalls a GPU's
// queue. Now the head's gradient, the negative labels, the label units, the objectives'
// coefficients and peer normalization are engine kernels and the sums go to a tally read once
// per epoch. Counted here on every engine for the feed-forward (hard, teacher-forced, random +
// SymBa, channel groups, a conv net with label pixels in a channels-last map, the same with
// hidden dropout, whose masks are hashed on the engine from counters), unsupervised
// and recurrent steps; the conv case also checks that the labels set on the engine are where
// the host would have written them.
import assert from 'node:assert/strict';
import type { Engine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { emptyStats, readEpochSums } from '../../src/ff/epoch-tally.js';
import { FFNet } from '../../src/ff/ff-net.js';
import type { Batch } from '../../src/ff/ff-step.js';
import { LabelledInput, resolveLabelPlacement } from '../../src/ff/labelled-input.js';
import { negativeLabels } from '../../src/ff/softmax-step.js';
import { labelledLayout } from '../../src/ff/row-layout.js';
import { conformance } from '../helpers/conformance.js';

const N = 4;
const B = 6;
const STEPS = 3;

interface Case {
  name: string;
  cfg: Partial<FFConfig>;
  shape: { height: number; width: number; channels: number };
}

const CASES: Case[] = [
  { name: 'hard negatives, logistic, peer normalization', cfg: {}, shape: { height: 4, width: 5, channels: 1 } },
  { name: 'teacher-forced negatives', cfg: { negatives: 'teacher-forced' }, shape: { height: 4, width: 5, channels: 1 } },
  { name: 'random negatives, SymBa', cfg: { negatives: 'random', loss: 'symba' }, shape: { height: 4, width: 5, channels: 1 } },
  { name: 'channel groups (cwc)', cfg: { loss: 'cwc', threshold: null, peerLambda: 0 }, shape: { height: 4, width: 5, channels: 1 } },
  { name: 'conv net, hard negatives in label pixels, channels last', cfg: { connectivity: 'conv', window: 3, layers: [4, 4] }, shape: { height: 4, width: 4, channels: 3 } },
  { name: 'hidden dropout (conv net, hard negatives, masks hashed on the engine)', cfg: { connectivity: 'conv', window: 3, layers: [4, 4], dropout: 0.2 }, shape: { height: 4, width: 4, channels: 3 } },
  { name: 'unsupervised (hybrid negatives, probes)', cfg: { negativeData: 'hybrid', blurPasses: 1 }, shape: { height: 4, width: 5, channels: 1 } },
  { name: 'recurrent (2 iterations)', cfg: { architecture: 'recurrent', iterations: 2, gradientFrom: 1 }, shape: { height: 4, width: 5, channels: 1 } },
];

function batchOf(rng: Rng, D: number): Batch {
  return { images: Float32Array.from({ length: B * D }, () => rng.uniform()), labels: Uint8Array.from({ length: B }, () => rng.int(N)), count: B };
}

/** Counts the engine's reads (matrix and tally) while `body` runs. */
async function countReads(e: Engine, body: () => void | Promise<void>): Promise<number> {
  let reads = 0;
  const read = e.read;
  const readTally = e.readTally;
  e.read = (m) => (reads++, read.call(e, m));
  e.readTally = (t) => (reads++, readTally.call(e, t));
  try {
    await body();
  } finally {
    // Back to the prototype's methods.
    delete (e as { read?: unknown }).read;
    delete (e as { readTally?: unknown }).readTally;
  }
  return reads;
}

for (const c of CASES) {
  conformance(`zero reads per minibatch: ${c.name}`, async (e, rng) => {
    const cfg: FFConfig = { ...FF_DEFAULTS, layers: [8, 8], softmaxLayers: [1, 2], seed: 3, ...c.cfg };
    const { height, width, channels } = c.shape;
    const D = height * width * channels;
    const input = new LabelledInput(D, N, resolveLabelPlacement(cfg, channels), cfg.labelStrength, null);
    const net = new FFNet(e, cfg, input, c.shape);
    const stats = emptyStats(e, cfg.layers.length, net.dynamics.talliedIterations);
    const batches = Array.from({ length: STEPS }, () => batchOf(rng, D));
    const reads = await countReads(e, () => {
      for (const b of batches) net.dynamics.trainStep(b, 1, stats);
    });
    assert.equal(reads, 0, `${reads} reads in ${STEPS} minibatches`);
    // What the epoch reads once: finite sums over every case.
    const sums = await readEpochSums(e, stats);
    assert.equal(sums.cases, STEPS * B);
    for (const v of [...sums.ffLoss, sums.softmaxLoss]) assert.ok(Number.isFinite(v) && v > 0, `sums ${JSON.stringify(sums)}`);

    if (cfg.connectivity === 'conv') {
      // The last minibatch's negative rows on the engine = the host's rows with the drawn labels, made channels last.
      const layout = labelledLayout(B);
      const ws = net.workspace(layout.rows);
      const drawn = await e.read(negativeLabels(net, B));
      const last = batches[STEPS - 1];
      const host = new Float32Array(B * D);
      for (let i = 0; i < B; i++) input.write(host, i, last.images, i, drawn[i]);
      const plane = height * width;
      const want = new Float32Array(B * D);
      for (let i = 0; i < B; i++) for (let ch = 0; ch < channels; ch++) for (let p = 0; p < plane; p++) want[i * D + p * channels + ch] = host[i * D + ch * plane + p];
      const got = await e.read(e.rowView(ws.x, layout.negative.start, B));
      assert.deepEqual(Array.from(got), Array.from(want));
      assert.ok(drawn.every((l, i) => l !== last.labels[i]), 'hard negatives: wrong labels');
    }
  });
}
