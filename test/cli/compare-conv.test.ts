// `ff compare --preset conv`: the suite's entries come from the conv presets (FF cwc and BP on
// each); a tiny suite of conv nets on two data sets tabulates FF's class-group classifiers
// ('groups', each layer alone, then its softmax head: the trained model's own) and BP's output layer, with a data
// column; the tables of other nets keep the algorithm's classifiers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CONV_PRESETS, convSuiteEntries, dataPerEntry, isConvSuite } from '../../src/cli/compare-conv.js';
import { runSuite, type SuiteEntry } from '../../src/cli/compare-suite.js';
import { tableClassifiers } from '../../src/cli/table-classifiers.js';
import type { DatasetSplits } from '../../src/data/dataset.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { getPreset } from '../../src/experiments/presets.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { evaluate } from '../../src/train/evaluate.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

test('conv suites: FF and BP on cifar-conv, mnist-conv, fashion-conv (their -quick versions for conv-quick)', () => {
  assert.ok(isConvSuite('conv') && isConvSuite('conv-quick') && !isConvSuite('cifar-conv'));
  assert.deepEqual([...CONV_PRESETS], ['cifar-conv', 'mnist-conv', 'fashion-conv']);
  const quick = convSuiteEntries('conv-quick', 2);
  assert.deepEqual(quick.map((e) => `${e.key}:${e.algo}:${e.config.preset}`), [
    'cifar-conv-quick-ff:ff:cifar-conv-quick', 'cifar-conv-quick-bp:bp:cifar-conv-quick',
    'mnist-conv-quick-ff:ff:mnist-conv-quick', 'mnist-conv-quick-bp:bp:mnist-conv-quick',
    'fashion-conv-quick-ff:ff:fashion-conv-quick', 'fashion-conv-quick-bp:bp:fashion-conv-quick',
  ]);
  for (const e of quick) {
    assert.equal(e.config.epochs, 2);
    assert.equal(e.config.connectivity, 'conv');
    assert.equal(e.hidden, (e.config.layers as number[]).length);
    assert.equal(e.procedure, e.algo === 'ff' ? 'FF cwc' : 'BP');
    if (e.algo === 'ff') assert.equal(e.config.loss, 'cwc');
  }
  assert.deepEqual(quick.map((e) => e.config.dataset), ['cifar-10', 'cifar-10', 'mnist', 'mnist', 'fashion-mnist', 'fashion-mnist']);
  const full = convSuiteEntries('conv');
  assert.deepEqual(full.map((e) => e.config.preset), ['cifar-conv', 'cifar-conv', 'mnist-conv', 'mnist-conv', 'fashion-conv', 'fashion-conv']);
  assert.equal(full[0].config.epochs, getPreset('cifar-conv').ff.epochs, 'the preset’s epochs');
  assert.equal(full[0].hidden, 4);
  assert.throws(() => convSuiteEntries('cifar'), /^Error: unknown conv suite 'cifar'/);
});

test('dataPerEntry: one load per run of entries on the same data set', async () => {
  const loads: string[] = [];
  const fake = async (name: string) => {
    loads.push(name);
    return { ...syntheticMaps(4, 4, 2, 10, 10), name } as DatasetSplits;
  };
  const dataOf = dataPerEntry(undefined, fake as never);
  const entry = (dataset: string) => ({ key: dataset, algo: 'ff', procedure: 'FF', hidden: 1, config: { dataset } }) as SuiteEntry;
  for (const d of ['a', 'a', 'b', 'b', 'a']) assert.equal((await dataOf(entry(d))).name, d);
  assert.deepEqual(loads, ['a', 'b', 'a']);
});

test('table classifiers: a cwc model by its groups and each layer, other FF nets goodness then softmax, BP its output', () => {
  assert.deepEqual(tableClassifiers('ff', { classifiers: ['groups', 'groups-layer1', 'groups-layer2'] }), [
    { mode: 'groups', testing: 'class groups, layers summed' },
    { mode: 'groups-layer1', testing: 'class groups of layer 1' },
    { mode: 'groups-layer2', testing: 'class groups of layer 2' },
  ]);
  assert.deepEqual(tableClassifiers('ff', { classifiers: ['groups', 'groups-layer1', 'softmax'] }).map((c) => c.mode), ['groups', 'groups-layer1', 'softmax']);
  assert.deepEqual(tableClassifiers('ff', { classifiers: ['softmax', 'goodness', 'shortlist'] }), [
    { mode: 'goodness', testing: 'goodness for every label' },
    { mode: 'softmax', testing: 'one-pass softmax' },
  ]);
  assert.deepEqual(tableClassifiers('bp', { classifiers: ['output'] }), [{ mode: 'output', testing: 'output layer' }]);
});

/** Tiny conv nets of the conv presets' recipes on 6×6×3 maps: FF cwc and BP, 1 epoch. */
function tinyConvEntries(dataset: string): SuiteEntry[] {
  const net = { dataset, layers: [8, 8], poolAfter: [1], normGroups: 4, epochs: 1, batchSize: 50, evalEvery: 1, trainSubset: 200, evalSubset: 100 };
  return (['ff', 'bp'] as const).map((algo) => ({
    key: `${dataset}-${algo}`,
    algo,
    procedure: algo === 'ff' ? 'FF cwc' : 'BP',
    hidden: 2,
    config: { ...getAlgorithm(algo).presetConfig('mnist-conv-quick'), ...net, ...(algo === 'ff' ? { goodnessLayers: [1, 2], softmaxLayers: [2] } : {}) },
  }));
}

test('compare suite of conv nets on two data sets: FF rows are groups and each layer, BP the output layer, a data column', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'compare-conv-'));
  const sets: Record<string, DatasetSplits> = { 'maps-a': { ...syntheticMaps(), name: 'maps-a' }, 'maps-b': { ...syntheticMaps(6, 6, 4, 400, 100, 9), name: 'maps-b' } };
  const lines: string[] = [];
  try {
    const entries = [...tinyConvEntries('maps-a'), ...tinyConvEntries('maps-b')];
    const result = await runSuite({
      name: 'tiny-conv', entries, data: async (e) => sets[String(e.config.dataset)], engine: getEngine(), outDir, trainEvalCount: 50, progress: false, log: (s) => lines.push(s),
    });
    const perSet = ['FF cwc / class groups, layers summed', 'FF cwc / class groups of layer 1', 'FF cwc / class groups of layer 2', 'FF cwc / one-pass softmax', 'BP / output layer'];
    assert.deepEqual(result.rows.map((r) => `${r.dataset} ${r.procedure} / ${r.testing}`), ['maps-a', 'maps-b'].flatMap((d) => perSet.map((p) => `${d} ${p}`)));
    for (const r of result.rows) for (const e of [r.trainError, r.testError]) assert.ok(e >= 0 && e <= 1, JSON.stringify(r));
    // Each FF test error is the trained model's own classifier on the test images.
    const ffRun = result.runs.find((r) => r.key === 'maps-b-ff')!;
    const model = getAlgorithm('ff').fromCheckpoint(getEngine(), loadCheckpoint(ffRun.dir));
    for (const mode of ['groups', 'groups-layer1', 'groups-layer2', 'softmax']) {
      assert.equal(ffRun.test[mode], (await evaluate(model, sets['maps-b'].test, 4, mode)).errorRate, mode);
    }
    assert.deepEqual(Object.keys(result.runs.find((r) => r.key === 'maps-a-bp')!.test), ['output']);
    assert.match(result.caption, /^tiny-conv on maps-a, maps-b: .* test error on maps-a: the synthetic; maps-b: the synthetic; engine /);
    const md = readFileSync(path.join(outDir, 'compare.md'), 'utf8').trim().split('\n');
    assert.equal(md[2], '| data | learning procedure | testing procedure | hidden layers | train error | test error | epochs | wall time |');
    assert.equal(md.length, 2 + 2 + 10);
    assert.match(md[4], /^\| maps-a \| FF cwc \| class groups, layers summed \| 2 \| [\d.]+ % \| [\d.]+ % \| 1 \| \d+ s \|$/);
    const json = JSON.parse(readFileSync(path.join(outDir, 'compare.json'), 'utf8'));
    assert.equal(json.dataset, 'maps-a, maps-b');
    assert.equal(json.rows.length, 10);
    const text = lines.slice(lines.indexOf(result.caption) + 1).filter((l) => l.length > 0 && !l.includes('wrote'));
    assert.match(text[0], /^data\s+learning procedure\s+testing procedure/);
    assert.equal(new Set(text.map((l) => l.length)).size, 1, text.join('\n'));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
