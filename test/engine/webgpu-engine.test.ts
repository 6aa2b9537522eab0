// The WebGPU engine as a user meets it: chosen by name (ff --engine webgpu, prepareEngine), one
// line when it is unavailable, and a small FF net trained on it learning what the js engine's
// does (the kernels are conformance-tested one by one in conformance.test.ts and the conv suites).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { createFFModel, FF_DEFAULTS, JsEngine, MemoryRunStore, train } from '../../src/core.js';
import type { Engine } from '../../src/engine/engine.js';
import { getEngine } from '../../src/engine/select.js';
import { linuxVulkanProblem } from '../../src/engine/webgpu-node.js';
import { requireOrSkip, webgpuBackend } from '../helpers/webgpu.js';
import { checkWebGpuKernels } from '../helpers/webgpu-kernel-checks.js';
import type { WebGpuEngine } from '../../src/engine/webgpu-backend.js';

const gpu = await webgpuBackend();

const ff = (args: string[], env: Record<string, string | undefined>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

test('getEngine("webgpu") before prepareEngine is a one-line error, and auto never takes webgpu', () => {
  assert.throws(() => getEngine('webgpu'), /^Error: webgpu engine unavailable: not started \(the caller must await prepareEngine\('webgpu'\) first\)$/);
  assert.notEqual(getEngine('auto').name, 'webgpu');
});

test('ff engine --engine webgpu without a Vulkan driver: stderr is one ff: line, exit 1', () => {
  const missing = ff(['engine', '--engine', 'webgpu'], { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
  assert.equal(missing.status, 1, missing.stderr);
  assert.equal(missing.stderr, 'ff: webgpu engine unavailable: VK_ICD_FILENAMES names /nonexistent/icd.json, which does not exist\n');
  const none = ff(['engine', '--engine', 'webgpu'], { VK_ICD_FILENAMES: undefined, VK_DRIVER_FILES: undefined, VK_ADD_DRIVER_FILES: undefined, XDG_CONFIG_DIRS: '/nonexistent', XDG_DATA_DIRS: '/nonexistent', HOME: '/nonexistent' });
  if (existsSync('/etc/vulkan/icd.d') && readdirSync('/etc/vulkan/icd.d').some((f) => f.endsWith('.json'))) return; // a real driver here
  assert.equal(none.status, 1, none.stderr);
  assert.match(none.stderr, /^ff: webgpu engine unavailable: no Vulkan driver \(no ICD file in \/nonexistent\/vulkan\/icd\.d, \/etc\/vulkan\/icd\.d, .*\); without a GPU, set VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json .*\n$/);
  assert.equal(none.stderr.split('\n').length, 2, 'one line');
});

test('linuxVulkanProblem: only on Linux, and a named ICD file that exists is no problem', () => {
  assert.equal(linuxVulkanProblem({ VK_ICD_FILENAMES: '/nonexistent.json' }, 'darwin'), undefined);
  assert.equal(linuxVulkanProblem({ VK_DRIVER_FILES: '/nonexistent.json' }, 'linux'), 'VK_DRIVER_FILES names /nonexistent.json, which does not exist');
  assert.equal(linuxVulkanProblem({ VK_ICD_FILENAMES: 'package.json' }, 'linux'), undefined);
  assert.equal(linuxVulkanProblem({ VK_ADD_DRIVER_FILES: 'x', XDG_DATA_DIRS: '/nonexistent', XDG_CONFIG_DIRS: '/nonexistent' }, 'linux'), undefined);
});

test('ff engine --engine webgpu names the adapter', async (t) => {
  if (!gpu.engine) return requireOrSkip(gpu, (why) => t.skip(why));
  const r = ff(['engine', '--engine', 'webgpu'], {});
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^webgpu engine: \S.*\n$/);
});

test('every kernel in Node agrees with the js engine (the cases of the Chromium test, row views included)', async (t) => {
  if (!gpu.engine) return requireOrSkip(gpu, (why) => t.skip(why));
  const bad = (await checkWebGpuKernels((gpu.engine as WebGpuEngine).device)).filter((c) => !c.ok);
  assert.deepEqual(bad, [], 'kernels off the js engine by more than 1e-4·(1 + |js|)');
});

/** Ten classes, each a bright bar at its own place of an 8×8 image, plus noise (node-free-core's data). */
function split(count: number, seed: number) {
  let s = seed;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const images = new Float32Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = 0.2 * rand() + (Math.floor(p / 8) === labels[i] % 8 && p % 8 >= (labels[i] < 8 ? 0 : 4) ? 0.8 : 0);
  }
  return { images, labels, count, height: 8, width: 8, channels: 1 };
}
const data = {
  name: 'synthetic', numClasses: 10, classNames: [...'0123456789'], train: split(300, 1), valid: split(100, 2), test: split(200, 3),
  testDescription: 'synthetic', validDescription: 'synthetic', validOverlapsTrain: false, dir: '',
};

async function testError(engine: Engine): Promise<number> {
  const cfg = { ...FF_DEFAULTS, dataset: 'synthetic', layers: [32, 32, 32], epochs: 5, batchSize: 50, evalEvery: 5 };
  const model = createFFModel(engine, cfg, data);
  await train(model, data, { store: new MemoryRunStore() });
  const { predictions } = await model.classify(data.test.images, data.test.count, 'softmax');
  return predictions.filter((p, i) => p !== data.test.labels[i]).length / data.test.count;
}

// Sampling the hard negatives reads the softmax, whose last bits differ between engines, so
// the runs part ways: the bound is statistical (5 points = 10 of the 200 test images).
test('a small FF net trained on webgpu reaches the js engine\'s softmax test error (within 5 points)', async (t) => {
  if (!gpu.engine) return requireOrSkip(gpu, (why) => t.skip(why));
  const js = await testError(new JsEngine());
  const webgpu = await testError(gpu.engine);
  assert.ok(js < 0.5, `js engine: test error ${js}: the net did not learn, so the comparison says nothing`);
  assert.ok(Math.abs(webgpu - js) <= 0.05, `test error: webgpu ${webgpu}, js ${js}`);
});
