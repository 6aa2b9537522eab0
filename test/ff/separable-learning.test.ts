// The layer rule learns from P positive and N negative rows, either of which may be 0 (a
// sleep phase): one positive-only update raises every layer's goodness of those rows and a
// negative-only one lowers it (max-ssq; the reverse for min-ssq). SymBa, a loss on pairs,
// refuses P ≠ N in one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { FF_DEFAULTS, type FFConfig } from '../../src/ff/config.js';
import { FFNet } from '../../src/ff/ff-net.js';
import { emptyStats, readEpochSums } from '../../src/ff/epoch-tally.js';
import { LabelledInput } from '../../src/ff/labelled-input.js';
import { learnFromInputRows } from '../../src/ff/learn-from-rows.js';
import { rowLayout } from '../../src/ff/row-layout.js';
import { engines } from '../helpers/engines.js';

const D = 20; // the first 4 pixels hold the label
const N = 4;
const ROWS = 8;

function tinyNet(engine: Engine, cfg: Partial<FFConfig>): FFNet {
  // θ = 6: about the goodness of 12 ReLU units fed RMS-normalized rows at initialization
  // (half of them on, mean square 1), so positive and negative cases both have a gradient.
  const full: FFConfig = { ...FF_DEFAULTS, layers: [12, 12], threshold: 6, seed: 5, optimizer: 'momentum', momentum: 0, lr: 0.05, weightCost: 0, ...cfg };
  return new FFNet(engine, full, new LabelledInput(D, N, 'pixels', 1, null));
}

/** ROWS input rows: random (zero-mean, so unlike each other) images, each with a label. */
function inputRows(net: FFNet): Float32Array {
  const rng = new Rng(21);
  const images = Float32Array.from({ length: ROWS * D }, () => rng.normal());
  const host = new Float32Array(ROWS * net.inputSize);
  for (let i = 0; i < ROWS; i++) net.input.write(host, i, images, i, i % N);
  return host;
}

/** Per layer: Σ over the rows of the raw goodness, after one pass of `host`. */
async function goodness(net: FFNet, host: Float32Array): Promise<number[]> {
  const ws = net.workspace(ROWS);
  ws.host.set(host);
  net.upload(ws, 0, ROWS);
  net.forward(ws, 0, ROWS);
  const g = await Promise.all(ws.g.map((m) => net.engine.read(m)));
  return g.map((v) => v.reduce((a, b) => a + b, 0));
}

for (const engine of engines()) {
  for (const sign of ['max-ssq', 'min-ssq'] as const) {
    for (const kind of ['positive', 'negative'] as const) {
      test(`a ${kind}-only update ${(kind === 'positive') === (sign === 'max-ssq') ? 'raises' : 'lowers'} every layer's goodness of its rows (${sign}, ${engine.name})`, { timeout: 30_000 }, async () => {
        const net = tinyNet(engine, { goodness: sign });
        const host = inputRows(net);
        const layout = rowLayout({ positive: kind === 'positive' ? ROWS : 0, negative: kind === 'negative' ? ROWS : 0 });
        const before = await goodness(net, host);
        const peerBefore = await Promise.all(net.peerMeans.map((m) => engine.read(m)));
        const stats = emptyStats(engine, 2);
        await learnFromInputRows(net, host, layout, 1, stats);
        const after = await goodness(net, host);
        const up = (kind === 'positive') === (sign === 'max-ssq');
        before.forEach((g, l) => assert.ok(up ? after[l] > g : after[l] < g, `layer ${l + 1}: goodness ${g} → ${after[l]} should go ${up ? 'up' : 'down'}`));
        // Peer normalization follows positive rows only; pairs do not exist here.
        const peerAfter = await Promise.all(net.peerMeans.map((m) => engine.read(m)));
        peerAfter.forEach((m, l) => assert.equal(m.some((v, j) => v !== peerBefore[l][j]), kind === 'positive', `layer ${l + 1} peer means`));
        const sums = await readEpochSums(engine, stats);
        assert.deepEqual(sums.pairErrors, [0, 0]);
        assert.equal(sums.cases, ROWS);
        assert.ok(sums.ffLoss.every((x) => x > 0));
      });
    }
  }
}

test('P ≠ N (both present) learns with the logistic loss; SymBa refuses it in one line', { timeout: 30_000 }, async () => {
  const engine = engines()[0];
  const logistic = tinyNet(engine, {});
  const host = inputRows(logistic);
  const stats = emptyStats(engine, 2);
  await learnFromInputRows(logistic, host, rowLayout({ positive: 5, negative: 3 }), 1, stats);
  const sums = await readEpochSums(engine, stats);
  assert.deepEqual(sums.pairErrors, [0, 0], 'no pairs: no pair errors');
  assert.equal(sums.cases, 5);

  const symba = tinyNet(engine, { loss: 'symba' });
  for (const counts of [{ positive: ROWS, negative: 0 }, { positive: 0, negative: ROWS }, { positive: 5, negative: 3 }]) {
    await assert.rejects(learnFromInputRows(symba, host, rowLayout(counts), 1, emptyStats(engine, 2)), (err: Error) => {
      assert.match(err.message, /^--loss symba needs as many positive as negative rows \(got \d+ positive, \d+ negative\)/);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  }
  // Pairs are fine.
  await learnFromInputRows(symba, host, rowLayout({ positive: 4, negative: 4 }), 1, emptyStats(engine, 2));
});

test('learnFromInputRows checks its rows and refuses the recurrent net', { timeout: 30_000 }, async () => {
  const engine = engines()[0];
  const net = tinyNet(engine, {});
  await assert.rejects(learnFromInputRows(net, new Float32Array(3), rowLayout({ positive: 2, negative: 0 }), 1, emptyStats(engine, 2)), /3 input values for 2 rows of 20/);
  const recurrent = new FFNet(engine, { ...FF_DEFAULTS, layers: [6, 5], architecture: 'recurrent', iterations: 2 }, new LabelledInput(D, N, 'none', 1, null));
  await assert.rejects(learnFromInputRows(recurrent, new Float32Array(2 * D), rowLayout({ positive: 2, negative: 0 }), 1, emptyStats(engine, 2)), /recurrent net learns while it settles/);
});
