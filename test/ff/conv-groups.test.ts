// Grouped convolutions (--conv-groups, issue 32 item 1): each group's output channels read only
// its own input channels (the finite-difference checks are in test/stages/conv-connection).
// Here: the option's geometry and its one-line refusals, the smaller weight, strides
// (--conv-stride), and a grouped, strided conv net — FF (cwc) and backprop — that learns above
// chance and stops + resumes bit-identically.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import { getAlgorithm } from '../../src/core.js';
import { bpPresetOverrides, getPreset } from '../../src/experiments/presets.js';
import { convMapsFor } from '../../src/train/conv-maps.js';
import { assertResumeBitIdentical } from '../helpers/resume-check.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

const image = { height: 8, width: 8, channels: 3 };

test('--conv-groups: per-layer groups in the geometry, a (K²·C_in) × C_out/G weight, one-line refusals', () => {
  const cfg = { connectivity: 'conv' as const, window: 3, layers: [12, 24, 24], poolAfter: null, convGroups: [3, 4, 1] };
  const maps = convMapsFor(cfg, image)!;
  assert.deepEqual(maps.map((m) => m.conv.groups ?? 1), [3, 4, 1]);
  const refused = (c: Partial<typeof cfg>, re: RegExp) =>
    assert.throws(() => convMapsFor({ ...cfg, ...c }, image), (e: Error) => re.test(e.message) && !e.message.includes('\n'));
  refused({ convGroups: [2, 1, 1] }, /^--conv-groups: layer 1's 2 groups must divide its 3 input and 12 output channels$/);
  refused({ convGroups: [1, 5, 1] }, /^--conv-groups: layer 2's 5 groups must divide its 12 input and 24 output channels$/);
  refused({ convGroups: [1, 1] }, /^--conv-groups needs one count per hidden layer \(3\), got 2$/);
  assert.throws(() => convMapsFor({ ...cfg, connectivity: 'dense' }, image), /^Error: --conv-groups needs --connectivity conv$/);
});

test('--conv-stride: per-layer strides with padding K//2 (stride 2 halves a map), one-line refusals', () => {
  const cfg = { connectivity: 'conv' as const, window: 3, layers: [12, 24, 24], poolAfter: [1], convStride: [1, 2, 2] };
  const maps = convMapsFor(cfg, { height: 16, width: 16, channels: 3 })!;
  assert.deepEqual(maps.map((m) => [m.conv.stride, m.conv.height, m.out.height, m.width]), [[1, 16, 8, 16 * 16 * 12], [2, 8, 4, 4 * 4 * 24], [2, 4, 2, 2 * 2 * 24]]);
  assert.throws(() => convMapsFor({ ...cfg, convStride: [1, 4, 1] }, image), /^Error: --conv-stride: layer 2's stride must be an integer in 1\.\.3 \(the window\), got 4$/);
  assert.throws(() => convMapsFor({ ...cfg, convStride: [1] }, image), /^Error: --conv-stride needs one stride per hidden layer \(3\), got 1$/);
});

for (const name of ['ff', 'bp'] as const) {
  test(`a grouped, strided conv net (${name}) learns colour maps above chance, and stop + resume is bit-identical`, async () => {
    const engine = getEngine();
    const data = syntheticMaps(8, 8, 10, 500, 200);
    const algo = getAlgorithm(name);
    // The mnist-conv preset's FF or BP recipe on a tiny net (BP: the preset's BP part, at lr 0.01 for 20 steps).
    const recipe = name === 'ff' ? { ...getPreset('mnist-conv').ff, goodnessLayers: null, softmaxLayers: null } : { ...bpPresetOverrides('mnist-conv'), lr: 0.01 };
    const cfg = { ...algo.defaults, ...recipe, layers: [30, 40], convGroups: [3, 2], convStride: [1, 2], poolAfter: [1], epochs: 2, batchSize: 50, evalSubset: 0, dataset: 'synthetic', evalEvery: 1 };
    const dir = mkdtempSync(path.join(tmpdir(), `conv-groups-${name}-`));
    try {
      const { whole, checkpoint } = await assertResumeBitIdentical(algo, engine, cfg, data, dir);
      // Layer 1: 3 groups of 1 image channel → 10 output channels each; layer 2: 2 groups of 15 → 20.
      assert.deepEqual(checkpoint.tensors.get('layer1.weight')!.shape, [3 * 3 * 3, 10]);
      assert.deepEqual(checkpoint.tensors.get('layer2.weight')!.shape, [3 * 3 * 30, 20]);
      const valid = whole.metrics.at(-1)!.valid!;
      // Above chance (90 %) by a wide margin; measured 69 % (FF) with layer 2 at stride 2 on 8×8 maps.
      const best = Math.min(...Object.values(valid));
      assert.ok(best < 0.8, `chance is 90 %: validation errors ${JSON.stringify(valid)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
