// `ff compare --preset cifar`: the talk's table logic end to end on tiny 6×6×3 maps (BP, FF
// min-ssq, FF max-ssq at 2 and 3 hidden maps, 1 epoch each), a second invocation reusing the
// finished runs; the cifar suites' entries come from the cifar-* presets.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cifarSuiteEntries, isCifarSuite, TRAIN_EVAL_COUNT } from '../../src/cli/compare-cifar.js';
import { runSuite, type SuiteEntry } from '../../src/cli/compare-suite.js';
import { talkTextTable } from '../../src/cli/talk-table.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { buildReport } from '../../src/viz/report.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

const data = syntheticMaps();

function tinyEntries(): SuiteEntry[] {
  const entries: SuiteEntry[] = [];
  for (const hidden of [2, 3]) {
    const maps = { connectivity: 'local', window: 3, mapChannels: 2, layers: new Array(hidden).fill(72), epochs: 1, batchSize: 50, evalEvery: 1, trainSubset: 200 };
    const ff = (goodness: string) => ({
      ...getAlgorithm('ff').defaults, ...maps, architecture: 'recurrent', goodness, labelStrength: 5, iterations: 3, testTo: 3,
    });
    entries.push(
      { key: `bp-${hidden}`, algo: 'bp', procedure: 'BP', hidden, config: { ...getAlgorithm('bp').defaults, ...maps, weightCost: 5e-3 } },
      { key: `ff-min-ssq-${hidden}`, algo: 'ff', procedure: 'FF min ssq', hidden, config: ff('min-ssq') },
      { key: `ff-max-ssq-${hidden}`, algo: 'ff', procedure: 'FF max ssq', hidden, config: ff('max-ssq') },
    );
  }
  return entries;
}

test('compare suite: the talk table for BP / FF min-ssq / FF max-ssq at 2 and 3 maps; a rerun reuses the runs', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'compare-suite-'));
  const lines: string[] = [];
  const opts = { name: 'tiny', entries: tinyEntries(), data, engine: getEngine(), outDir, trainEvalCount: 50, progress: false, log: (s: string) => lines.push(s) };
  try {
    const first = await runSuite(opts);
    assert.equal(first.runs.length, 6);
    assert.deepEqual(
      first.rows.map((r) => `${r.hidden} ${r.procedure} / ${r.testing}`),
      [2, 3].flatMap((h) => [
        `${h} BP / output layer`,
        `${h} FF min ssq / goodness for every label`,
        `${h} FF min ssq / one-pass softmax`,
        `${h} FF max ssq / goodness for every label`,
        `${h} FF max ssq / one-pass softmax`,
      ]),
    );
    for (const r of first.rows) {
      for (const e of [r.trainError, r.testError]) assert.ok(e >= 0 && e <= 1, JSON.stringify(r));
      assert.equal(r.epochs, 1);
    }
    // Train error on the first 50 of the 200 images each net trained on.
    assert.ok(first.runs.every((r) => r.trainCount === 50));
    assert.match(first.caption, /train error on the first 50 of the training images/);
    assert.ok(lines.some((l) => l.startsWith('training ff-max-ssq-3')));
    const json = JSON.parse(readFileSync(path.join(outDir, 'compare.json'), 'utf8'));
    assert.equal(json.rows.length, 10);
    const md = readFileSync(path.join(outDir, 'compare.md'), 'utf8');
    assert.match(md, /\| learning procedure \| testing procedure \| hidden layers \| train error \| test error \| epochs \| wall time \|/);
    assert.equal(md.trim().split('\n').length, 2 + 2 + 10);
    for (const e of opts.entries) assert.ok(existsSync(path.join(outDir, e.key, 'results.json')), e.key);

    // ff report on the comparison directory: its table first, then all six runs.
    const report = await buildReport([outDir], { samples: 20, testCount: 20, units: 4, now: new Date('2025-01-01T00:00:00Z') });
    assert.equal(report.runs, 6);
    assert.match(report.html, /<h2>Comparison: /);
    assert.equal((report.html.match(/<tr><td>FF min ssq<\/td><td>goodness for every label<\/td>/g) ?? []).length, 2);
    for (const e of opts.entries) assert.ok(report.html.includes(`>${e.key}<`), `report section for ${e.key}`);

    // Resumable: the same command finds every run finished and gives the same table.
    lines.length = 0;
    const second = await runSuite(opts);
    assert.equal(lines.filter((l) => l.includes('already holds the finished run')).length, 6);
    assert.deepEqual(second.rows.map((r) => [r.trainError, r.testError]), first.rows.map((r) => [r.trainError, r.testError]));
    const text = talkTextTable(second.rows).split('\n');
    assert.equal(new Set(text.map((l) => l.length)).size, 1, 'all lines equally wide');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('compare suites cifar / cifar-quick: six nets from the cifar-* presets, max-ssq the FF preset with goodness max-ssq', () => {
  assert.ok(isCifarSuite('cifar') && isCifarSuite('cifar-quick') && isCifarSuite('cifar-short') && !isCifarSuite('quick'));
  const short = cifarSuiteEntries('cifar-short');
  assert.deepEqual(short.map((e) => e.config.preset), ['cifar-bp-2-short', 'cifar-ff-2-short', 'cifar-ff-2-short', 'cifar-bp-3-short', 'cifar-ff-3-short', 'cifar-ff-3-short']);
  assert.ok(short.every((e) => e.config.trainSubset === 10000 && e.config.epochs === 3));
  assert.equal(TRAIN_EVAL_COUNT, 1000);
  const quick = cifarSuiteEntries('cifar-quick', 2);
  assert.deepEqual(quick.map((e) => `${e.key}:${e.config.preset}`), [
    'bp-2:cifar-bp-2-quick', 'ff-min-ssq-2:cifar-ff-2-quick', 'ff-max-ssq-2:cifar-ff-2-quick',
    'bp-3:cifar-bp-3-quick', 'ff-min-ssq-3:cifar-ff-3-quick', 'ff-max-ssq-3:cifar-ff-3-quick',
  ]);
  for (const e of quick) {
    assert.equal(e.config.epochs, 2);
    assert.equal(e.config.connectivity, 'local');
    assert.equal((e.config.layers as number[]).length, e.hidden);
  }
  assert.deepEqual(quick.filter((e) => e.algo === 'ff').map((e) => e.config.goodness), ['min-ssq', 'max-ssq', 'min-ssq', 'max-ssq']);
  const full = cifarSuiteEntries('cifar');
  assert.equal(full[1].config.preset, 'cifar-ff-2');
  assert.equal(full[1].config.epochs, 60);
  assert.equal(full[1].config.architecture, 'recurrent');
  assert.equal(full[0].config.weightCost, 1e-3);
});
