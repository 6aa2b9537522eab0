// The README's explorer screenshots, at desktop (1280×800) and phone (390×844, touch) size:
// the page with a trained FF run and a test image, a recurrent run settling, and live training
// at its end (curve against epochs, receptive fields, confusion matrix, positive and negative
// cases, histograms). They go to test-artifacts/web/ and, with --docs, to docs/images/.
//
//   npx tsx scripts/explorer-screenshots.ts RUN_FF RUN_RECURRENT [--docs]
//
// RUN_FF and RUN_RECURRENT are run directories (e.g. `ff train --preset quick --layers 200,200`
// and `ff train --preset recurrent-quick --layers 200,200`); better-trained runs give clearer
// pictures than the tests' tiny ones.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { buildWeb } from './build-web.js';
import { launchChromium, openExplorer, startServe } from '../test/helpers/explorer-page.js';

const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;
/** A test image that is drawn clearly (a 7) and the live run's settings. */
const IMAGE = 0;
const LIVE = { layers: '200,200', train: '2000', epochs: '3' };

const args = process.argv.slice(2);
const docs = args.includes('--docs');
const [ffRun, recurrentRun] = args.filter((a) => !a.startsWith('--'));
if (!ffRun || !recurrentRun) {
  console.error('usage: npx tsx scripts/explorer-screenshots.ts RUN_FF RUN_RECURRENT [--docs]');
  process.exit(2);
}
const outDir = path.join(process.env.FF_ARTIFACTS_DIR ?? 'test-artifacts', 'web');
mkdirSync(outDir, { recursive: true });
const written: string[] = [];

/** The whole page, the first screen only, or one element, as test-artifacts/web/NAME.png. */
async function shot(target: Page | Locator, name: string, fullPage = true): Promise<void> {
  const file = path.join(outDir, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path: file, fullPage });
  else await target.screenshot({ path: file });
  written.push(file);
}

await buildWeb(true);
const host = await startServe([ffRun, recurrentRun]);
const browser = await launchChromium();
try {
  for (const [size, options] of Object.entries(SIZES)) {
    const page = await browser.newPage(options);
    // The FF run with a test image: the whole page at desktop size, the first screen on a phone.
    await openExplorer(page, `${host.url}#run=0&img=${IMAGE}`);
    await page.waitForSelector('#candidates canvas', { timeout: 60_000 });
    await page.locator('#fields canvas.field').nth(3).click();
    await page.waitForSelector('#unit-top canvas.top-image', { timeout: 60_000 });
    await page.evaluate(() => window.scrollTo(0, 0)); // choosing the unit scrolled to it
    await shot(page, `explorer-${size}`, size === 'desktop');
    // The recurrent run settling: its explanation panel, at iteration 2 of its animation.
    await page.goto('about:blank');
    await openExplorer(page, `${host.url}#run=1&img=${IMAGE}`);
    await page.waitForSelector('#iter-slider', { timeout: 60_000 });
    await page.focus('#iter-slider');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await shot(page.locator('#decision-panels'), `explorer-recurrent-${size}`);
    // Live training to its end: the "Train live" section.
    await page.fill('#t-layers', LIVE.layers);
    await page.fill('#t-train', LIVE.train);
    await page.fill('#t-epochs', LIVE.epochs);
    await page.click('#t-start');
    await page.waitForSelector('#train-status[data-done="1"]', { timeout: 600_000 });
    await shot(page.locator('section[aria-labelledby="train-h"]'), `explorer-live-${size}`);
    await page.close();
  }
} finally {
  await browser.close();
  host.close();
}
for (const file of written) {
  if (docs) copyFileSync(file, path.join('docs', 'images', path.basename(file)));
  console.log(docs ? `${file} → docs/images/${path.basename(file)}` : file);
}
