// The explorer for screen-reader users (issue 36, item 8), at desktop and phone size: before, the
// images a chosen unit excites had only a title, the hybrid negatives no name at all, every bar
// was read twice (a labelled image beside the same value as text), and the training curve had
// no values in words. Here each has a name, each bar row is read once, the curve's name carries
// its values, and axe-core (the accessibility rules engine browsers' audits use) finds no
// serious or critical violation with a model loaded, a unit chosen and a live run trained.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { launchChromium, openExplorer, screenshot, startServe, trainTinyRuns, watchErrors, type Host } from '../helpers/explorer-page.js';
import { seriousViolations } from '../helpers/axe-check.js';
import { NO_BROWSER } from '../helpers/optional.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-a11y-'));
let host: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  host = await startServe([trainTinyRuns(tmp).quick]);
});

after(() => {
  host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The accessible name of every element matching `selector` ('' where it has none). */
const names = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));

for (const [size, options] of [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
] as const) {
  test(`${size}: every picture is named, bars are read once, the curve says its values; axe finds nothing serious`, { skip: NO_BROWSER, timeout: 240_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage(options);
      const errors = watchErrors(page);
      await openExplorer(page, host!.url);
      assert.deepEqual(await seriousViolations(page), [], 'with no model');

      await page.goto('about:blank'); // a hash change alone would not load the page again
      await openExplorer(page, `${host!.url}#run=0&img=3`);
      await page.waitForSelector('#prediction[data-label]', { timeout: 60_000 });
      await page.locator('#fields canvas.field').nth(2).click();
      await page.waitForSelector('#unit-top canvas.top-image', { timeout: 30_000 });
      const top = await names(page, '#unit-top canvas.top-image');
      assert.equal(top.length, 8);
      for (const n of top) assert.match(n, /^test image \d+ \(label \d\), activity -?\d+\.\d\d$/);
      // Each bar row: the label and the value as text, the bar itself hidden from screen readers.
      const bars = page.locator('#softmax-bars .bar');
      assert.equal(await bars.count(), 10);
      assert.deepEqual(await bars.evaluateAll((els) => els.map((e) => e.getAttribute('aria-hidden'))), Array(10).fill('true'));
      assert.equal(await page.locator('#softmax-bars .visually-hidden').count(), 1, 'the best label is said in words once');
      assert.deepEqual(await seriousViolations(page), [], 'with a model and a chosen unit');

      // A live unsupervised run: hybrid negatives and the curve, named.
      await page.fill('#t-layers', '20');
      await page.fill('#t-train', '100');
      await page.selectOption('#t-negatives', 'hybrid');
      await page.click('#t-start');
      await page.waitForSelector('#train-status[data-done="1"]', { timeout: 120_000 });
      const hybrids = await names(page, '#hybrids canvas');
      assert.equal(hybrids.length, 4);
      for (const n of hybrids) assert.match(n, /^hybrid negative \d: /);
      assert.match((await page.getAttribute('#curve', 'aria-label'))!, /^test error during training: \d+\.\d % at the start, \d+\.\d % after minibatch 2 of 2, lowest \d+\.\d % \(\d+ measurements\)$/);
      assert.deepEqual(await seriousViolations(page), [], 'after live training');
      await screenshot(page, `explorer-${size}`);
      assert.deepEqual(errors, [], 'the page reported errors');
    } finally {
      await browser.close();
    }
  });
}
