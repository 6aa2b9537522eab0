// What jitter (±J-pixel shifts, SPEC §2) costs per minibatch, against the training step it
// precedes, in the same run: `node --import tsx bench/jitter-cost.ts [--preset hinton]
// [--jitter 2] [--batches 200]`. The shift happens on the fly into one reused buffer
// (data/augment.ts), so it should be a few percent of a step at most.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFF } from '../src/api.js';
import { jitterImages } from '../src/data/augment.js';
import { loadDataset } from '../src/data/registry.js';
import { Rng } from '../src/engine/rng.js';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'hinton' }, jitter: { type: 'string', default: '2' }, batches: { type: 'string', default: '200' } } });
const J = Number(values.jitter);
const batches = Number(values.batches);
const data = await loadDataset('mnist');
const model = createFF({ preset: values.preset, evalEvery: 0 }, data);
const B = model.cfg.batchSize;
const D = 784;
const dst = new Float32Array(B * D);
const rng = new Rng(1);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const jitterMs: number[] = [];
const stepMs: number[] = [];
for (let b = 0; b < batches; b++) {
  const off = ((b * B) % (data.train.count - B)) * D;
  const images = data.train.images.subarray(off, off + B * D);
  const labels = data.train.labels.subarray(off / D, off / D + B);
  let t = performance.now();
  for (let r = 0; r < 10; r++) jitterImages(images, dst, B, 28, 28, 1, J, rng);
  jitterMs.push((performance.now() - t) / 10);
  t = performance.now();
  await model.trainBatch({ images: dst, labels, count: B }, 1);
  stepMs.push(performance.now() - t);
}
const j = median(jitterMs);
const s = median(stepMs);
console.log(`preset ${values.preset} (${model.cfg.layers.join('-')}), batch ${B}, jitter ±${J}, engine ${model.engine.name}, ${batches} minibatches`);
console.log(`jitter  ${(1000 * j).toFixed(1)} µs per minibatch (median)`);
console.log(`step    ${s.toFixed(2)} ms per minibatch (median)`);
console.log(`jitter / step = ${((100 * j) / s).toFixed(2)} %`);
