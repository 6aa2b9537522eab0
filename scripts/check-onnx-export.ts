// Does an exported model classify like `ff eval`? Exports RUN to ONNX (or reads --model FILE),
// runs it in ONNX Runtime (onnxruntime-web: its WebAssembly build, which runs in Node too) on a split of the run's dataset, and compares every output with
// the run's own classifier of that name: error rate, images whose predicted label differs,
// largest score difference. Exit 0 only when every image gets the same label from both.
//
//   node --import tsx scripts/check-onnx-export.ts RUN [--model FILE] [--split test] [--limit N] [--data-dir D]
//
// onnxruntime-web is a dev dependency: run this from a clone with `npm ci` done.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { loadDataset } from '../src/data/registry.js';
import { subset } from '../src/data/dataset.js';
import { getEngine } from '../src/engine/select.js';
import { loadRun } from '../src/experiments/load-run.js';
import { exportOnnx } from '../src/export/export-onnx.js';
import { scoresAreProbabilities } from '../src/train/evaluate.js';

/** Images per onnxruntime call (the goodness output holds classes × batch × width values per layer). */
const BATCH = 1000;

async function check(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: 'string' }, split: { type: 'string', default: 'test' }, limit: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: check-onnx-export.ts RUN [--model FILE] [--split test|valid|train] [--limit N] [--data-dir D]');
  const split = values.split as 'test' | 'valid' | 'train';
  if (!['test', 'valid', 'train'].includes(split)) throw new Error(`--split must be test, valid or train, got ${split}`);
  const run = loadRun(getEngine(), positionals[0]);
  const bytes = values.model ? readFileSync(values.model) : (await exportOnnx(run)).bytes;
  const data = await loadDataset(String(run.config.dataset), { dataDir: values['data-dir'], trainOnAll: Boolean(run.config.trainOnAll) });
  let set = data[split];
  if (values.limit) set = subset(set, 0, Math.min(set.count, Number(values.limit)));
  const N = data.numClasses;
  const D = set.height * set.width * set.channels;
  const session = await ort.InferenceSession.create(bytes);
  const onnx: Record<string, Float32Array> = Object.fromEntries(session.outputNames.map((name) => [name, new Float32Array(set.count * N)]));
  const t0 = performance.now();
  for (let start = 0; start < set.count; start += BATCH) {
    const c = Math.min(BATCH, set.count - start);
    const out = await session.run({ images: new ort.Tensor('float32', set.images.subarray(start * D, (start + c) * D), [c, D]) });
    for (const name of session.outputNames) onnx[name].set(out[name].data as Float32Array, start * N);
  }
  const ortSeconds = (performance.now() - t0) / 1000;
  console.log(`${positionals[0]}: ${data.name} ${split}, ${set.count} images; onnxruntime-web ${ort.env.versions.web}, ${ortSeconds.toFixed(1)} s for every output`);
  let mismatched = 0;
  for (const mode of session.outputNames) {
    const ours = await run.model.predict(set.images, set.count, mode);
    let errOurs = 0;
    let errOnnx = 0;
    let differ = 0;
    let worst = 0;
    for (let i = 0; i < set.count; i++) {
      let best = 0;
      for (let j = 0; j < N; j++) {
        const a = ours.scores[i * N + j];
        const b = onnx[mode][i * N + j];
        worst = Math.max(worst, Math.abs(a - b) / (scoresAreProbabilities(mode) ? 1 : Math.max(1, Math.abs(a))));
        if (b > onnx[mode][i * N + best]) best = j;
      }
      if (ours.predictions[i] !== set.labels[i]) errOurs++;
      if (best !== set.labels[i]) errOnnx++;
      if (best !== ours.predictions[i]) differ++;
    }
    mismatched += differ;
    const pct = (e: number) => `${((100 * e) / set.count).toFixed(2)} % (${e})`;
    const diff = scoresAreProbabilities(mode) ? `largest probability difference ${worst.toExponential(1)}` : `largest relative score difference ${worst.toExponential(1)}`;
    console.log(`  ${mode.padEnd(14)} ff eval error ${pct(errOurs)}, onnx error ${pct(errOnnx)}, labels that differ: ${differ}; ${diff}`);
  }
  await session.release();
  return mismatched === 0 ? 0 : 1;
}

check().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`check-onnx-export: ${e.message.split('\n')[0]}\n`);
    process.exitCode = 2;
  },
);
