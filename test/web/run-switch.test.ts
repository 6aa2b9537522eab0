// Switching what the explorer shows (issue 36, item 2): before, choosing a BP run (refused), a
// broken file or "(none)" left the previous run's predictions, bars, activity and receptive
// fields on screen under a status naming another, with the URL's hash still naming the old run;
// a live model said "0 epochs trained" after "use this model" and after reloading its download.
// Here every panel changes with each run, clears when there is no model, and the hash names
// exactly what is on screen; the live model reports the epochs it trained. A BP run, once
// refused, now has its own view (run-views/, test/web/run-kinds.test.ts): none of the FF run's
// panels stay beside it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { launchChromium, openExplorer, startServe, trainTinyRuns, watchErrors, type Host } from '../helpers/explorer-page.js';
import { NO_BROWSER } from '../helpers/optional.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-run-switch-'));
let host: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  const runs = trainTinyRuns(tmp);
  // The list order is the run number: 0 quick, 1 unsupervised, 2 bp.
  host = await startServe([runs.quick, runs.unsupervised, runs.bp]);
});

after(() => {
  host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Everything on the page that shows a model, as plain values to compare. */
const panels = (page: Page) =>
  page.evaluate(() => {
    // No named function in here: tsx would wrap it in a helper the page does not have.
    const [status, prediction, detail, softmax, goodness, activity, fields] = ['model-status', 'prediction', 'prediction-detail', 'softmax-bars', 'goodness-bars', 'activity', 'fields'].map((id) => document.getElementById(id)!);
    return {
      loaded: status.dataset.loaded ?? null,
      prediction: prediction.dataset.label ?? null,
      detail: detail.textContent ?? '',
      softmax: softmax.textContent ?? '',
      goodness: goodness.textContent ?? '',
      activity: [...activity.querySelectorAll('canvas')].map((c) => c.toDataURL()).join('|'),
      fields: [...fields.querySelectorAll('canvas')].map((c) => c.toDataURL()).join('|'),
      run: new URLSearchParams(location.hash.slice(1)).get('run'),
    };
  });
type Panels = Awaited<ReturnType<typeof panels>>;

const EMPTY = { loaded: null, prediction: null, detail: '', softmax: '', goodness: '', activity: '', fields: '', run: null };

function assertEmpty(p: Panels, what: string): void {
  assert.deepEqual(p, EMPTY, `${what}: a model is still on screen or in the link`);
}

/** Choose a run in the list and wait until the page has settled on it (or on its refusal). */
async function choose(page: Page, value: string, settled: string): Promise<Panels> {
  await page.selectOption('#run-select', value);
  await page.waitForFunction(settled, null, { timeout: 60_000 });
  return panels(page);
}

const LOADED = (name: string) => `document.getElementById('model-status').dataset.loaded === ${JSON.stringify(name)} && document.getElementById('prediction').dataset.label !== undefined && document.querySelectorAll('#fields canvas').length > 0`;
const VIEWED = (name: string) => `document.getElementById('model-status').dataset.loaded === ${JSON.stringify(name)} && document.getElementById('view-prediction')?.dataset.label !== undefined && document.querySelectorAll('#bp-activity canvas').length > 0`;
const SAYS = (re: string) => `!document.getElementById('model-status').dataset.loaded && /${re}/.test(document.getElementById('model-status').textContent)`;

for (const [size, options] of [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
] as const) {
  test(`${size}: quick → unsupervised → BP (its own view) → quick → (none) → a broken file: every panel follows, and the hash`, { skip: NO_BROWSER, timeout: 180_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage(options);
      const errors = watchErrors(page);
      await openExplorer(page, `${host!.url}#img=3`);
      assertEmpty(await panels(page), 'before any run');

      const quick = await choose(page, '0', LOADED('quick'));
      assert.equal(quick.run, '0');
      assert.ok(quick.goodness && quick.softmax && quick.activity && quick.fields, 'a panel is empty for the quick run');

      const unsupervised = await choose(page, '1', LOADED('unsupervised'));
      assert.equal(unsupervised.run, '1');
      assert.match(unsupervised.detail, /linear probe/);
      assert.equal(unsupervised.goodness, '', 'an unsupervised net has no goodness per label');
      for (const k of ['softmax', 'activity', 'fields'] as const) assert.notEqual(unsupervised[k], quick[k], `${k} still shows the quick run`);

      // The BP view: its prediction beside the pad, its own panels, and none of the FF run's.
      const bp = await choose(page, '2', VIEWED('bp'));
      assert.equal(bp.run, '2');
      assert.notEqual(bp.prediction, null, 'no prediction beside the pad for the BP run');
      assertEmpty({ ...bp, loaded: null, prediction: null, run: null }, 'the BP run');
      assert.deepEqual(await choose(page, '0', LOADED('quick')), quick, 'the quick run again is not shown as before');
      assertEmpty(await choose(page, '', SAYS('No model loaded')), '"(none)"');

      await choose(page, '0', LOADED('quick'));
      await page.setInputFiles('#run-file', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint at all') });
      await page.waitForFunction(SAYS('broken\\.safetensors'), null, { timeout: 60_000 });
      assertEmpty(await panels(page), 'a broken file');
      assert.equal(await page.inputValue('#run-select'), '', 'the list still names a run');
      assert.deepEqual(errors, [], 'the page reported errors');
    } finally {
      await browser.close();
    }
  });
}

test('the live model reports the epochs it trained, after "use this model" and from its download; the hash names no served run', { skip: NO_BROWSER, timeout: 300_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await openExplorer(page, `${host!.url}#run=0&img=3`);
    await page.waitForSelector('#model-status[data-loaded="quick"]', { timeout: 60_000 });
    await page.fill('#t-layers', '20');
    await page.fill('#t-train', '100');
    await page.fill('#t-epochs', '2');
    await page.click('#t-start');
    await page.waitForSelector('#train-status[data-done="1"]', { timeout: 120_000 });
    await page.click('#t-use');
    await page.waitForSelector('#model-status[data-loaded="the live model"]', { timeout: 60_000 });
    assert.match((await page.textContent('#model-status'))!, /784-20, 2 epochs trained\./);
    assert.equal((await panels(page)).run, null, 'the hash still names the served run');
    assert.equal(await page.inputValue('#run-select'), '');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#t-download')]);
    const file = path.join(tmp, 'live.safetensors');
    await download.saveAs(file);
    await page.setInputFiles('#run-file', file);
    await page.waitForSelector('#model-status[data-loaded="live.safetensors"]', { timeout: 60_000 });
    assert.match((await page.textContent('#model-status'))!, /2 epochs trained\./);
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});
