// Builds tiny real runs (FF 784-100-100 and BP 784-100-100, one epoch on 3,000 images), writes
// reports and opens them in headless Chromium: no console or page errors, no network request,
// and the expected number of .chart elements.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { subset, type DatasetSplits } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/registry.js';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { train } from '../../src/train/trainer.js';
import { buildReport, countCharts } from '../../src/viz/report.js';

import { CHROMIUM, NO_BROWSER as noBrowser } from '../helpers/optional.js';
const tmp = mkdtempSync(path.join(tmpdir(), 'ff-report-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const LAYERS = [100, 100];
const ffDir = path.join(tmp, 'ff-tiny');
const bpDir = path.join(tmp, 'bp-tiny');
const OPTS = { samples: 300, testCount: 500, units: 36, now: new Date('2025-01-01T00:00:00Z') };

async function trainTiny(algo: string, dir: string, data: DatasetSplits): Promise<void> {
  const a = getAlgorithm(algo);
  const config = { ...a.presetConfig('quick'), layers: LAYERS, epochs: 1, evalEvery: 1, evalSubset: 500, seed: 3 };
  await train(a.create(getEngine(), config, data), data, { outDir: dir });
}

before(async () => {
  const full = await loadDataset('mnist');
  const data = { ...full, train: subset(full.train, 0, 3000) };
  await trainTiny('ff', ffDir, data);
  await trainTiny('bp', bpDir, data);
});

/** Open an HTML file in headless Chromium; return the .chart count and every error seen. */
async function inBrowser(file: string): Promise<{ charts: number; titled: number; images: number[]; errors: string[] }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) errors.push(`network request: ${r.url()}`);
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const charts = await page.locator('.chart').count();
    const titled = await page.locator('.chart .chart-title').count();
    const images = await page.$$eval('img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    return { charts, titled, images, errors };
  } finally {
    await browser.close();
  }
}

// FF, L hidden layers: curves (log-cost, pairwise errors, validation error, gain, weight RMS) = 5;
// per run: goodness L + activity L + fields and their change since init 2 + confusion 1.
const ffCharts = (L: number) => 2 * L + 3;
// BP: curves (train loss, validation error, gain, weight RMS) = 4; per run: fields 2 + confusion 1.

test('single FF run: a self-contained report with every chart', { skip: noBrowser }, async () => {
  const report = await buildReport([ffDir], OPTS);
  const expected = 5 + ffCharts(LAYERS.length);
  assert.equal(report.charts, expected);
  assert.deepEqual(report.warnings, []);
  assert.doesNotMatch(report.html, /(src|href)="https?:/, 'nothing loaded from the network');
  assert.doesNotMatch(report.html, /<script/, 'no scripts');
  const file = path.join(tmp, 'report.html');
  writeFileSync(file, report.html);
  const seen = await inBrowser(file);
  assert.deepEqual(seen.errors, []);
  assert.equal(seen.charts, expected);
  assert.equal(seen.titled, expected, 'every chart has a title');
  assert.equal(seen.images.length, 2, 'fields and their change since init');
  assert.ok(seen.images.every((w) => w > 0), 'the embedded PNGs decode');
});

test('FF and BP runs overlaid: one set of curves with a legend per run, BP without goodness panels', { skip: noBrowser }, async () => {
  const report = await buildReport([ffDir, bpDir], OPTS);
  // Curves: FF log-cost, pairwise errors, BP train loss, validation error, gain, weight RMS.
  const expected = 6 + ffCharts(LAYERS.length) + 3;
  assert.equal(report.charts, expected);
  assert.deepEqual(report.warnings, []);
  for (const legend of ['ff-tiny · layer 1', 'ff-tiny · softmax', 'bp-tiny · output', 'bp-tiny · train loss', 'bp-tiny · gain']) {
    assert.ok(report.html.includes(legend), `legend entry '${legend}'`);
  }
  assert.equal((report.html.match(/goodness, positive vs negative/g) ?? []).length, LAYERS.length, 'goodness panels for the FF run only');
  const file = path.join(tmp, 'report2.html');
  writeFileSync(file, report.html);
  const seen = await inBrowser(file);
  assert.deepEqual(seen.errors, []);
  assert.equal(seen.charts, expected);
});

test('report without a browser: chart count and one-line errors', async () => {
  const report = await buildReport([bpDir], OPTS);
  assert.equal(report.charts, 4 + 3);
  assert.equal(countCharts(report.html), report.charts);
  await assert.rejects(buildReport([path.join(tmp, 'missing')]), /no such run directory/);
  await assert.rejects(buildReport([]), /at least one run directory/);
});
