// The WebGPU engine in headless Chromium (navigator.gpu on SwiftShader, as a page on a loopback
// server): every kernel against the js engine in the page (test/helpers/webgpu-kernel-checks.ts,
// bundled with esbuild). Skips without Chromium (FF_TEST_REQUIRE_ALL runs it), and without
// a WebGPU adapter in the page unless FF_REQUIRE_WEBGPU=1.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';

import { launchChromium } from '../helpers/explorer-page.js';
import { NO_BROWSER, PACKAGE_ROOT } from '../helpers/optional.js';
import { requireOrSkip } from '../helpers/webgpu.js';

const ENTRY = `import { checkWebGpuKernels } from ${JSON.stringify(path.join(PACKAGE_ROOT, 'test/helpers/webgpu-kernel-checks.ts'))};
globalThis.runChecks = async () => {
  if (!navigator.gpu) return { reason: 'no navigator.gpu in the page' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { reason: 'navigator.gpu found no adapter' };
  const info = adapter.info;
  return { adapter: [info.vendor, info.architecture].join(' '), checks: await checkWebGpuKernels(await adapter.requestDevice()) };
};`;

test('webgpu engine in headless Chromium (SwiftShader): every kernel agrees with the js engine', { skip: NO_BROWSER }, async (t) => {
  const { build } = await import('esbuild');
  const bundle = await build({ stdin: { contents: ENTRY, resolveDir: PACKAGE_ROOT, loader: 'ts' }, bundle: true, format: 'esm', write: false, platform: 'browser' });
  const script = bundle.outputFiles[0].text;
  const server = http.createServer((req, res) => {
    if (req.url === '/checks.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/checks.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'runChecks' in globalThis);
    const r = (await page.evaluate(() => (globalThis as unknown as { runChecks(): Promise<unknown> }).runChecks())) as
      { reason?: string; adapter?: string; checks?: { kernel: string; worst: number; ok: boolean }[] };
    if (r.reason) return requireOrSkip({ name: 'webgpu', reason: `webgpu engine unavailable in Chromium: ${r.reason}` }, (why) => t.skip(why));
    assert.deepEqual(errors, [], 'page errors');
    assert.equal(r.checks!.length, 46, 'kernel cases run');
    const bad = r.checks!.filter((c) => !c.ok);
    assert.deepEqual(bad, [], `on ${r.adapter}: kernels off the js engine by more than 1e-4·(1 + |js|)`);
  } finally {
    await browser.close();
    server.close();
  }
});
