// The explorer page: load a trained run (from `ff serve` or a file), draw or pick a digit and
// see what the net's goodness and softmax say, layer by layer; train a small net live in a
// worker. Inference runs here on the WebAssembly engine (one thread: a page may not block).
import { FFModel, WasmEngine, decodeCheckpoint, decodeSamplePack, type SamplePack } from '../src/core.js';
import { clearFields, renderFields } from './fields.js';
import { grayCanvas } from './gray-canvas.js';
import { DrawPad } from './draw-pad.js';
import { drawCurve } from './learning-curve.js';
import { clearLiveFields, renderLiveFields } from './live-fields.js';
import { clearConfusion, renderConfusion } from './confusion-view.js';
import { clearDecision, computeDecision, renderDecision, showNetInput } from './decision-view.js';
import { clearLiveGoodness, renderLiveGoodness } from './live-goodness-view.js';
import { readState, writeState } from './url-state.js';
import { ignoredMessage, parseHashField, type PageHash } from './hash-state.js';
import { listRuns } from './run-list.js';
import { openRunView, viewKindOf, type RunView } from './run-views/run-view.js';
import type { FromWorker, ProgressMessage, ToWorker } from './train-worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const engine = new WasmEngine();
const LABELS = [...'0123456789'];
let model: FFModel | null = null;
/** Any other kind of run on screen (BP, conv, CIFAR, Aesop): its own panels (run-views/). */
let runView: RunView | null = null;
let pack: SamplePack | null = null;
let testImage: Float32Array | null = null;

const pad = new DrawPad($<HTMLCanvasElement>('pad'), () => void decide());

function status(id: string, text: string): void {
  $(id).textContent = text;
}

// What is on screen is one model, and the hash names it: every load, refusal or clearing starts
// a new generation, and the work of an older one (a slow fetch, a render) is dropped when it ends.
let modelGeneration = 0;

/** A checkpoint to show: its bytes, its name, and the server's run index when it is one. */
interface ModelSource {
  bytes: Uint8Array;
  name: string;
  run?: string;
}

/** "3 epochs trained" (a live model paused mid-epoch: "0 epochs and 12 minibatches trained"). */
function trainedText(state: Record<string, unknown>): string {
  const epochs = Number(state.epoch ?? 0);
  const partial = Number(state.partialMinibatches ?? 0);
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${count(epochs, 'epoch', 'epochs')}${partial > 0 ? ` and ${count(partial, 'minibatch', 'minibatches')}` : ''} trained`;
}

/** No model on screen: the message says why; every panel that showed one is cleared, and the link names none. */
function showNoModel(message: string): void {
  modelGeneration++;
  model = null;
  runView?.close();
  runView = null;
  status('model-status', message);
  delete $('model-status').dataset.loaded;
  $<HTMLSelectElement>('run-select').value = '';
  writeState({ run: undefined });
  clearFields($('fields'), $('unit-top'));
  void decide();
}

/** Load what `source` gives and put it on screen, or say why not (and show no model). */
async function showModel(source: () => Promise<ModelSource>, loading: string): Promise<void> {
  showNoModel(`Loading ${loading}…`);
  const gen = modelGeneration;
  const current = () => gen === modelGeneration;
  try {
    const { bytes, name, run } = await source();
    if (!current()) return;
    const ck = decodeCheckpoint(bytes, name);
    let summary: string;
    if (viewKindOf(ck) === 'ff') {
      const m = FFModel.fromCheckpoint(engine, ck);
      if (m.net.input.imageSize !== 784) throw new Error(`${name} was trained on ${m.net.input.imageSize}-pixel images; the pad draws 28×28`);
      model = m;
      summary = `${m.cfg.architecture ?? 'feedforward'} ${[784, ...m.cfg.layers].join('-')}`;
    } else {
      runView = openRunView(ck, engine, name);
      summary = runView.summary;
    }
    status('model-status', `Loaded ${name}: ${summary}, ${trainedText(ck.state)}.`);
    $('model-status').dataset.loaded = name;
    $<HTMLSelectElement>('run-select').value = run ?? '';
    writeState({ run });
    if (pack && model) await renderFields($('fields'), $('unit-top'), model, pack, current);
    await decide();
  } catch (err) {
    if (current()) showNoModel(err instanceof Error ? err.message : String(err));
  }
}

function showServerRun(index: string): Promise<void> {
  const name = [...$<HTMLSelectElement>('run-select').options].find((o) => o.value === index)?.textContent ?? `run ${index}`;
  return showModel(async () => {
    const res = await fetch(`api/runs/${index}/checkpoint.safetensors`);
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
    return { bytes: new Uint8Array(await res.arrayBuffer()), name, run: index };
  }, name);
}

let decideGeneration = 0;

/** The decision panels for the drawing (or test image), and beside the pad the 28×28 image the net gets. */
async function decide(): Promise<void> {
  const gen = ++decideGeneration;
  const image = pad.inked ? pad.image() : testImage;
  showNetInput($<HTMLCanvasElement>('net-input'), image);
  if (runView) {
    clearDecision();
    await runView.showImage?.(image);
    return;
  }
  if (!model || !image) {
    clearDecision();
    return;
  }
  const d = await computeDecision(model.net, image);
  if (gen !== decideGeneration) return; // a newer model or image is being shown
  renderDecision(d, LABELS);
}

/** The test-image field as typed: an index the sample has, or the status says which are. */
function showTypedTest(raw: string): void {
  const r = parseHashField('img', raw);
  if (!pack) return;
  if (!('value' in r) || r.value! >= pack.test.count) {
    status('input-status', `Test image: an integer in 0–${pack.test.count - 1}.`);
    return;
  }
  showTest(r.value!);
}

function showTest(index: number): void {
  if (!pack) return;
  const t = pack.test;
  if (!Number.isInteger(index) || index < 0 || index >= t.count) {
    status('input-status', `Test image: an integer in 0–${t.count - 1}.`);
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
let livePaused = false;

/** What live training runs on: WebGPU and its adapter, or WebAssembly, its threads and why not WebGPU. */
function engineText(m: ProgressMessage): string {
  return m.engine === 'webgpu' ? `on WebGPU, ${m.engineAbout}` : `on WebAssembly, ${threadsText(m.threads)}; not WebGPU: ${m.engineAbout}`;
}

/** How many threads the live run has, and why only one where that is all it gets. */
function threadsText(threads: number): string {
  if (threads > 1) return `${threads} threads`;
  // Shared memory between workers needs the page cross-origin isolated (COOP/COEP headers).
  if (!self.crossOriginIsolated) return '1 thread: this host does not send the cross-origin isolation headers (COOP/COEP) that threads sharing memory need; ff serve does';
  return '1 thread: this device reports one processor';
}

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
  clearLiveGoodness();
  clearLiveFields($('live-fields'));
  clearConfusion($('confusion'));
  delete $('train-status').dataset.done;
  send({ type: 'start', pack: bytes, layers, trainCount, epochs, seed, negatives }, [bytes]);
  livePaused = false;
  delete $('train-status').dataset.paused;
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
    if (m.goodness) renderLiveGoodness(m.goodness);
    if (m.fields) renderLiveFields($('live-fields'), m.fields, `epoch ${(m.seen / m.perEpoch).toFixed(2)}`);
    drawCurve($<HTMLCanvasElement>('curve'), $('curve-values'), points, totalSteps, m.perEpoch);
    const last = points.at(-1);
    el.dataset.threads = String(m.threads);
    el.dataset.engine = m.engine;
    el.dataset.seconds = m.seconds.toFixed(2);
    el.textContent = `${livePaused ? 'Paused at ' : ''}epoch ${m.epoch}, minibatch ${m.seen} of ${m.total} (${m.seconds.toFixed(1)} s of training, ${engineText(m)})${last ? `, test error ${(last[1] * 100).toFixed(1)} % (${$<HTMLSelectElement>('t-negatives').value === 'hybrid' ? 'linear probe' : 'softmax'}, ${pack!.test.count < 500 ? pack!.test.count : 500} sample test images)` : ''}`;
    el.dataset.errors = JSON.stringify(points.map((p) => p[1]));
    $<HTMLButtonElement>('t-use').disabled = false;
    $<HTMLButtonElement>('t-download').disabled = false;
  } else if (m.type === 'done') {
    el.textContent += ' — done.';
    renderConfusion($('confusion'), m.confusion, LABELS, `The ${Math.min(500, pack!.test.count)} sample test images`);
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
  for (let i = 0; i < images.length / 784; i++) {
    const c = grayCanvas(images.subarray(i * 784, (i + 1) * 784), 28);
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', `hybrid negative ${i + 1}: two training digits mixed through a blurred random mask`);
    el.append(c);
  }
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
  const runs = await listRuns();
  if (Array.isArray(runs)) runs.forEach((name, i) => select.add(new Option(name, String(i))));
  else {
    select.options[0].textContent = '(no run list on a static host)';
    status('model-status', `No model loaded. ${runs}; a checkpoint file still loads here.`);
  }
  select.onchange = () => {
    if (select.value === '') showNoModel('No model loaded.');
    else void showServerRun(select.value);
  };
  $<HTMLInputElement>('run-file').onchange = (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void showModel(async () => ({ bytes: new Uint8Array(await file.arrayBuffer()), name: file.name }), file.name);
  };
  $('clear').onclick = () => {
    testImage = null;
    status('input-status', 'Draw a digit.');
    pad.clear();
  };
  // Forms: Enter in a field does what its form's button does.
  $<HTMLFormElement>('test-form').onsubmit = (e) => {
    e.preventDefault();
    showTypedTest($<HTMLInputElement>('test-index').value);
  };
  $<HTMLFormElement>('train-form').onsubmit = (e) => {
    e.preventDefault();
    startTraining();
  };
  $('t-pause').onclick = () => {
    const b = $<HTMLButtonElement>('t-pause');
    livePaused = b.textContent === 'Pause';
    send({ type: livePaused ? 'pause' : 'resume' });
    b.textContent = livePaused ? 'Resume' : 'Pause';
    const el = $('train-status');
    if (livePaused) el.dataset.paused = '1';
    else delete el.dataset.paused;
    el.textContent = livePaused ? `Paused at ${el.textContent}` : el.textContent!.replace(/^Paused at /, '');
  };
  $('t-use').onclick = () => void showModel(async () => ({ bytes: new Uint8Array(await checkpointBytes()), name: 'the live model' }), 'the live model');
  $('t-download').onclick = async () => {
    const url = URL.createObjectURL(new Blob([await checkpointBytes()]));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'checkpoint.safetensors';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  if (state.run !== undefined) {
    if ([...select.options].some((o) => o.value === state.run)) await showServerRun(state.run);
    else {
      // Said, not silently dropped: the link names a run this page cannot show.
      const why = Array.isArray(runs) ? `no such run: the server lists ${runs.length}` : 'no run list on a static host';
      status('link-status', ignoredMessage([...ignored, `run=${state.run} (${why})`]));
      writeState({ run: undefined });
    }
  }
  if (state.img !== undefined) showTest(state.img);
  document.body.dataset.ready = '1';
}

init().catch((err: Error) => status('model-status', `The explorer could not start: ${err.message}`));
