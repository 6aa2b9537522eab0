// Live training shows what FF pushes apart (issue 36, item 4): before, supervised live training
// showed no negatives at all and nothing of goodness — a test-error curve only. Here, as it
// trains, a few positive cases of the minibatch are shown over their negatives (the image with
// a wrong label drawn from the softmax, or a hybrid image), each with its goodness per layer,
// and per layer the histograms of positive and negative goodness on held-out images with the
// threshold θ; case by case, positives beat their own negatives more often as the net trains.
// Before, the curve had no axes in epochs and no values as text, nothing showed the receptive
// fields changing, and nothing said which digits the net confused: here the curve is drawn
// against epochs with its values listed, the first layer's fields are redrawn with every report
// (the test checks they change), and a 10×10 confusion matrix ends the run.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { launchChromium, openExplorer, screenshot, startStaticHost, watchErrors, type Host } from '../helpers/explorer-page.js';
import { NO_BROWSER } from '../helpers/optional.js';

let host: Host | null = null;

before(async () => {
  if (NO_BROWSER) return;
  await buildWeb(true);
  host = await startStaticHost();
});

after(() => host?.close());

/** The live panels as values: each case's name, each histogram's numbers. */
const live = (page: Page) =>
  page.evaluate(() => ({
    shown: !(document.getElementById('live-goodness') as HTMLElement).hidden,
    positives: [...document.querySelectorAll('#live-examples .case.positive canvas')].map((c) => c.getAttribute('aria-label') ?? ''),
    negatives: [...document.querySelectorAll('#live-examples .case.negative canvas')].map((c) => c.getAttribute('aria-label') ?? ''),
    captions: [...document.querySelectorAll('#live-examples figcaption')].map((c) => c.textContent ?? ''),
    histograms: [...document.querySelectorAll<HTMLCanvasElement>('#live-histograms canvas')].map((c) => ({ name: c.getAttribute('aria-label') ?? '', separated: Number(c.dataset.separated), ordered: Number(c.dataset.ordered), gap: Number(c.dataset.gap), url: c.toDataURL() })),
    fields: [...document.querySelectorAll<HTMLCanvasElement>('#live-fields canvas')].map((c) => ({ name: c.getAttribute('aria-label') ?? '', url: c.toDataURL() })),
    fieldsShown: !(document.querySelector('.live-fields') as HTMLElement).hidden,
    curveValues: document.getElementById('curve-values')!.textContent ?? '',
    status: document.getElementById('train-status')!.textContent ?? '',
    confusionShown: !(document.querySelector('.live-confusion') as HTMLElement).hidden,
    confusion: {
      caption: document.querySelector('#confusion caption')?.textContent ?? '',
      columns: [...document.querySelectorAll('#confusion thead th[scope="col"]')].map((th) => th.textContent ?? ''),
      rows: [...document.querySelectorAll('#confusion tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => ({ text: td.textContent ?? '', diag: td.classList.contains('diag') }))),
    },
  }));

/**
 * The confusion matrix at the end: 10×10 counts whose diagonal is marked and read as "(right)",
 * summing to the 500 test images, with as many right as the last test error says.
 */
async function confusionChecks(p: Awaited<ReturnType<typeof live>>, errorPct: number): Promise<void> {
  assert.ok(p.confusionShown, 'no confusion matrix at the end');
  assert.deepEqual(p.confusion.columns, [...'0123456789']);
  assert.equal(p.confusion.rows.length, 10);
  let total = 0;
  let right = 0;
  p.confusion.rows.forEach((row, i) => {
    assert.equal(row.length, 10);
    row.forEach((cell, j) => {
      assert.equal(cell.diag, i === j, `cell ${i},${j}: diagonal marked wrong`);
      const n = Number(i === j ? cell.text.replace(/ \(right\)$/, '') : cell.text);
      assert.ok(Number.isInteger(n) && n >= 0, `cell ${i},${j}: ${cell.text}`);
      if (i === j) assert.match(cell.text, / \(right\)$/);
      total += n;
      if (i === j) right += n;
    });
  });
  assert.equal(total, 500);
  assert.ok(Math.abs(100 * (1 - right / total) - errorPct) < 0.051, `${right} of ${total} right, but the status says ${errorPct} % test error`);
  assert.match(p.confusion.caption, new RegExp(`^The 500 sample test images: ${right} of 500 right`));
}

/** Start a live run with these settings; the panels as first seen, then at its end. */
async function train(page: Page, negatives: 'labels' | 'hybrid', epochs: number): Promise<[Awaited<ReturnType<typeof live>>, Awaited<ReturnType<typeof live>>]> {
  await page.fill('#t-layers', '100,100');
  await page.fill('#t-train', '1000');
  await page.fill('#t-epochs', String(epochs));
  await page.selectOption('#t-negatives', negatives);
  await page.click('#t-start');
  await page.waitForSelector('#live-histograms canvas', { timeout: 120_000 });
  const first = await live(page);
  await page.waitForSelector('#train-status[data-done="1"]', { timeout: 300_000 });
  return [first, await live(page)];
}

test('desktop: supervised live training shows positives over wrong-label negatives with their goodness, and per-layer histograms moving apart', { skip: NO_BROWSER, timeout: 420_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await openExplorer(page, host!.url);
    assert.equal((await live(page)).shown, false, 'the panels are shown before training');
    const [first, last] = await train(page, 'labels', 3);
    for (const p of [first, last]) {
      assert.ok(p.shown);
      assert.equal(p.positives.length, 4);
      assert.equal(p.negatives.length, 4);
      assert.equal(p.histograms.length, 2, 'one histogram per hidden layer');
      // Each negative is its positive's image with another label: the right one ≠ the wrong one.
      p.positives.forEach((pos, i) => {
        const right = /^positive: the image with label (\d) \(right\), goodness per layer -?[\d.]+ \| -?[\d.]+$/.exec(pos);
        const wrong = /^negative: the image with label (\d) \(wrong\), goodness per layer -?[\d.]+ \| -?[\d.]+$/.exec(p.negatives[i]);
        assert.ok(right && wrong, `case ${i}: ${pos} / ${p.negatives[i]}`);
        assert.notEqual(right[1], wrong[1], `case ${i}: the negative has the right label`);
      });
      for (const h of p.histograms) assert.match(h.name, /^layer \d goodness on 200 held-out images: positive median [\d.]+, negative median [\d.]+, θ 100\.00; \d+ positives above θ, \d+ negatives below it; the positive beats its own negative in \d+ of 200$/);
    }
    assert.notDeepEqual(last.captions, first.captions, 'the cases did not change as training went on');
    // Training moves positives above θ and negatives below it (layer 1 learns most in 3 epochs).
    // Training moves them apart: case by case, the positive's goodness beats its own negative's
    // (the same image with a wrong label) more often — layer 1, which learns most in 3 epochs.
    const [before, after] = [first.histograms[0].ordered, last.histograms[0].ordered];
    assert.ok(after > before && after > 0.75, `layer 1 orders ${before} of the pairs right when first seen, ${after} at the end`);
    await screenshot(page, 'live-goodness-desktop');

    // The first layer's receptive fields change as it trains: 16 units, named with the moment.
    assert.equal(first.fields.length, 16);
    assert.equal(last.fields.length, 16);
    const when = (name: string) => Number(/^unit 1's receptive field at epoch ([\d.]+) \(largest weight [\d.]+\)$/.exec(name)?.[1]);
    assert.ok(when(first.fields[0].name) < 3, `first seen: ${first.fields[0].name}`);
    assert.equal(when(last.fields[0].name), 3, `at the end: ${last.fields[0].name}`);
    last.fields.forEach((f, u) => assert.notEqual(f.url, first.fields[u].url, `unit ${u + 1}'s field did not change in training`));
    // The curve's values as text, by epoch, ending at epoch 3 with the error the status reports.
    const lastError = /test error ([\d.]+) %/.exec(last.status)![1];
    assert.match(last.curveValues, new RegExp(`^Test error after epoch 0: [\\d.]+ %; 0\\.25: .*; 3: ${lastError.replace('.', '\\.')} %\\.$`));
    assert.equal(first.confusionShown, false, 'a confusion matrix before the end');
    await confusionChecks(last, Number(lastError));
    await screenshot(page, 'explorer-live-desktop');
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});

test('phone: unsupervised live training shows real images over hybrid negatives, and the histograms', { skip: NO_BROWSER, timeout: 300_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const errors = watchErrors(page);
    await openExplorer(page, host!.url);
    const [, last] = await train(page, 'hybrid', 1);
    assert.equal(last.positives.length, 4);
    for (const name of last.positives) assert.match(name, /^positive: a real image, goodness per layer -?[\d.]+ \| -?[\d.]+$/);
    for (const name of last.negatives) assert.match(name, /^negative: a hybrid image, goodness per layer -?[\d.]+ \| -?[\d.]+$/);
    assert.equal(last.histograms.length, 2);
    await confusionChecks(last, Number(/test error ([\d.]+) %/.exec(last.status)![1]));
    await screenshot(page, 'live-goodness-phone');
    await screenshot(page, 'explorer-live-phone');
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
  }
});
