// The explorer page: load a trained run (from `ff serve` or a file), draw or pick a digit and
// see what the net's goodness and softmax say, layer by layer; train a small net live in a
// worker. Inference runs here on the WebAssembly engine (one thread: a page may not block).
import { FFModel, WasmEngine, classify, decodeCheckpoint, decodeSamplePack, labelGoodness, layerActivities, softmaxScores, type SamplePack } from '../src/core.js';
import { renderFields } from './fields.js';
import { grayCanvas } from './gray-canvas.js';
import { DrawPad } from './draw-pad.js';
import { argBest, drawCurve, renderActivities, renderBars, renderGoodness, renderIterations } from './views.js';
import { readState, writeState } from './url-state.js';
import { ignoredMessage, parseHashField, type PageHash } from './hash-state.js';
import type { FromWorker, ToWorker } from './train-worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const engine = new WasmEngine();
const LABELS = [...'0123456789'];
let model: FFModel | null = null;
let pack: SamplePack | null = null;
let testImage: Float32Array | null = null;

const pad = new DrawPad($<HTMLCanvasElement>('pad'), () => void decide());

function status(id: string, text: string): void {
  $(id).textContent = text;
}

async function loadModel(bytes: Uint8Array, name: string): Promise<void> {
  const ck = decodeCheckpoint(bytes, name);
  if (ck.algo !== 'ff') throw new Error(`${name} is a ${ck.algo} run: the explorer shows FF runs`);
  const m = FFModel.fromCheckpoint(engine, ck);
  if (m.net.input.imageSize !== 784) throw new Error(`${name} was trained on ${m.net.input.imageSize}-pixel images; the pad draws 28×28`);
  model = m;
  const epochs = Number(ck.state.epoch ?? 0);
  status('model-status', `Loaded ${name}: ${m.cfg.architecture ?? 'feedforward'} ${[784, ...m.cfg.layers].join('-')}, ${epochs} epoch${epochs === 1 ? '' : 's'} trained.`);
  $('model-status').dataset.loaded = name;
  if (pack) await renderFields($('fields'), $('unit-top'), m, pack);
  await decide();
}

async function loadServerRun(index: string): Promise<void> {
  if (index === '') return;
  const res = await fetch(`api/runs/${index}/checkpoint.safetensors`);
  if (!res.ok) throw new Error(`run ${index}: HTTP ${res.status}`);
  const select = $<HTMLSelectElement>('run-select');
  await loadModel(new Uint8Array(await res.arrayBuffer()), select.selectedOptions[0]?.textContent ?? `run ${index}`);
}

/** The goodness classifier's view and the one-pass softmax for the drawing (or test image). */
async function decide(): Promise<void> {
  const image = pad.inked ? pad.image() : testImage;
  const pred = $<HTMLOutputElement>('prediction');
  if (!model || !image) {
    pred.textContent = '–';
    delete pred.dataset.label;
    return;
  }
  const net = model.net;
  const activities = () => Promise.all(net.cfg.layers.map((_, l) => layerActivities(net, image, 1, l)));
  if (net.unsupervised) {
    // No label goes in: the linear probe on the hidden layers reads the answer off.
    const probs = Array.from((await classify(net, image, 1, 'probe')).scores);
    const best = argBest(probs, true);
    pred.textContent = LABELS[best];
    pred.dataset.label = String(best);
    status('prediction-detail', '(the linear probe: an unsupervised net has no label input or goodness per label)');
    renderBars($('softmax-bars'), probs, LABELS, best, (v) => `${(v * 100).toFixed(1)} %`);
    $('goodness-bars').replaceChildren();
    $('iterations').replaceChildren();
    renderActivities($('activity'), await activities());
    return;
  }
  const g = await labelGoodness(net, image);
  const total = LABELS.map((_, j) => net.goodnessLayers.reduce((s, l) => s + g.layers[l][j], 0));
  const best = argBest(total, g.higherIsBetter);
  const probs = Array.from(await softmaxScores(net, image, 1));
  pred.textContent = LABELS[best];
  pred.dataset.label = String(best);
  status('prediction-detail', `(goodness summed over layers ${net.goodnessLayers.map((l) => l + 1).join(', ')}; softmax says ${LABELS[argBest(probs, true)]})`);
  renderBars($('softmax-bars'), probs, LABELS, argBest(probs, true), (v) => `${(v * 100).toFixed(1)} %`);
  renderGoodness($('goodness-bars'), g, LABELS);
  renderIterations($('iterations'), g, LABELS);
  renderActivities($('activity'), await activities());
}

function showTest(index: number): void {
  if (!pack) return;
  const t = pack.test;
  if (!Number.isInteger(index) || index < 0 || index >= t.count) {
    status('input-status', `test image must be 0–${t.count - 1}`);
    return;
  }
  testImage = t.images.slice(index * 784, (index + 1) * 784);
  pad.show(testImage);
  status('input-status', `test image ${index} (label ${t.labels[index]})`);
  writeState({ img: index });
  void decide();
}

// ---- live training --------------------------------------------------------------------------
let worker: Worker | null = null;
let points: [number, number][] = [];
let totalSteps = 1;
let pendingCheckpoint: ((bytes: ArrayBuffer) => void) | null = null;

function send(m: ToWorker, transfer: Transferable[] = []): void {
  worker!.postMessage(m, transfer);
}

function startTraining(): void {
  if (!pack) return;
  // The form's values obey the same rules as a link's (hash-state.ts).
  const field = <K extends 'layers' | 'train' | 'epochs' | 'seed'>(key: K, id: string, label: string): PageHash[K] | undefined => {
    const r = parseHashField(key, $<HTMLInputElement>(id).value);
    if ('value' in r) return r.value;
    status('train-status', `${label}: ${r.expected}.`);
    return undefined;
  };
  const layers = field('layers', 't-layers', 'Hidden layers');
  if (!layers) return;
  const trainCount = field('train', 't-train', 'Training images');
  if (trainCount === undefined) return;
  const epochs = field('epochs', 't-epochs', 'Epochs');
  if (epochs === undefined) return;
  const seed = field('seed', 't-seed', 'Seed');
  if (seed === undefined) return;
  const negatives = $<HTMLSelectElement>('t-negatives').value === 'hybrid' ? 'hybrid' : 'labels';
  writeState({ layers, train: trainCount, epochs, seed, neg: negatives });
  worker?.terminate();
  worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  points = [];
  worker.onmessage = (e: MessageEvent<FromWorker>) => onWorker(e.data);
  worker.onerror = (e) => status('train-status', `Training failed: ${e.message}`);
  const bytes = packBytes!.slice().buffer;
  $('hybrids').replaceChildren();
  delete $('train-status').dataset.done;
  send({ type: 'start', pack: bytes, layers, trainCount, epochs, seed, negatives }, [bytes]);
  $<HTMLButtonElement>('t-pause').disabled = false;
  $<HTMLButtonElement>('t-pause').textContent = 'Pause';
  status('train-status', 'Starting…');
}

function onWorker(m: FromWorker): void {
  const el = $('train-status');
  if (m.type === 'progress') {
    totalSteps = m.total;
    if (m.testError !== undefined) points.push([m.seen, m.testError]);
    if (m.hybrids) showHybrids(m.hybrids);
    drawCurve($<HTMLCanvasElement>('curve'), points, totalSteps);
    const last = points.at(-1);
    el.dataset.threads = String(m.threads);
    el.dataset.seconds = m.seconds.toFixed(2);
    el.textContent = `epoch ${m.epoch}, minibatch ${m.seen} of ${m.total} (${m.seconds.toFixed(1)} s of training, ${m.threads} thread${m.threads === 1 ? '' : 's'})${last ? `, test error ${(last[1] * 100).toFixed(1)} % (${$<HTMLSelectElement>('t-negatives').value === 'hybrid' ? 'linear probe' : 'softmax'}, ${pack!.test.count < 500 ? pack!.test.count : 500} sample test images)` : ''}`;
    el.dataset.errors = JSON.stringify(points.map((p) => p[1]));
    $<HTMLButtonElement>('t-use').disabled = false;
    $<HTMLButtonElement>('t-download').disabled = false;
  } else if (m.type === 'done') {
    el.textContent += ' — done.';
    el.dataset.done = '1';
    $<HTMLButtonElement>('t-pause').disabled = true;
  } else if (m.type === 'checkpoint') {
    pendingCheckpoint?.(m.bytes);
    pendingCheckpoint = null;
  } else {
    el.textContent = `Training failed: ${m.message}`;
  }
}

function showHybrids(images: Float32Array): void {
  const el = $('hybrids');
  el.replaceChildren();
  for (let i = 0; i < images.length / 784; i++) el.append(grayCanvas(images.subarray(i * 784, (i + 1) * 784), 28));
}

function checkpointBytes(): Promise<ArrayBuffer> {
  return new Promise((resolve) => {
    pendingCheckpoint = resolve;
    send({ type: 'checkpoint' });
  });
}

// ---- wiring -----------------------------------------------------------------------------------
let packBytes: Uint8Array | null = null;

async function init(): Promise<void> {
  // Only valid fields come through; the rest keep the form's defaults and are named in one line.
  const { state, ignored } = readState();
  status('link-status', ignoredMessage(ignored));
  for (const [id, key] of [['t-layers', 'layers'], ['t-train', 'train'], ['t-epochs', 'epochs'], ['t-seed', 'seed'], ['test-index', 'img'], ['t-negatives', 'neg']] as const) {
    const v = state[key];
    if (v !== undefined) $<HTMLInputElement>(id).value = Array.isArray(v) ? v.join(',') : String(v);
  }
  const res = await fetch('data/mnist-sample.bin');
  if (!res.ok) throw new Error(`data/mnist-sample.bin: HTTP ${res.status} (build the page with npm run build:web)`);
  packBytes = new Uint8Array(await res.arrayBuffer());
  pack = decodeSamplePack(packBytes);
  status('input-status', `${pack.test.count} test images available.`);
  const select = $<HTMLSelectElement>('run-select');
  try {
    const runs = (await (await fetch('api/runs')).json()) as { name: string }[];
    runs.forEach((r, i) => select.add(new Option(r.name, String(i))));
  } catch {
    // A static host has no run list: the file picker still works.
  }
  select.onchange = () => {
    writeState({ run: select.value || undefined });
    loadServerRun(select.value).catch((err: Error) => status('model-status', err.message));
  };
  $<HTMLInputElement>('run-file').onchange = async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await loadModel(new Uint8Array(await file.arrayBuffer()), file.name).catch((err: Error) => status('model-status', err.message));
  };
  $('clear').onclick = () => {
    testImage = null;
    status('input-status', 'Draw a digit.');
    pad.clear();
  };
  $('show-test').onclick = () => showTest(Number($<HTMLInputElement>('test-index').value));
  $('t-start').onclick = startTraining;
  $('t-pause').onclick = () => {
    const b = $<HTMLButtonElement>('t-pause');
    const pausing = b.textContent === 'Pause';
    send({ type: pausing ? 'pause' : 'resume' });
    b.textContent = pausing ? 'Resume' : 'Pause';
  };
  $('t-use').onclick = async () => loadModel(new Uint8Array(await checkpointBytes()), 'the live model').catch((err: Error) => status('model-status', err.message));
  $('t-download').onclick = async () => {
    const url = URL.createObjectURL(new Blob([await checkpointBytes()]));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'checkpoint.safetensors';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  if (state.run !== undefined && select.querySelector(`option[value="${CSS.escape(state.run)}"]`)) {
    select.value = state.run;
    await loadServerRun(state.run).catch((err: Error) => status('model-status', err.message));
  }
  if (state.img !== undefined) showTest(state.img);
  document.body.dataset.ready = '1';
}

init().catch((err: Error) => status('model-status', `The explorer could not start: ${err.message}`));
