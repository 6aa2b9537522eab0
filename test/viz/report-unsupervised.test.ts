// `ff report` of an unsupervised (hybrid-negative) run: goodness of images vs hybrids, the
// probes' curves and confusion matrix, receptive fields without a label strip, no warnings.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { subset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/registry.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { train } from '../../src/train/trainer.js';
import { buildReport } from '../../src/viz/report.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-report-unsup-'));
const dir = path.join(tmp, 'unsup');
after(() => rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  const full = await loadDataset('mnist');
  const data = { ...full, train: subset(full.train, 0, 2000) };
  const a = getAlgorithm('ff');
  const config = { ...a.presetConfig('unsupervised-quick'), layers: [60, 40, 30], epochs: 1, evalSubset: 300, seed: 3 };
  await train(a.create(getEngine(), config, data), data, { outDir: dir });
});

test('report of an unsupervised run: hybrids as negatives, probes, fields without a label strip', async () => {
  const r = await buildReport([dir], { samples: 200, testCount: 300, units: 16, now: new Date('2025-01-01T00:00:00Z') });
  assert.deepEqual(r.warnings, []);
  assert.match(r.html, /once alone \(positive\) and once as a hybrid with another of them/);
  assert.doesNotMatch(r.html, /random wrong label/);
  assert.match(r.html, /probe-layer3/, 'validation curves of every probe');
  assert.match(r.html, /\(probe, 300 images\)/, 'the summary and confusion matrix use the combined probe');
  assert.doesNotMatch(r.html, /The strip under each image/, 'no label strip: the run has no label input');
});
