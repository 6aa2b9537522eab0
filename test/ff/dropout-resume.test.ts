// --dropout through whole runs: a small conv net (FF and BP, the mnist-conv recipes) with
// hidden dropout 0.2 stopped after epoch 1 and resumed from its checkpoint ends bit-identical to
// the uninterrupted run (the step counter that keys the masks is in the checkpoint), and it
// trains differently from the same run without dropout (the masks act).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { getAlgorithm } from '../../src/core.js';
import { getEngine } from '../../src/engine/select.js';
import { bpPresetOverrides, getPreset } from '../../src/experiments/presets.js';
import { train } from '../../src/train/trainer.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { assertResumeBitIdentical } from '../helpers/resume-check.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

for (const name of ['ff', 'bp'] as const) {
  test(`--dropout 0.2 on a conv net (${name}): stop + resume is bit-identical, and the masks change training`, async () => {
    const engine = getEngine();
    const data = syntheticMaps(8, 8, 10, 300, 100);
    const algo = getAlgorithm(name);
    const recipe = name === 'ff' ? { ...getPreset('mnist-conv').ff, goodnessLayers: null, softmaxLayers: null } : { ...bpPresetOverrides('mnist-conv'), lr: 0.01 };
    const cfg = { ...algo.defaults, ...recipe, layers: [10, 20], convGroups: null, convStride: null, poolAfter: [1], epochs: 2, batchSize: 50, evalSubset: 0, dataset: 'synthetic', evalEvery: 1, dropout: 0.2 };
    const dir = mkdtempSync(path.join(tmpdir(), `dropout-${name}-`));
    try {
      const { checkpoint } = await assertResumeBitIdentical(algo, engine, cfg, data, dir);
      assert.deepEqual(checkpoint.state.stages, { steps: 12, passes: 12, device: 1 }, 'the counters are saved (one pass per step: cwc and BP)');
      await train(algo.create(engine, { ...cfg, dropout: 0 }, data), data, { outDir: path.join(dir, 'off') });
      const off = loadCheckpoint(path.join(dir, 'off'));
      assert.equal(off.state.stages, undefined, 'without dropout (or stages) no counters, as before');
      const w = (ck: typeof off) => ck.tensors.get('layer1.weight')!.data;
      assert.notDeepEqual(w(checkpoint), w(off), 'dropout changes what the first layer learns');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
