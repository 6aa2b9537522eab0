// The browser explorer end to end in Debian's Chromium (headless, driven by Playwright): build
// the page (the build fails on any Node import), train a small real run, `ff serve` it, load it
// in the page, show a known test image and check the prediction equals `ff predict`'s, draw a
// stroke, train one live epoch in the worker and see the error fall, download that model and
// evaluate it with `ff eval`; no console or page errors; and the page type-checks. Screenshots go to test-artifacts/web/
// (or $FF_ARTIFACTS_DIR/web).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { loadDataset } from '../../src/data/registry.js';
import { buildWeb } from '../../scripts/build-web.js';
import { CHROMIUM, NO_BROWSER } from '../helpers/optional.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-explorer-'));
const run = path.join(tmp, 'mnist-200-200');
const artifacts = path.join(process.env.FF_ARTIFACTS_DIR ?? 'test-artifacts', 'web');
const TEST_IMAGE = 3;
let server: ChildProcess | null = null;
let url = '';

function ff(args: string[], timeout = 300_000) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout });
  assert.equal(r.status, 0, `ff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  ff(['train', '--preset', 'quick', '--layers', '200,200', '--epochs', '3', '--train-subset', '20000', '--eval-subset', '200', '--seed', '2', '--out', run, '--no-progress']);
  server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', run, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ff serve printed no address: ${out}`)), 60_000);
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    server!.on('exit', (code) => reject(new Error(`ff serve exited (${code})`)));
  });
});

after(() => {
  server?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

/** ff predict's goodness answer for MNIST test image `index`, through a PNG as a user would. */
async function predictWithCli(index: number): Promise<string> {
  const mnist = await loadDataset('mnist');
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) {
    const v = Math.round(mnist.test.images[index * 784 + i] * 255);
    png.data.set([v, v, v, 255], i * 4);
  }
  const file = path.join(tmp, `test-${index}.png`);
  writeFileSync(file, PNG.sync.write(png));
  const m = /: (\d)\b/.exec(ff(['predict', run, file, '--mode', 'goodness', '--no-invert']));
  assert.ok(m, 'ff predict printed no label');
  return m[1];
}

test('the explorer loads a run, agrees with ff predict, reads a drawing and trains live', { skip: NO_BROWSER, timeout: 600_000 }, async (t) => {
  mkdirSync(artifacts, { recursive: true });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1000 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

    // A shared link: the test image comes from the URL's hash.
    await page.goto(`${url}#img=${TEST_IMAGE}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    await page.selectOption('#run-select', '0');
    await page.waitForSelector('#model-status[data-loaded]', { timeout: 60_000 });
    await page.waitForSelector('#prediction[data-label]', { timeout: 60_000 });
    assert.match((await page.textContent('#input-status')) ?? '', new RegExp(`test image ${TEST_IMAGE}`));
    assert.equal(await page.getAttribute('#prediction', 'data-label'), await predictWithCli(TEST_IMAGE), 'the page and ff predict disagree');
    assert.match(page.url(), /run=0/, 'the loaded run is not in the URL');
    assert.equal(await page.locator('#activity canvas').count(), 2, 'one activity strip per hidden layer');
    // The receptive-field gallery: a unit's most exciting test images, chosen by keyboard.
    assert.equal(await page.locator('#fields canvas.field').count(), 64);
    await page.locator('#fields canvas.field').nth(5).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#unit-top[data-unit="5"] canvas.top-image', { timeout: 30_000 });
    assert.equal(await page.locator('#unit-top canvas.top-image').count(), 8);
    await page.screenshot({ path: path.join(artifacts, 'test-image.png'), fullPage: true });

    // Draw a vertical stroke: the decision is recomputed from the drawing.
    await page.click('#clear');
    assert.equal(await page.getAttribute('#prediction', 'data-label'), null);
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.8, { steps: 12 });
    await page.mouse.up();
    await page.waitForSelector('#prediction[data-label]', { timeout: 30_000 });
    assert.equal(await page.locator('#goodness-bars .layer').count(), 2, 'one goodness panel per hidden layer');
    await page.screenshot({ path: path.join(artifacts, 'drawing.png'), fullPage: true });

    // One live epoch on 1,000 images in the worker: the test error falls.
    await page.fill('#t-train', '1000');
    await page.click('#t-start');
    await page.waitForSelector('#train-status[data-done="1"]', { timeout: 300_000 });
    const curve = JSON.parse((await page.getAttribute('#train-status', 'data-errors')) ?? '[]') as number[];
    assert.ok(curve.length >= 3, `only ${curve.length} test-error points`);
    // ff serve's page is cross-origin isolated: the live run splits its products over workers.
    assert.ok(Number(await page.getAttribute('#train-status', 'data-threads')) >= 2, 'the live run used one thread');
    assert.ok(curve.at(-1)! < curve[0] - 0.2, `test error did not fall: ${curve.map((e) => (e * 100).toFixed(1)).join(' → ')} %`);
    await page.screenshot({ path: path.join(artifacts, 'live-training.png'), fullPage: true });
    t.diagnostic(`live epoch: ${curve.length} test-error points, ${await page.getAttribute('#train-status', 'data-seconds')} s of training (1,000 images, 784-200-200)`);

    // The live model downloads as a checkpoint that ff eval loads.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#t-download')]);
    const live = path.join(tmp, 'live');
    mkdirSync(live);
    await download.saveAs(path.join(live, 'checkpoint.safetensors'));
    assert.match(ff(['eval', live, '--limit', '500']), /error/i);

    // Unsupervised: hybrid negatives, shown as they are made, and the probe's error falls too.
    await page.selectOption('#t-negatives', 'hybrid');
    await page.fill('#t-train', '500');
    await page.click('#t-start');
    await page.waitForSelector('#train-status[data-done="1"]', { timeout: 300_000 });
    assert.equal(await page.locator('#hybrids canvas').count(), 4, 'no hybrid negatives shown');
    assert.match(page.url(), /neg=hybrid/);
    // The unsupervised live model in the view: its linear probe answers.
    await page.click('#t-use');
    await page.waitForSelector('#model-status[data-loaded="the live model"]', { timeout: 60_000 });
    await page.fill('#test-index', '0');
    await page.click('#show-test');
    await page.waitForFunction(() => document.getElementById('prediction-detail')?.textContent?.includes('linear probe'), null, { timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'hybrids.png'), fullPage: true });

    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});

test('ff serve refuses any interface but the loopback one, and missing runs', () => {
  for (const [args, message] of [
    [['serve', '--host', '0.0.0.0'], /loopback interface only/],
    [['serve', path.join(tmp, 'nowhere')], /not a run directory/],
    [['serve', '--port', 'x'], /--port must be an integer/],
  ] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `not one line: ${r.stderr}`);
  }
});

test('the page and its worker type-check (Vite bundles without checking types)', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
