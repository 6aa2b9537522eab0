// The explorer on a phone (issue 36, item 5), at 390×844 with touch: before, the prediction was
// below the pad on a 2,500–3,400 px page (a scroll after every stroke), selects were 19 px,
// inputs 21 px and buttons 27 px high, the pad was capped at 280 px in a 366 px column, a small
// digit drawn with the fixed pen became bold in the 28×28 image (a small 3 read as 8), and the
// page never showed that image. Here the pad and the verdict (prediction and a column per label)
// share the first screen, every control is at least 44 px high, the pad fills its column, the
// 28×28 image the net gets is shown beside the pad and follows the finger, and a digit drawn
// small gets the same stroke width there as one drawn large.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { ff, launchChromium, openExplorer, startServe, watchErrors, type Host } from '../helpers/explorer-page.js';
import { NO_BROWSER } from '../helpers/optional.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-phone-'));
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
let host: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  const run = path.join(tmp, 'quick');
  ff(['train', '--preset', 'quick', '--seed', '2', '--layers', '50,50', '--epochs', '1', '--train-subset', '500', '--eval-subset', '100', '--no-progress', '--out', run]);
  host = await startServe([run]);
});

after(() => {
  host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A finger's stroke on the pad through `points` (fractions of its side), as Chromium's touch input. */
async function touchStroke(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]) => [{ x: box.x + x * box.width, y: box.y + y * box.height }];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]) });
  for (const p of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** A straight stroke from a to b in `steps` moves. */
const line = (a: [number, number], b: [number, number], steps = 12): [number, number][] =>
  Array.from({ length: steps + 1 }, (_, i) => [a[0] + ((b[0] - a[0]) * i) / steps, a[1] + ((b[1] - a[1]) * i) / steps]);

/** The 28×28 image beside the pad, as the page last drew it, and its total ink. */
const netInput = (page: Page) => page.evaluate(() => {
  const c = document.getElementById('net-input') as HTMLCanvasElement;
  return { width: c.width, height: c.height, url: c.toDataURL(), ink: Number(c.dataset.ink) };
});

/** Clear, draw `points` with a finger, and wait until the image beside the pad has changed. */
async function drawAndRead(page: Page, points: [number, number][]): Promise<Awaited<ReturnType<typeof netInput>>> {
  await page.click('#clear');
  const blank = await netInput(page);
  await touchStroke(page, points);
  await page.waitForFunction((url) => (document.getElementById('net-input') as HTMLCanvasElement).toDataURL() !== url, blank.url, { timeout: 30_000 });
  return netInput(page);
}

test('phone: pad and verdict on the first screen, controls ≥ 44 px, the pad fills its column, the 28×28 input shown and drawn by touch', { skip: NO_BROWSER, timeout: 180_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage(PHONE);
    const errors = watchErrors(page);
    await openExplorer(page, `${host!.url}#run=0&img=3`);
    await page.waitForSelector('#prediction[data-label]', { timeout: 60_000 });

    // One screen, as the page opens (not scrolled): the pad, the prediction and the per-label columns.
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    for (const sel of ['#pad', '#prediction', '#sum-chart', '#decision-rule']) {
      const b = (await page.locator(sel).boundingBox())!;
      assert.ok(b.y >= 0 && b.y + b.height <= 844 && b.x >= 0 && b.x + b.width <= 390, `${sel} is not on the first screen: ${JSON.stringify(b)}`);
    }
    assert.equal(await page.locator('#sum-chart .col').count(), 10, 'one column per label beside the pad');

    // Every control a finger must hit: at least 44 px high (buttons and selects 44 px wide too).
    const controls = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, select, input')]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({ id: el.id || el.tagName, tag: el.tagName, w: el.getBoundingClientRect().width, h: el.getBoundingClientRect().height })),
    );
    assert.ok(controls.length >= 14, `only ${controls.length} controls found`);
    const small = controls.filter((c) => c.h < 44 || (c.tag !== 'INPUT' && c.w < 44));
    assert.deepEqual(small, [], 'controls smaller than 44 px');

    // The pad fills its column (no 280 px cap), and has as many pixels as it shows.
    const pad = await page.evaluate(() => {
      const c = document.getElementById('pad') as HTMLCanvasElement;
      const parent = c.parentElement!;
      const style = getComputedStyle(parent);
      return { shown: c.getBoundingClientRect().width, column: parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight), pixels: c.width };
    });
    assert.ok(pad.shown > 280 && Math.abs(pad.shown - pad.column) < 1, `the pad is ${pad.shown} px in a ${pad.column} px column`);
    assert.ok(Math.abs(pad.pixels - pad.shown * (await page.evaluate(() => devicePixelRatio))) <= 1, `the pad has ${pad.pixels} pixels across for ${pad.shown} px shown`);

    // The 28×28 image the net gets: the test image first, then what the finger draws.
    const shown = await netInput(page);
    assert.equal(shown.width, 28);
    assert.equal(shown.height, 28);
    assert.ok(shown.ink > 20, `test image 3 shows ${shown.ink} ink`);
    const drawn = await drawAndRead(page, [...line([0.3, 0.25], [0.7, 0.25]), ...line([0.7, 0.25], [0.4, 0.8])]);
    assert.notEqual(drawn.url, shown.url, 'the 28×28 image did not change with the drawing');
    await page.waitForSelector('#prediction[data-label]', { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'drawing scrolled the page');

    // The pen is scaled to the drawing: the same stroke drawn at a fifth of the size gets about the
    // same ink in the 28×28 image (with the pad's own pen it had three times as much).
    const large = await drawAndRead(page, line([0.5, 0.1], [0.5, 0.9]));
    const smallStroke = await drawAndRead(page, line([0.5, 0.42], [0.5, 0.58]));
    const ratio = smallStroke.ink / large.ink;
    assert.ok(ratio > 0.75 && ratio < 1.33, `a small stroke has ${smallStroke.ink} ink, a large one ${large.ink} (ratio ${ratio.toFixed(2)})`);

    const dir = path.join(process.env.FF_ARTIFACTS_DIR ?? 'test-artifacts', 'web');
    mkdirSync(dir, { recursive: true });
    await drawAndRead(page, [...line([0.3, 0.25], [0.7, 0.25]), ...line([0.7, 0.25], [0.4, 0.8])]);
    await page.waitForSelector('#prediction[data-label]', { timeout: 30_000 });
    await page.screenshot({ path: path.join(dir, 'phone-first-screen.png') });
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});
