// The explanation is the interface (issue 36, items 3 and 4): before, a newcomer saw three
// columns of bars with no word on how the label enters the input, that every label is tried,
// what goodness and the threshold are; a min-ssq net's winner had the shortest bar and nothing
// said "lower wins"; layer 1's bars were shown as if they counted, no bar showed the sum that
// decides, and at a recurrent net's first iteration, where every label gives layer 1 the same
// goodness, the table said "layer 1 favours 0". Here, at desktop and phone size: a few plain
// sentences fitted to the net; the input once per candidate label with the label's pixel lit;
// each layer's goodness against θ, marked when it does not count; the summed goodness that
// decides — all changing as the drawing does — and "lower wins" only for the min-ssq run.
// A recurrent run's iterations were a table of favourites; now they are an animation of each
// layer's state settling (activity per clamped label, goodness per label, per iteration), with
// Play/Pause and a slider reached by keyboard: the test steps through it and checks the frames differ.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { ff, launchChromium, openExplorer, screenshot, startServe, watchErrors, type Host } from '../helpers/explorer-page.js';
import { NO_BROWSER } from '../helpers/optional.js';
import { seriousViolations } from '../helpers/axe-check.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-explain-'));
const TINY = ['--layers', '50,50', '--epochs', '1', '--train-subset', '500', '--eval-subset', '100', '--no-progress'];
let host: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  // Run 0: the quick preset (max-ssq, label pixels, goodness from layer 2 only);
  // run 1: the recurrent one (min-ssq, a clamped label layer, goodness from layers 1 and 2).
  const runs = ['quick', 'recurrent-quick'].map((preset, i) => {
    const out = path.join(tmp, preset);
    ff(['train', '--preset', preset, '--seed', String(2 + i), ...TINY, '--out', out]);
    return out;
  });
  host = await startServe(runs);
});

after(() => {
  host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The recurrent animation's frame on screen: which iteration, its words, its pictures and values. */
const frame = (page: Page) =>
  page.evaluate(() => {
    const el = document.getElementById('iterations')!;
    const slider = document.getElementById('iter-slider') as HTMLInputElement | null;
    return {
      iteration: Number(el.dataset.iteration),
      playing: el.dataset.playing === '1',
      frames: Number(slider?.max),
      sliderText: slider?.getAttribute('aria-valuetext') ?? '',
      summary: document.getElementById('iter-summary')?.textContent ?? '',
      titles: [...el.querySelectorAll('.settle-layer .layer-title')].map((e) => e.textContent ?? ''),
      pictures: [...el.querySelectorAll<HTMLCanvasElement>('canvas.settle-activity')].map((c) => c.toDataURL()),
      pictureNames: [...el.querySelectorAll('canvas.settle-activity')].map((c) => c.getAttribute('aria-label') ?? ''),
      values: [...el.querySelectorAll('.settle-layer .bars')].map((b) => b.textContent ?? ''),
      widths: [...el.querySelectorAll<HTMLElement>('.settle-layer .bar')].map((b) => b.style.width),
      hasTable: el.querySelector('table') !== null,
    };
  });

/** Tab from the run list until `id` has focus (at most `limit` presses); whether it got there. */
async function tabTo(page: Page, id: string, limit = 80): Promise<boolean> {
  await page.focus('#run-select');
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((want) => document.activeElement?.id === want, id)) return true;
  }
  return false;
}

async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  await page.mouse.move(box.x + points[0][0] * box.width, box.y + points[0][1] * box.height);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 6 });
  await page.mouse.up();
}

/** What the explanation panels show, as values to compare. */
const panels = (page: Page) =>
  page.evaluate(() => {
    // No named function in here: tsx would wrap it in a helper the page does not have.
    const [explainer, ruleText, sum, layers] = ['ff-explainer', 'decision-rule', 'goodness-sum', 'goodness-bars'].map((id) => document.getElementById(id)!.textContent ?? '');
    const candidates = [...document.querySelectorAll<HTMLCanvasElement>('#candidates canvas')];
    return {
      explainer,
      rule: document.getElementById('decision-rule')!.dataset.rule ?? null,
      ruleText,
      sum,
      layers,
      layerTitles: [...document.querySelectorAll('#goodness-bars .layer-title')].map((e) => e.textContent ?? ''),
      notCounted: document.querySelectorAll('#goodness-bars .layer.not-counted').length,
      thetaLines: document.querySelectorAll('#goodness-bars .theta').length,
      candidates: candidates.map((c) => c.toDataURL()),
      captions: [...document.querySelectorAll('#candidates figcaption')].map((e) => e.textContent ?? ''),
      // The first pixels of each candidate's first row (quick: the label pixels), and whether each is lit orange.
      litLabelPixels: candidates.map((c) => {
        const px = c.getContext('2d')!.getImageData(0, 0, 10, 1).data;
        return Array.from({ length: 10 }, (_, j) => j).filter((j) => px[j * 4] > 200 && px[j * 4 + 1] > 100 && px[j * 4 + 1] < 200 && px[j * 4 + 2] < 80);
      }),
      body: document.body.innerText,
    };
  });

for (const [size, options] of [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
] as const) {
  test(`${size}: the explanation panels are there and follow the drawing; "lower wins" only for the min-ssq run`, { skip: NO_BROWSER, timeout: 240_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage(options);
      const errors = watchErrors(page);
      await openExplorer(page, `${host!.url}#run=0`);
      await page.waitForSelector('#model-status[data-loaded="quick"]', { timeout: 60_000 });
      await stroke(page, [[0.3, 0.25], [0.7, 0.25], [0.4, 0.8]]);
      await page.waitForSelector('#candidates canvas', { timeout: 30_000 });
      const first = await panels(page);

      assert.match(first.explainer, /tries every label/);
      assert.match(first.explainer, /sum of its squared activities/);
      assert.match(first.explainer, /positive passes.*negative passes/);
      assert.match(first.explainer, /highest goodness, summed over layer 2, wins/);
      assert.equal(first.explainer.split(/(?<=\.) /).length <= 4, true, `more than 4 sentences: ${first.explainer}`);
      assert.equal(first.candidates.length, 10, 'one input picture per candidate label');
      assert.deepEqual(first.litLabelPixels, Array.from({ length: 10 }, (_, j) => [j]), 'candidate j does not show label pixel j lit');
      assert.equal(first.layerTitles.length, 2);
      assert.match(first.layerTitles[0], /^layer 1: θ = 50\.00, \d+ of 10 labels above it — not counted in the decision$/);
      assert.match(first.layerTitles[1], /^layer 2: θ = 50\.00, \d+ of 10 labels above it$/);
      assert.equal(first.notCounted, 1);
      assert.equal(first.thetaLines, 20, 'a θ line on every bar of both layers');
      assert.equal(first.rule, 'higher');
      assert.doesNotMatch(first.body, /lower wins/i, 'a max-ssq run is said to be won by the lower');

      // A second stroke: every number and picture of the explanation changes with it.
      await stroke(page, [[0.2, 0.55], [0.8, 0.55]]);
      await page.waitForFunction((old) => document.getElementById('goodness-sum')!.textContent !== old, first.sum, { timeout: 30_000 });
      const second = await panels(page);
      for (const k of ['sum', 'layers', 'layerTitles', 'candidates', 'captions'] as const) assert.notDeepEqual(second[k], first[k], `${k} did not change with the drawing`);
      await screenshot(page, `explain-${size}`);

      // The min-ssq recurrent run: lower wins, said beside the pad and under the sum; layer 1's
      // first iteration has no favourite; the label is a clamped layer, not pixels.
      await page.selectOption('#run-select', '1');
      await page.waitForSelector('#model-status[data-loaded="recurrent-quick"]', { timeout: 60_000 });
      await page.waitForFunction(() => document.getElementById('decision-rule')!.dataset.rule === 'lower', null, { timeout: 30_000 });
      const rec = await panels(page);
      assert.match(rec.ruleText, /lower wins/);
      assert.match(rec.sum, /Lower wins/);
      assert.match(rec.explainer, /clamps each candidate label on a label layer/);
      assert.match(rec.explainer, /lowest goodness, summed over layers 1, 2, wins/);
      assert.equal(rec.notCounted, 0);
      assert.equal(rec.candidates.length, 10);
      assert.deepEqual(rec.litLabelPixels, Array.from({ length: 10 }, () => []), 'no label pixels in a recurrent net’s input');

      // The iterations as an animation of the layers settling, not a table: it opens on the last
      // iteration (settled); the slider, reached by Tab, steps back to the first, where every
      // label gives layer 1 the same goodness (no favourite), and every picture and bar differs.
      const last = await frame(page);
      assert.equal(last.hasTable, false, 'the iterations are still a table');
      assert.ok(last.frames >= 3, `${last.frames} iterations`);
      assert.equal(last.iteration, last.frames);
      assert.equal(last.pictures.length, 2, 'one activity picture per hidden layer');
      assert.equal(last.widths.length, 20, 'a goodness bar per label per layer');
      assert.match(last.pictureNames[0], new RegExp(`^layer 1 at iteration ${last.frames}: \\d+ of 500 unit activities above 0 over the 10 clamped labels$`));
      assert.ok(await tabTo(page, 'iter-play'), 'Tab never reaches the Play button');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'iter-slider', 'Tab does not go from Play to the slider');
      await page.keyboard.press('Home');
      const one = await frame(page);
      assert.equal(one.iteration, 1);
      assert.equal(one.sliderText, `iteration 1 of ${last.frames}`);
      assert.match(one.summary, /^Iteration 1: layer 1 favours none \(all equal\); layer 2 favours \d\.$/);
      assert.equal(one.titles[0], 'layer 1: favours none (all equal)');
      for (const k of ['pictures', 'values', 'widths', 'summary'] as const) assert.notDeepEqual(one[k], last[k], `${k}: iteration 1 looks like iteration ${last.frames}`);
      await page.keyboard.press('ArrowRight');
      const two = await frame(page);
      assert.equal(two.iteration, 2);
      assert.notDeepEqual(two.pictures, one.pictures, 'iterations 1 and 2 look the same');
      // Play (by keyboard) steps through the rest of the frames and stops at the last.
      await page.keyboard.press('Shift+Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'iter-play');
      await page.keyboard.press('Enter');
      assert.equal((await frame(page)).playing, true, 'Enter on Play did not start the animation');
      await page.waitForFunction((n) => document.getElementById('iterations')!.dataset.iteration === String(n) && document.getElementById('iterations')!.dataset.playing === '0', last.frames, { timeout: 20_000 });
      assert.deepEqual((await frame(page)).pictures, last.pictures, 'the last frame after playing differs from the settled one');
      assert.deepEqual(await seriousViolations(page), [], 'the recurrent animation has serious accessibility violations');
      await screenshot(page, `recurrent-${size}`);
      assert.deepEqual(errors, [], 'the page reported errors');
    } finally {
      await browser.close();
    }
  });
}

test('the explanation panels are empty without a model, and without a drawing', { skip: NO_BROWSER, timeout: 120_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openExplorer(page, host!.url);
    await stroke(page, [[0.5, 0.2], [0.5, 0.8]]);
    let p = await panels(page);
    assert.deepEqual([p.explainer, p.sum, p.layers, p.candidates.length, p.rule], ['', '', '', 0, null], 'panels filled with no model');
    await page.selectOption('#run-select', '0');
    await page.waitForSelector('#candidates canvas', { timeout: 60_000 });
    await page.click('#clear');
    p = await panels(page);
    assert.deepEqual([p.explainer, p.sum, p.layers, p.candidates.length, p.rule], ['', '', '', 0, null], 'panels still filled after Clear');
  } finally {
    await browser.close();
  }
});
