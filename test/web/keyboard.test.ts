// The explorer by keyboard alone, at desktop and phone size (issue 36, item 1): before, Tab
// reached "unit 1" of the receptive-field gallery and never left it (the tiles' key handler
// cancelled every key but Enter and Space), so nothing after it — the whole "Train live"
// section — could be reached, and Space on a tile scrolled the page. Here Tab walks through
// every control of the page in order to the last one, Shift+Tab walks back, the gallery is one
// stop whose units arrow keys move between, and Space chooses a unit without scrolling.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { launchChromium, openExplorer, startServe, trainTinyRuns, watchErrors, type Host } from '../helpers/explorer-page.js';
import { NO_BROWSER } from '../helpers/optional.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-keyboard-'));
let host: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  const runs = trainTinyRuns(tmp);
  host = await startServe([runs.quick]);
});

after(() => {
  host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** What names the focused element (its id, else its accessible name), or '' for none. */
const focusedName = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return !el || el === document.body ? '' : el.id || el.getAttribute('aria-label') || el.tagName;
  });

/** Every control a keyboard user must reach, in document order: enabled, visible, in the tab order. */
const tabStops = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')]
      .filter((el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && el.getClientRects().length > 0)
      .map((el) => el.id || el.getAttribute('aria-label') || el.tagName),
  );

for (const [size, options] of [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
] as const) {
  test(`${size}: Tab reaches every control in order and leaves the gallery; Space chooses a unit without scrolling`, { skip: NO_BROWSER, timeout: 180_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage(options);
      const errors = watchErrors(page);
      // The run comes from the link: nothing on the page is touched before the first Tab.
      await openExplorer(page, `${host!.url}#run=0&img=3`);
      await page.waitForSelector('#prediction[data-label]', { timeout: 60_000 });
      await page.waitForSelector('#fields canvas.field', { timeout: 60_000 });
      const stops = await tabStops(page);
      for (const id of ['run-select', 'run-file', 'clear', 'show-test', 't-layers', 't-negatives', 't-start']) assert.ok(stops.includes(id), `${id} is not in the tab order: ${stops.join(', ')}`);
      assert.equal(stops.filter((s) => s.startsWith('unit ')).length, 1, `the gallery is one tab stop: ${stops.join(', ')}`);

      const forward: string[] = [];
      for (let i = 0; i < stops.length; i++) {
        await page.keyboard.press('Tab');
        forward.push(await focusedName(page));
      }
      assert.deepEqual(forward, stops, 'Tab did not walk through the page in order');
      const backward: string[] = [await focusedName(page)];
      for (let i = 1; i < stops.length; i++) {
        await page.keyboard.press('Shift+Tab');
        backward.push(await focusedName(page));
      }
      assert.deepEqual(backward, [...stops].reverse(), 'Shift+Tab did not walk back through the page in order');

      // The gallery: arrow keys move between units, Space chooses one (and does not scroll).
      await page.locator('#fields canvas.field').first().focus();
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      assert.match(await focusedName(page), /^unit 5:/);
      const scrolled = await page.evaluate(() => window.scrollY);
      await page.keyboard.press(' ');
      await page.waitForSelector('#unit-top[data-unit="4"] canvas.top-image', { timeout: 30_000 });
      assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'Space on a unit scrolled the page');
      const pressed = await page.locator('#fields canvas.field').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('aria-pressed')));
      assert.deepEqual(pressed.map((p, i) => (p === 'true' ? i : -1)).filter((i) => i >= 0), [4], 'the chosen unit is not marked pressed');
      assert.ok(pressed.every((p) => p === 'true' || p === 'false'));
      // The chosen unit is now the gallery's tab stop, and Tab leaves the gallery for the training form.
      await page.keyboard.press('Tab');
      assert.equal(await focusedName(page), 't-layers');
      await page.keyboard.press('Shift+Tab');
      assert.match(await focusedName(page), /^unit 5:/);
      assert.deepEqual(errors, [], 'the page reported errors');
    } finally {
      await browser.close();
    }
  });
}
