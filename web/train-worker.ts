// Live training in a Web Worker, on WebGPU where the browser has it and on the WebAssembly
// engine otherwise (worker-engine.ts; the page says which): the same FF model, rule and loop
// as `ff train`, driven one minibatch at a time so the page sees every step and can pause.
// A minibatch reads nothing back from the engine; the reports every few minibatches do.
// Every few minibatches the one-pass softmax's error (unsupervised runs: the linear probe's) on
// the sample's test images is reported, with the first layer's receptive fields as they are
// now, and, for unsupervised runs, a few hybrid negatives; at the end, the confusion matrix on
// those test images.
import {
  FF_DEFAULTS,
  MemoryRunStore,
  Rng,
  makeHybrids,
  TrainingSession,
  classify,
  createFFModel,
  decodeSamplePack,
  encodeCheckpoint,
  subset,
  type DatasetSplits,
  type FFModel,
} from '../src/core.js';
import { liveGoodness, type LiveGoodness } from './live-goodness.js';
import { trainingEngine } from './worker-engine.js';

export interface StartMessage {
  type: 'start';
  pack: ArrayBuffer;
  layers: number[];
  trainCount: number;
  epochs: number;
  seed: number;
  /** 'labels': supervised (wrong-label negatives); 'hybrid': unsupervised (hybrid images, linear probe). */
  negatives: 'labels' | 'hybrid';
  /** 'auto' (the default): WebGPU where there is an adapter; 'wasm': WebAssembly. */
  engine?: 'auto' | 'wasm';
}
export type ToWorker = StartMessage | { type: 'pause' } | { type: 'resume' } | { type: 'checkpoint' };
/** Where training is; every few minibatches also what it measured (the optional fields). */
export interface ProgressMessage {
  type: 'progress';
  seen: number;
  total: number;
  epoch: number;
  perEpoch: number;
  threads: number;
  /** The engine training runs on, and its adapter (WebGPU) or why not WebGPU (WebAssembly). */
  engine: 'webgpu' | 'wasm';
  engineAbout: string;
  seconds: number;
  testError?: number;
  hybrids?: Float32Array;
  goodness?: LiveGoodness;
  /** The first layer's receptive fields now: units × 784 weights from the image. */
  fields?: Float32Array;
}
export type FromWorker =
  | ProgressMessage
  | { type: 'done'; confusion: number[][] }
  | { type: 'checkpoint'; bytes: ArrayBuffer }
  | { type: 'error'; message: string };

const TEST_IMAGES = 500;
const HYBRIDS_SHOWN = 4;
/** Positive and negative cases shown with their goodness, and held-out cases in the histograms. */
const CASES_SHOWN = 4;
const HISTOGRAM_CASES = 200;
/** First-layer units whose receptive fields are sent with each report. */
const FIELD_UNITS = 16;
const REPORT_EVERY = 5;

let session: TrainingSession | null = null;
let model: FFModel | null = null;
let data: DatasetSplits | null = null;
let paused = false;
let running = false;
let seen = 0;
let total = 0;
let perEpoch = 1;
let threads = 1;
let engineKind: 'webgpu' | 'wasm' = 'wasm';
let engineAbout = '';
let hybridRng = new Rng(1);
/** Training time so far (pauses and test-error checks excluded), seconds. */
let trainSeconds = 0;

/**
 * Hybrid negatives as training makes them: the same function, masks and blur on this minibatch
 * position's training images (their own random stream, so training's is untouched).
 */
function someHybrids(): Float32Array | undefined {
  if (model?.net.heads.kind !== 'probes' || !data) return undefined;
  const t = data.train;
  const from = ((seen * 50) % Math.max(1, t.count - HYBRIDS_SHOWN)) * 784;
  const shape = { height: t.height, width: t.width, channels: t.channels };
  return makeHybrids(t.images.subarray(from, from + HYBRIDS_SHOWN * 784), HYBRIDS_SHOWN, shape, model.cfg.blurPasses, hybridRng).images;
}

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

/** The first TEST_IMAGES test images' predicted labels (unsupervised runs: the linear probe's). */
async function testPredictions(): Promise<ArrayLike<number>> {
  const t = data!.test;
  const { predictions } = await classify(model!.net, t.images, Math.min(TEST_IMAGES, t.count), model!.net.heads.kind === 'probes' ? 'probe' : 'softmax');
  return predictions;
}

async function testError(): Promise<number> {
  const predictions = await testPredictions();
  let wrong = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] !== data!.test.labels[i]) wrong++;
  return wrong / predictions.length;
}

/** confusion[true label][predicted label]: counts over the same test images. */
async function confusion(): Promise<number[][]> {
  const predictions = await testPredictions();
  const N = data!.numClasses;
  const m = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (let i = 0; i < predictions.length; i++) m[data!.test.labels[i]][predictions[i]]++;
  return m;
}

/** The first FIELD_UNITS first-layer units' weights from the image (units × 784; label pixels zeroed). */
async function firstLayerFields(): Promise<Float32Array | undefined> {
  const net = model!.net;
  const conn = net.layers[0].connections[0];
  if (conn.kind.name !== 'dense' || net.input.imageSize !== 784) return undefined;
  const W = await net.engine.read(conn.weight.value); // fanIn × width
  const width = net.cfg.layers[0];
  const units = Math.min(FIELD_UNITS, width);
  const out = new Float32Array(units * 784);
  for (let u = 0; u < units; u++) for (let p = 0; p < 784; p++) out[u * 784 + p] = W[p * width + u];
  if (net.input.placement === 'pixels') for (let u = 0; u < units; u++) out.fill(0, u * 784, u * 784 + net.numClasses);
  return out;
}

/** What every few minibatches reports besides the position: error, fields, negatives, goodness. */
async function measurements(): Promise<Pick<ProgressMessage, 'testError' | 'fields' | 'hybrids' | 'goodness'>> {
  return { testError: await testError(), fields: await firstLayerFields(), hybrids: someHybrids(), goodness: await goodnessNow() };
}

/** Positive against negative goodness, per layer, where training is now (live-goodness.ts). */
function goodnessNow(): Promise<LiveGoodness> {
  return liveGoodness(model!.net, data!.train, data!.valid, seen * 50, CASES_SHOWN, HISTOGRAM_CASES, model!.cfg.blurPasses);
}

async function run(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (session && !session.done && !paused) {
      const t0 = performance.now();
      const r = await session.step();
      trainSeconds += (performance.now() - t0) / 1000;
      seen++;
      const report = seen % REPORT_EVERY === 0 || r.done;
      post({ type: 'progress', seen, total, epoch: r.epoch, perEpoch, threads, engine: engineKind, engineAbout, seconds: trainSeconds, ...(report ? await measurements() : {}) });
      // Let pause and checkpoint messages in between minibatches.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (session?.done) post({ type: 'done', confusion: await confusion() });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  } finally {
    running = false;
  }
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.type === 'start') {
      const pack = decodeSamplePack(new Uint8Array(m.pack));
      const validCount = Math.min(500, Math.floor(pack.train.count / 10));
      const trainCount = Math.min(m.trainCount, pack.train.count - validCount);
      data = {
        name: 'mnist', numClasses: pack.numClasses, classNames: Array.from({ length: pack.numClasses }, (_, i) => String(i)),
        train: subset(pack.train, 0, trainCount), valid: subset(pack.train, pack.train.count - validCount, validCount), test: pack.test,
        testDescription: 'the sample’s test images', validDescription: 'the sample’s last training images', validOverlapsTrain: false, dir: '',
      };
      const cfg = {
        ...FF_DEFAULTS, dataset: 'mnist', layers: m.layers, epochs: m.epochs, batchSize: 50, evalEvery: 0, seed: m.seed,
        ...(m.negatives === 'hybrid' ? { negativeData: 'hybrid' as const } : {}),
      };
      hybridRng = new Rng(m.seed + 1);
      const chosen = await trainingEngine(m.engine ?? 'auto');
      model = createFFModel(chosen.engine, cfg, data);
      session = new TrainingSession(model, data, { store: new MemoryRunStore() });
      seen = 0;
      perEpoch = Math.ceil(trainCount / cfg.batchSize);
      total = perEpoch * m.epochs;
      paused = false;
      threads = chosen.threads;
      engineKind = chosen.kind;
      engineAbout = chosen.about;
      trainSeconds = 0;
      post({ type: 'progress', seen, total, epoch: 1, perEpoch, threads, engine: engineKind, engineAbout, seconds: 0, ...(await measurements()) });
      await run();
    } else if (m.type === 'pause') {
      paused = true;
    } else if (m.type === 'resume') {
      paused = false;
      await run();
    } else if (m.type === 'checkpoint' && model) {
      // What it has been trained for, as ff train records it (the page says so when loading it).
      const ck = await model.toCheckpoint();
      const trained = { epoch: Math.floor(seen / perEpoch), partialMinibatches: seen % perEpoch };
      const bytes = encodeCheckpoint({ ...ck, state: { ...ck.state, ...trained } });
      const copy = bytes.slice().buffer;
      post({ type: 'checkpoint', bytes: copy }, [copy]);
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
