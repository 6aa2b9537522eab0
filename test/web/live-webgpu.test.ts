// Issue 33, item 4: the explorer trains live on WebGPU where the browser has it, on
// WebAssembly otherwise, and says which. Chromium here has no GPU; with
// --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader its navigator.gpu is SwiftShader
// (Vulkan on the CPU: slow, so the net is small). The same run is trained in a browser without
// WebGPU (the WebAssembly engine): both finish, the status names each engine, and their final
// test errors on the 500 sample test images agree (float32 on the GPU against the CPU's sums in
// double: a few images may differ). Measured here: 2 epochs, 40-40 net, both engines 0 console
// errors and the same test error (see docs/results.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
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

/** A small live run to its end in a new browser: the engine the status names, its text and the final test error. */
async function trainSmall(webgpu: boolean, shot: string): Promise<{ engine: string; status: string; error: number; errors: string[] }> {
  const browser = await launchChromium({ webgpu });
  try {
    return await trainIn(browser, shot);
  } finally {
    await browser.close();
  }
}

async function trainIn(browser: Browser, shot: string): Promise<{ engine: string; status: string; error: number; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await openExplorer(page, host!.url);
  await page.fill('#t-layers', '40,40');
  await page.fill('#t-train', '1000');
  await page.fill('#t-epochs', '2');
  await page.selectOption('#t-negatives', 'labels');
  await page.click('#t-start');
  await page.waitForSelector('#train-status[data-done="1"]', { timeout: 400_000 });
  const status = (await page.textContent('#train-status')) ?? '';
  const engine = (await page.getAttribute('#train-status', 'data-engine')) ?? '';
  await screenshot(page, shot);
  await page.close();
  return { engine, status, error: Number(/test error ([\d.]+) %/.exec(status)?.[1]), errors };
}

test('live training runs on WebGPU when the browser has it (SwiftShader), on WebAssembly otherwise, says which, and both learn alike', { skip: NO_BROWSER, timeout: 600_000 }, async () => {
  const gpu = await trainSmall(true, 'live-webgpu');
  const cpu = await trainSmall(false, 'live-wasm');
  assert.equal(gpu.engine, 'webgpu', `with an adapter: ${gpu.status}`);
  assert.match(gpu.status, /s of training, on WebGPU, google swiftshader/);
  assert.equal(cpu.engine, 'wasm', `without WebGPU: ${cpu.status}`);
  assert.match(cpu.status, /on WebAssembly, 1 thread: .*; not WebGPU: (this browser has no WebGPU|WebGPU found no adapter)/);
  for (const r of [gpu, cpu]) {
    assert.deepEqual(r.errors, [], `${r.engine}: the page reported errors`);
    assert.ok(r.error < 80, `${r.engine}: test error ${r.error} % after 2 epochs of 1,000 images (chance: 90 %)`);
  }
  assert.ok(Math.abs(gpu.error - cpu.error) <= 2, `test error on WebGPU ${gpu.error} %, on WebAssembly ${cpu.error} %`);
});
