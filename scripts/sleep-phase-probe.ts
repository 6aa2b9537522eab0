// Wake and sleep, measured (issue 34, item 4). Trains FF with self-generated negatives on the
// fables' book split, alternating wake phases (positive-only minibatches of real windows) and
// sleep phases (negative-only minibatches of windows the model generates, ff/sleep-phase.ts),
// and after each phase — and within a long sleep, after each of its chunks — measures per
// hidden layer, on fixed validation windows: the mean goodness of real windows with their true
// next character and of generated windows, the fraction of units active per case, and the
// fraction of units silent for every probe case (a ReLU silent for every input gets no
// gradient, so no later phase can revive it); and the softmax's validation accuracy.
//
//   node --import tsx scripts/sleep-phase-probe.ts OUT.json [--layers 500,500,500] [--epochs 3]
//     [--cycles 1] [--chunks 8] [--sleep-gain 1] [--wake-gain 1] [--probe-every 1] [--seed 17]
//
// --cycles C: wake/sleep cycles per epoch (1 = the paper's one sleep phase after each epoch);
// --chunks K: the sleep phase in K parts, measured after each (each sleeps on 1/K of the
// strings it would sleep on, drawn at random); --sleep-gain / --wake-gain: each phase's
// learning rate as a multiple of the run's (separate rates); --probe-every N: measure after
// every Nth cycle only. Writes every measurement to OUT.json and one line each to stdout.
import { writeFileSync } from 'node:fs';
import { loadDataset, runDataOptions } from '../src/data/registry.js';
import { subset, type ImageSet } from '../src/data/dataset.js';
import { Rng } from '../src/engine/rng.js';
import { getEngine } from '../src/engine/select.js';
import { FF_DEFAULTS, type FFConfig } from '../src/ff/config.js';
import { createFFModel, type FFModel } from '../src/ff/ff-model.js';
import { emptyStats } from '../src/ff/ff-step.js';
import { NEUTRAL } from '../src/ff/labelled-input.js';
import { generateContinuations, sleepPhase } from '../src/ff/sleep-phase.js';
import { getPreset } from '../src/experiments/presets.js';
import { evaluate } from '../src/train/evaluate.js';

const args = process.argv.slice(2);
const out = args[0];
if (!out || out.startsWith('--')) throw new Error('usage: sleep-phase-probe.ts OUT.json [--layers …] [--epochs …] [--cycles …] [--chunks …] [--sleep-gain …] [--wake-gain …]');
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i > 0 ? args[i + 1] : dflt;
};
const layers = opt('layers', '500,500,500').split(',').map(Number);
const epochs = Number(opt('epochs', '3'));
const cycles = Number(opt('cycles', '1'));
const chunks = Number(opt('chunks', '8'));
const sleepGain = Number(opt('sleep-gain', '1'));
const wakeGain = Number(opt('wake-gain', '1'));
const probeEvery = Number(opt('probe-every', '1'));
const seed = Number(opt('seed', '17'));

const cfg: FFConfig = { ...FF_DEFAULTS, ...getPreset('aesop-book-quick').ff, layers, epochs, seed, negatives: 'self-generated', sleepCycles: cycles } as FFConfig;
const data = await loadDataset('aesop', runDataOptions(cfg as unknown as Record<string, unknown>, undefined));
const engine = getEngine();
const model = createFFModel(engine, cfg, data) as FFModel;
const net = model.net;
const train = data.train;
const D = train.height * train.width * train.channels;

// Probe windows: the first 2,000 validation windows, and the continuations of the first 20
// validation strings (1,800 generated windows, made afresh at each measurement from an RNG of
// their own, so measuring draws nothing from the run's stream).
const probe = subset(data.valid, 0, 2000);
const probeStrings = subset(data.valid, 0, 20 * 90);

/** Per layer: mean goodness, mean fraction of units active per case, fraction of units never active. */
async function layerStats(images: Float32Array, labels: ArrayLike<number>, count: number) {
  const L = net.numLayers;
  const goodness = new Float64Array(L);
  const activeFrac = new Float64Array(L);
  const everOn = layers.map((w) => new Uint8Array(w));
  const CH = 100;
  for (let s = 0; s < count; s += CH) {
    const c = Math.min(CH, count - s);
    const ws = net.workspace(c);
    for (let i = 0; i < c; i++) net.input.write(ws.host, i, images, s + i, labels[s + i]);
    net.upload(ws, 0, c);
    net.forward(ws, 0, c, L);
    for (let l = 0; l < L; l++) {
      const w = layers[l];
      const y = await engine.read(engine.rowView(ws.y[l], 0, c));
      for (let i = 0; i < c; i++) {
        let g = 0, on = 0;
        for (let j = 0; j < w; j++) {
          const v = y[i * w + j];
          g += v * v;
          if (v > 0) { on++; everOn[l][j] = 1; }
        }
        goodness[l] += g;
        activeFrac[l] += on / w;
      }
    }
  }
  return layers.map((w, l) => ({ goodness: goodness[l] / count, active: activeFrac[l] / count, everOn: everOn[l] }));
}

const records: Record<string, unknown>[] = [];
async function measure(epoch: number, cycle: number, phase: string, part: number): Promise<void> {
  const real = await layerStats(probe.images, probe.labels, probe.count);
  const gen = await generateContinuations(net, probeStrings, 1, new Rng(1));
  const fake = await layerStats(gen.images, gen.labels, gen.count);
  const neutral = await layerStats(probe.images, new Int32Array(probe.count).fill(NEUTRAL), probe.count);
  const dead = real.map((r, l) => {
    let n = 0;
    for (let j = 0; j < layers[l]; j++) if (!r.everOn[j] && !fake[l].everOn[j] && !neutral[l].everOn[j]) n++;
    return n / layers[l];
  });
  const acc = 1 - (await evaluate(model, probe, data.numClasses, 'softmax')).errorRate;
  const rec = {
    epoch, cycle, phase, part,
    validAccuracy: acc,
    goodnessReal: real.map((r) => r.goodness),
    goodnessGenerated: fake.map((r) => r.goodness),
    activeReal: real.map((r) => r.active),
    activeGenerated: fake.map((r) => r.active),
    dead,
  };
  records.push(rec);
  const f = (xs: number[], d = 1) => xs.map((x) => x.toFixed(d)).join('/');
  console.log(`e${epoch} c${cycle} ${phase.padEnd(5)} ${String(part).padStart(2)}  acc ${(100 * acc).toFixed(1)}%  G real ${f(rec.goodnessReal)}  G gen ${f(rec.goodnessGenerated)}  active ${f(rec.activeReal.map((x) => 100 * x))}%  dead ${f(dead.map((x) => 100 * x))}%`);
  writeFileSync(out, `${JSON.stringify({ layers, epochs, cycles, chunks, sleepGain, wakeGain, seed, records }, null, 1)}\n`);
}

const B = cfg.batchSize;
const batches = Math.ceil(train.count / B);
const every = Math.ceil(batches / cycles);
const strings = train.sequenceStarts!.length;
const order = new Int32Array(train.count);
const images = new Float32Array(B * D);
const labels = new Uint8Array(B);
const t0 = performance.now();
await measure(0, 0, 'init', 0);
let cycle = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.beginEpoch(epoch);
  for (let i = 0; i < order.length; i++) order[i] = i;
  model.rng.shuffle(order);
  let woke = 0;
  for (let b = 0; b < batches; b++) {
    const start = b * B;
    const count = Math.min(B, train.count - start);
    for (let i = 0; i < count; i++) {
      const idx = order[start + i];
      images.set(train.images.subarray(idx * D, (idx + 1) * D), i * D);
      labels[i] = train.labels[idx];
    }
    const gain = model.gainAt(epoch, (b + 0.5) / batches);
    await model.trainBatch({ images: images.subarray(0, count * D), labels: labels.subarray(0, count), count }, gain * wakeGain);
    woke++;
    if ((b + 1) % every !== 0 && b + 1 !== batches) continue;
    cycle++;
    const probeNow = cycle % probeEvery === 0 || b + 1 === batches;
    if (probeNow) await measure(epoch, cycle, 'wake', 0);
    // The sleep phase: as many strings as this wake phase had minibatches' worth of windows.
    const share = Math.min(strings, Math.ceil((strings * woke) / batches));
    const k = probeNow ? Math.min(chunks, share) : 1;
    for (let part = 1; part <= k; part++) {
      const n = Math.ceil((share * part) / k) - Math.ceil((share * (part - 1)) / k);
      await sleepPhase(net, train, gain * sleepGain, emptyStats(net.numLayers), 1, n);
      if (probeNow) await measure(epoch, cycle, 'sleep', part);
    }
    woke = 0;
  }
  const stats = await model.endEpoch();
  console.log(`epoch ${epoch}: ff-loss ${(stats.ffLoss as number[]).map((x) => x.toFixed(3)).join(' ')}  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
// The same set as the run's own validation would give, for the record.
const fullValid = await evaluate(model, data.valid as ImageSet, data.numClasses, 'softmax');
console.log(`validation accuracy (all ${data.valid.count} windows): ${(100 * (1 - fullValid.errorRate)).toFixed(2)} %`);
