// The explorer's fields, link and host say what they do (issue 36, item 6). Before: Enter in a
// field did nothing, an empty test index showed image 0, `#run=9` was dropped without a word,
// the status never said "Paused", and on a static host the run list was "(none)" with a 404 in
// the console and the live run said "1 thread" with no reason. Here Enter submits its form, bad
// values are refused in words, a missing run is named in the link line, pausing says so, and a
// static host (no run list, no cross-origin isolation) says what it lacks and why.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { launchChromium, openExplorer, startServe, startStaticHost, watchErrors, type Host } from '../helpers/explorer-page.js';
import { NO_BROWSER } from '../helpers/optional.js';

let served: Host | null = null;
let staticHost: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  served = await startServe([]);
  staticHost = await startStaticHost();
});

after(() => {
  served?.close();
  staticHost?.close();
});

const text = async (page: Page, id: string) => (await page.textContent(`#${id}`)) ?? '';

test('Enter submits; bad fields are refused in words; a missing run is named; pausing says "Paused"', { skip: NO_BROWSER, timeout: 240_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await openExplorer(page, `${served!.url}#run=9&epochs=-3&img=2`);
    assert.match(await text(page, 'link-status'), /epochs=-3 \(an integer in 1–100\); run=9 \(no such run: the server lists 0\)/);
    assert.doesNotMatch(page.url(), /run=/, 'the missing run stays in the link');
    assert.equal(await page.inputValue('#t-epochs'), '1');

    // The test image: Enter shows it; an empty or out-of-range index is refused, not read as 0.
    await page.fill('#test-index', '5');
    await page.press('#test-index', 'Enter');
    assert.match(await text(page, 'input-status'), /^test image 5 \(label \d\)$/);
    for (const bad of ['', '1000', '-1']) {
      await page.fill('#test-index', bad);
      await page.press('#test-index', 'Enter');
      assert.equal(await text(page, 'input-status'), 'Test image: an integer in 0–999.', `test index '${bad}'`);
    }

    // Live training: 0 epochs refused on Enter; then a run that is paused and resumed.
    await page.fill('#t-layers', '20');
    await page.fill('#t-train', '2000');
    await page.fill('#t-epochs', '0');
    await page.press('#t-epochs', 'Enter');
    assert.equal(await text(page, 'train-status'), 'Epochs: an integer in 1–100.');
    await page.fill('#t-epochs', '5');
    await page.press('#t-seed', 'Enter');
    await page.waitForSelector('#train-status[data-threads]', { timeout: 60_000 });
    await page.click('#t-pause');
    assert.match(await text(page, 'train-status'), /^Paused at epoch \d+, minibatch \d+ of 200/);
    assert.equal(await page.getAttribute('#train-status', 'data-paused'), '1');
    await page.waitForTimeout(1000); // a minibatch in flight when Pause was pressed still reports
    const paused = await text(page, 'train-status');
    await page.waitForTimeout(1000);
    assert.equal(await text(page, 'train-status'), paused, 'training went on while paused');
    assert.match(paused, /^Paused at /);
    assert.equal(await page.textContent('#t-pause'), 'Resume');
    await page.click('#t-pause');
    assert.doesNotMatch(await text(page, 'train-status'), /Paused/);
    await page.waitForSelector('#train-status[data-done="1"]', { timeout: 120_000 });
    assert.match(await text(page, 'train-status'), /minibatch 200 of 200/);
    assert.match(page.url(), /epochs=5/);
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});

test('a static host: no run list and one thread, each said with its reason; no 404 in the console', { skip: NO_BROWSER, timeout: 180_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const errors = watchErrors(page);
    await openExplorer(page, `${staticHost!.url}#run=0`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    assert.equal(await page.textContent('#run-select option'), '(no run list on a static host)');
    assert.match(await text(page, 'model-status'), /No run list on a static host — start ff serve to see your runs/);
    assert.match(await text(page, 'link-status'), /run=0 \(no run list on a static host\)/);
    await page.fill('#t-layers', '20');
    await page.fill('#t-train', '100');
    await page.click('#t-start');
    await page.waitForSelector('#train-status[data-done="1"]', { timeout: 120_000 });
    assert.equal(await page.getAttribute('#train-status', 'data-threads'), '1');
    assert.match(await text(page, 'train-status'), /1 thread: this host does not send the cross-origin isolation headers \(COOP\/COEP\)/);
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});
