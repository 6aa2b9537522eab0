// Every run kind we train has a view in the explorer (issue 36, item 7): before, only FF runs on
// 28×28 images were shown and a BP run was refused. Here one page, at desktop and at phone size,
// switches between runs of every kind — FF, recurrent FF, unsupervised FF, BP, FF conv on MNIST,
// the locally-connected recurrent and the conv CIFAR-10 nets, and an Aesop net — and after each
// switch every panel of the new view is filled and differs from what the last run showed, the
// previous view's panels are gone, axe-core finds no serious accessibility violation in the new
// views, and the page reports no errors. CIFAR and Aesop runs need
// their data ($FF_CIFAR_DIR, $FF_AESOP_DIR; CI sets both): without them those parts are skipped
// with the reason. Where the test images are not at hand (ff serve without the data, a static
// host) a CIFAR run's view says so plainly, with no prediction and no failed request.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { ff, launchChromium, openExplorer, screenshot, startServe, startStaticHost, trainExtraRuns, trainTinyRuns, watchErrors, type Host } from '../helpers/explorer-page.js';
import { seriousViolations } from '../helpers/axe-check.js';
import { NO_AESOP, NO_BROWSER, NO_CIFAR } from '../helpers/optional.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-run-kinds-'));
let host: Host | null = null;
/** The runs in the server's list order (the index is the run number), each with the view that shows it. */
const served: { name: string; kind: Kind; dir: string }[] = [];
type Kind = 'ff' | 'bp' | 'conv' | 'cifar' | 'aesop';

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  const base = trainTinyRuns(tmp);
  const extra = trainExtraRuns(tmp, { cifar: !NO_CIFAR, aesop: !NO_AESOP });
  served.push(
    { name: 'quick', kind: 'ff', dir: base.quick },
    { name: 'recurrent', kind: 'ff', dir: extra.recurrent },
    { name: 'unsupervised', kind: 'ff', dir: base.unsupervised },
    { name: 'bp', kind: 'bp', dir: base.bp },
    { name: 'mnist-conv', kind: 'conv', dir: extra.mnistConv },
  );
  if (extra.cifarLocal) served.push({ name: 'cifar-local', kind: 'cifar', dir: extra.cifarLocal }, { name: 'cifar-conv', kind: 'cifar', dir: extra.cifarConv! });
  if (extra.aesop) served.push({ name: 'aesop', kind: 'aesop', dir: extra.aesop });
  host = await startServe(served.map((r) => r.dir));
});

after(() => {
  host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Every panel any view draws, by id: its text and canvases (null when it is not on the page or hidden). */
const panels = (page: Page) =>
  page.evaluate(() => {
    // No named function in here: tsx would wrap it in a helper the page does not have.
    const ids = [
      'prediction', 'softmax-bars', 'goodness-bars', 'activity', 'fields',
      'view-prediction', 'bp-softmax', 'bp-activity', 'class-scores', 'softmax-scores', 'first-layer', 'cifar-image', 'cifar-status', 'aesop-next', 'aesop-generated',
    ];
    const out: Record<string, string | null> = {};
    for (const id of ids) {
      const el = document.getElementById(id);
      const shown = el && !el.closest('[hidden]');
      out[id] = shown ? `${el.textContent ?? ''}|${[...el.querySelectorAll('canvas')].map((c) => c.toDataURL()).join('|')}` : null;
    }
    const view = document.getElementById('run-view')!;
    return { panels: out, loaded: document.getElementById('model-status')!.dataset.loaded ?? null, kind: view.hidden ? 'ff' : (view.dataset.kind ?? '?'), run: new URLSearchParams(location.hash.slice(1)).get('run') };
  });
type Panels = Awaited<ReturnType<typeof panels>>;

/** The panels each view must fill (FF: the page's own; the unsupervised net has no goodness, LC CIFAR and dense BP no first-layer picture). */
function expected(name: string, kind: Kind): string[] {
  if (kind === 'ff') return ['prediction', 'softmax-bars', 'activity', 'fields', ...(name === 'unsupervised' ? [] : ['goodness-bars'])];
  if (kind === 'bp') return ['prediction', 'view-prediction', 'bp-softmax', 'bp-activity'];
  if (kind === 'conv') return ['prediction', 'view-prediction', 'class-scores', 'softmax-scores', 'first-layer'];
  if (kind === 'cifar') return ['view-prediction', 'class-scores', 'softmax-scores', 'first-layer', 'cifar-image', 'cifar-status'];
  return ['aesop-next', 'aesop-generated'];
}

/** What tells that a run's view has settled. */
function settled(name: string, kind: Kind): string {
  const loaded = `document.getElementById('model-status').dataset.loaded === ${JSON.stringify(name)}`;
  if (kind === 'ff') return `${loaded} && document.getElementById('prediction').dataset.label !== undefined && document.querySelectorAll('#fields canvas').length > 0`;
  if (kind === 'aesop') return `${loaded} && document.getElementById('aesop-generated')?.dataset.prime !== undefined`;
  return `${loaded} && document.getElementById('view-prediction')?.dataset.label !== undefined && document.querySelector('#class-scores span, #bp-activity canvas') !== null`;
}

async function choose(page: Page, index: number): Promise<Panels> {
  const { name, kind } = served[index];
  await page.selectOption('#run-select', String(index));
  await page.waitForFunction(settled(name, kind), null, { timeout: 60_000 }).catch(async (e: Error) => {
    throw new Error(`${name}: its view did not settle (${e.message.split('\n')[0]}); the status says: ${await page.textContent('#model-status')}`);
  });
  return panels(page);
}

/** A CIFAR view: test image 5 instead of 0 changes the image and the scores. */
async function anotherTestImage(page: Page, before: Panels): Promise<void> {
  await page.fill('#cifar-index', '5');
  await page.press('#cifar-index', 'Enter');
  await page.waitForFunction(`document.getElementById('cifar-image').dataset.index === '5'`, null, { timeout: 30_000 });
  await page.waitForFunction((old) => `${document.getElementById('class-scores')!.textContent}|` !== old, before.panels['class-scores'], { timeout: 30_000 });
  const after = await panels(page);
  assert.notEqual(after.panels['cifar-image'], before.panels['cifar-image'], 'test image 5 looks like image 0');
  assert.match(after.panels['cifar-status']!, /test image 5 of the \d+ sent \(true class: \w+\)/);
  await page.fill('#cifar-index', '4000');
  await page.press('#cifar-index', 'Enter');
  await page.waitForFunction(`/an integer in 0–\\d+/.test(document.getElementById('cifar-status').textContent)`, null, { timeout: 30_000 });
}

/** The Aesop view: a prime outside the alphabet is refused in one line; another prime gives another distribution, and the continuation ff generate gives. */
async function anotherPrime(page: Page, before: Panels, dir: string): Promise<void> {
  await page.fill('#aesop-prime', "the lion's share");
  await page.press('#aesop-prime', 'Enter');
  await page.waitForSelector('#aesop-message[data-invalid="1"]', { timeout: 30_000 });
  assert.equal(await page.textContent('#aesop-message'), `"'" is not in this run's alphabet: letters a–z, space, comma, semicolon and full stop.`);
  await page.fill('#aesop-prime', 'The Fox and the Grapes. ');
  await page.press('#aesop-prime', 'Enter');
  await page.waitForSelector('#aesop-generated[data-prime="the fox and the grapes. "]', { timeout: 30_000 });
  const after = await panels(page);
  assert.notEqual(after.panels['aesop-next'], before.panels['aesop-next'], 'another context gave the same next-character distribution');
  // The continuation is ff generate's, on the same engine, prime, length and seed.
  const cli = ff(['generate', dir, '--prime', 'The Fox and the Grapes. ', '--length', '80', '--seed', '1'], 60_000, { FF_ENGINE: 'wasm' }).trim();
  assert.match(cli, /^the fox and the grapes\. \[[a-z ,;.]{80}\]$/);
  assert.equal(after.panels['aesop-generated'], `${cli.replace(/[[\]]/g, '')}|`, 'the page and ff generate continue the prime differently');
}

for (const [size, options] of [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
] as const) {
  test(`${size}: switching between runs of every kind, each view's panels are filled and new, the last view's gone`, { skip: NO_BROWSER, timeout: 300_000 }, async (t) => {
    if (NO_CIFAR) t.diagnostic(`CIFAR-10 runs not shown: ${NO_CIFAR}`);
    if (NO_AESOP) t.diagnostic(`Aesop run not shown: ${NO_AESOP}`);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage(options);
      const errors = watchErrors(page);
      await openExplorer(page, `${host!.url}#img=3`);
      // Every run in list order, then back to the first: each switch leaves a view of another kind or run.
      const order = [...served.keys(), 0];
      let last: Panels | null = null;
      for (const i of order) {
        const { name, kind } = served[i];
        const now = await choose(page, i);
        assert.equal(now.kind, kind, `${name}: shown by the ${now.kind} view`);
        assert.equal(now.run, String(i), `${name}: the hash names run ${now.run}`);
        const want = expected(name, kind);
        for (const id of want) assert.ok(now.panels[id], `${name}: panel ${id} is empty or hidden`);
        for (const [id, v] of Object.entries(now.panels)) {
          if (!want.includes(id)) assert.ok(!v || !v.replace(/\|/g, '').trim(), `${name}: panel ${id} of another view is still on the page: ${v?.slice(0, 80)}`);
        }
        // Every panel this view shares with the last one shows something new (another net, another view).
        if (last) for (const id of want) if (last.panels[id] !== null && !['prediction', 'view-prediction', 'cifar-status', 'cifar-image'].includes(id)) assert.notEqual(now.panels[id], last.panels[id], `${name}: panel ${id} still shows ${served[order[order.indexOf(i) - 1]]?.name}`);
        if (kind !== 'ff') assert.deepEqual(await seriousViolations(page), [], `${name}: axe finds serious accessibility violations`);
        if (size === 'desktop' && i !== 0) await screenshot(page, `run-kind-${name}`);
        if (name === 'cifar-local') await anotherTestImage(page, now);
        if (name === 'aesop') await anotherPrime(page, now, served[i].dir);
        last = now;
      }
      assert.deepEqual(errors, [], 'the page reported errors');
    } finally {
      await browser.close();
    }
  });
}

test('a CIFAR run where no test images are at hand: ff serve without the data, a static host — the view says why, no errors', { skip: NO_BROWSER || NO_CIFAR, timeout: 120_000 }, async () => {
  const run = served.find((r) => r.name === 'cifar-local')!;
  const empty = path.join(tmp, 'no-cifar-here');
  const without = await startServe([run.dir], { FF_CIFAR_DIR: empty });
  const staticHost = await startStaticHost();
  const browser = await launchChromium();
  try {
    for (const [where, url, load, says] of [
      ['ff serve', without.url, (p: Page) => p.selectOption('#run-select', '0'), /^No CIFAR-10 test images: ff serve found no test_batch\.bin in .*no-cifar-here \(set FF_CIFAR_DIR\)\.$/],
      ['a static host', staticHost.url, (p: Page) => p.setInputFiles('#run-file', path.join(run.dir, 'checkpoint.safetensors')), /^No CIFAR-10 test images on a static host: ff serve sends a sample of them when FF_CIFAR_DIR names the data\.$/],
    ] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = watchErrors(page);
      await openExplorer(page, url);
      await load(page);
      await page.waitForSelector('#cifar-status[data-absent="1"]', { timeout: 60_000 });
      assert.match((await page.textContent('#cifar-status'))!, says, where);
      assert.equal(await page.textContent('#view-prediction'), '–', `${where}: a prediction with no image`);
      assert.equal(await page.$('#cifar-image canvas'), null, `${where}: an image is shown`);
      assert.deepEqual(errors, [], `${where}: the page reported errors`);
      await page.close();
    }
  } finally {
    await browser.close();
    without.close();
    staticHost.close();
  }
});
