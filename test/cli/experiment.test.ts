// `ff experiment`: the black-box and analog experiments end to end on tiny nets — every member
// an ordinary run directory, the table with per-chip columns, distillation from a teacher's
// outputs, a second invocation reusing the finished runs — and the experiments' definitions.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runStageExperiment } from '../../src/cli/experiment.js';
import { getStageExperiment, type StageExperiment } from '../../src/experiments/stage-experiments.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';

/** The experiment `name` shrunk to 2 epochs of 64-unit layers on 1,000 images. */
function tiny(name: string, keys: string[]): StageExperiment {
  const x = getStageExperiment(name, true);
  return { ...x, base: { ...x.base, layers: [64, 64], epochs: 2, batchSize: 50, trainSubset: 1000, evalSubset: 200 }, members: x.members.filter((m) => keys.includes(m.key)) };
}

test('the experiments are defined for both algorithms and their configs are valid', () => {
  for (const name of ['blackbox', 'analog']) {
    for (const quick of [true, false]) {
      const x = getStageExperiment(name, quick);
      assert.ok(x.members.some((m) => m.algo === 'ff') && x.members.some((m) => m.algo === 'bp'));
      for (const m of x.members) {
        const algo = getAlgorithm(m.algo);
        for (const k of Object.keys({ ...x.base, ...m.config })) assert.ok(k in algo.specs, `${x.name}/${m.key}: ${k} is not an option of ${m.algo}`);
      }
    }
  }
  assert.throws(() => getStageExperiment('nope', true), /unknown experiment 'nope' \(choose blackbox, analog\)/);
});

test('ff experiment analog: chips A and B, distillation, a rerun reuses the runs', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'experiment-'));
  const lines: string[] = [];
  try {
    const x = tiny('analog', ['ff-chip-a', 'bp-chip-a', 'ff-chip-b-distilled', 'bp-chip-b-distilled', 'bp-digital']);
    const rs = await runStageExperiment(x, { quick: true, out, progress: false }, undefined, (s) => lines.push(s));
    assert.deepEqual(rs.map((r) => r.key), ['bp-digital', 'ff-chip-a', 'bp-chip-a', 'ff-chip-b-distilled', 'bp-chip-b-distilled']);
    for (const r of rs) {
      assert.ok(existsSync(path.join(out, r.key, 'checkpoint.safetensors')), `${r.key} is a run directory`);
      // A student learns from a weak tiny teacher's soft outputs: better than chance (0.9) is the bar there.
      const bar = r.key.includes('distilled') ? 0.85 : 0.6;
      assert.ok(Math.min(...Object.values(r.test)) < bar, `${r.key} learned something (${JSON.stringify(r.test)})`);
    }
    // Trained on chip A: evaluated on A (the same number as its own test) and on B.
    const ffA = rs[1];
    assert.equal(ffA.testOnDevice[1].goodness, ffA.test.goodness);
    assert.ok(typeof ffA.testOnDevice[2].goodness === 'number');
    assert.deepEqual(rs[0].testOnDevice, {}, 'a digital net has no chips');
    const md = readFileSync(path.join(out, 'compare.md'), 'utf8');
    assert.match(md, /\| run \| classifier \| test error \| on chip A \| on chip B \| epochs \| wall time \|/);
    assert.match(md, /\| FF, distilled onto chip B from A \| goodness \|/);
    assert.ok(existsSync(path.join(out, 'validation-error.png')));
    const again: string[] = [];
    await runStageExperiment(x, { quick: true, out, progress: false }, undefined, (s) => again.push(s));
    assert.ok(again.some((l) => /already holds the finished run/.test(l)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('ff experiment blackbox: FF around the box, BP with each model of it', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'experiment-'));
  try {
    const x = tiny('blackbox', ['ff-box', 'bp-oracle', 'bp-identity', 'bp-stale-drift', 'bp-learned-drift']);
    const rs = await runStageExperiment(x, { quick: true, out, progress: false }, undefined, () => {});
    assert.equal(rs.length, 5);
    for (const r of rs) assert.ok(Math.min(...Object.values(r.test)) < 0.6, `${r.key} learned something (${JSON.stringify(r.test)})`);
    const md = readFileSync(path.join(out, 'compare.md'), 'utf8');
    assert.match(md, /\| BP, drifting box, stale matrix \| output \|/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
