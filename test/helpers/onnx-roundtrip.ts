// Round trips of tiny runs through ONNX: a model trained for a moment in memory is saved as a
// checkpoint and rebuilt from it (as `ff export` and `ff eval` do), exported, run in
// ONNX Runtime (onnxruntime-web, its WebAssembly build, in Node), and every output compared with the project's own classifier of that name
// on the same images: probabilities within 1e-4, other scores within 1e-4 relative, and the
// same predicted label for every image.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import type { DatasetSplits, ImageSet } from '../../src/data/dataset.js';
import { getEngine } from '../../src/engine/select.js';
import { Rng } from '../../src/engine/rng.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { rebuildRun, type LoadedRun } from '../../src/experiments/load-run.js';
import { exportOnnx } from '../../src/export/export-onnx.js';
import { scoresAreProbabilities } from '../../src/train/evaluate.js';
import { train } from '../../src/train/trainer.js';

/** `count` images of h×w×c with class-dependent bright pixels and noise, labels cycling through `classes`. */
export function syntheticImages(count: number, h: number, w: number, c: number, classes: number, rng: Rng): ImageSet {
  const D = h * w * c;
  const images = new Float32Array(count * D);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    labels[i] = k;
    for (let p = 0; p < D; p++) images[i * D + p] = 0.3 * rng.uniform();
    // Class k: a few bright pixels of its own, away from the first row (MNIST's label pixels).
    for (let j = 0; j < 3; j++) images[i * D + w + ((k * 3 + j) * 7) % (D - w)] = 1;
  }
  return { images, labels, count, height: h, width: w, channels: c };
}

export function syntheticSplits(h: number, w: number, c: number, classes: number, train = 120, seed = 3): DatasetSplits {
  const rng = new Rng(seed);
  const set = (n: number) => syntheticImages(n, h, w, c, classes, rng);
  return {
    name: 'synthetic',
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, k) => `c${k}`),
    train: set(train),
    valid: set(40),
    test: set(60),
    testDescription: 'synthetic',
    validDescription: 'synthetic',
    validOverlapsTrain: false,
    dir: '',
  };
}

/** A model of `algo` trained for `epochs` on `data`, then saved and rebuilt from its checkpoint. */
export async function tinyRun(algo: 'ff' | 'bp', config: Record<string, unknown>, data: DatasetSplits, epochs = 2): Promise<LoadedRun> {
  const a = getAlgorithm(algo);
  const engine = getEngine();
  const cfg = { ...a.defaults, dataset: data.name, epochs, batchSize: 20, evalEvery: 0, evalSubset: 20, ...config };
  const model = a.create(engine, cfg, data);
  await train(model, data);
  return rebuildRun(engine, await model.toCheckpoint());
}

/** What the ONNX model answered, by output name. */
export async function runOnnx(bytes: Uint8Array, images: Float32Array, count: number): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const D = images.length / count;
  const out = await session.run({ images: new ort.Tensor('float32', images, [count, D]) });
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/**
 * Export `run`, run the ONNX model on `set`, and compare each output with the run's own
 * classifier of the same name; returns the outputs' names.
 */
export async function assertRoundTrip(run: LoadedRun, set: ImageSet): Promise<string[]> {
  const exported = await exportOnnx(run);
  const onnx = await runOnnx(exported.bytes, set.images, set.count);
  assert.deepEqual(Object.keys(onnx).sort(), [...exported.outputs].sort());
  const N = run.shape.numClasses;
  for (const mode of exported.outputs) {
    assert.ok(run.model.classifiers.includes(mode), `output ${mode} is one of the run's classifiers`);
    const ours = await run.model.predict(set.images, set.count, mode);
    const theirs = onnx[mode];
    assert.equal(theirs.length, set.count * N, `${mode}: batch × classes`);
    let worst = 0;
    for (let i = 0; i < theirs.length; i++) {
      const scale = scoresAreProbabilities(mode) ? 1 : Math.max(1, Math.abs(ours.scores[i]));
      worst = Math.max(worst, Math.abs(theirs[i] - ours.scores[i]) / scale);
    }
    assert.ok(worst <= 1e-4, `${mode}: largest difference ${worst} (${scoresAreProbabilities(mode) ? 'absolute' : 'relative'})`);
    for (let i = 0; i < set.count; i++) {
      assert.equal(argmax(theirs.subarray(i * N, (i + 1) * N)), ours.predictions[i], `${mode}: image ${i}'s predicted label`);
    }
  }
  return exported.outputs;
}
