// Which view shows a run, and the view itself: FF runs on 28×28 images keep the page's own
// panels (main.ts, decision-view.ts); every other kind we train gets its panels here, in the
// "run-view" section — BP runs (activity and softmax for the drawn digit), FF conv runs on
// MNIST (the drawn digit's class scores and the filters), CIFAR runs (a test image, the class
// scores, the LC windows or conv filters; BP's activity), Aesop runs (a prime, the
// next-character distribution and a continuation). The sections a view has no use for are hidden.
import { getAlgorithm, type Checkpoint, type Engine } from '../../src/core.js';
import type { BPModel } from '../../src/bp/bp-model.js';
import { classNamesOf } from '../../src/export/class-names.js';
import { aesopView } from './aesop-view.js';
import { bpAnalyser } from './bp-view.js';
import { cifarPicker } from './cifar-source.js';
import { renderFirstLayer } from './first-layer.js';
import type { ImageAnalyser } from './image-analyser.js';
import { scoreAnalyser } from './score-view.js';
import { predictionLine } from './view-parts.js';

export type ViewKind = 'ff' | 'bp' | 'conv' | 'cifar' | 'aesop';

export function viewKindOf(ck: Checkpoint): ViewKind {
  const dataset = String(ck.config.dataset ?? '');
  if (dataset === 'aesop') return 'aesop';
  if (dataset === 'cifar-10') return 'cifar';
  if (ck.algo === 'bp') return 'bp';
  if (ck.config.connectivity === 'conv') return 'conv';
  return 'ff';
}

export interface RunView {
  kind: ViewKind;
  /** The net in a few words, for the model status ("backprop 784-50-50-10"). */
  summary: string;
  /** Views on the drawing pad: the drawn (or MNIST test) image, null when there is none. */
  showImage?(image: Float32Array | null): Promise<void>;
  /** Take the view's panels off the page and show the page's own sections again. */
  close(): void;
}

const $ = (id: string) => document.getElementById(id)!;

/** The page's own sections: the drawing pad, FF's decision panels, FF's receptive fields. */
function pageSections(): Record<'input' | 'decision' | 'fields', HTMLElement> {
  return { input: $('input-h').closest('section')!, decision: $('decision-panels'), fields: $('fields-h').closest('section')! };
}

/** The run's panels, in the run-view section; throws a one-line error for a run no view shows. */
export function openRunView(ck: Checkpoint, engine: Engine, name: string): RunView {
  const kind = viewKindOf(ck);
  if (kind === 'ff') throw new Error(`${name}: an FF run on 28×28 images is shown by the page's own panels`);
  const model = getAlgorithm(ck.algo).fromCheckpoint(engine, ck);
  const shape = model.shape;
  const names = classNamesOf(String(ck.config.dataset ?? ''), shape.numClasses);
  const onPad = kind === 'bp' || kind === 'conv';
  if (onPad && shape.height * shape.width * shape.channels !== 784) throw new Error(`${name} was trained on ${shape.height}×${shape.width}×${shape.channels} images; the pad draws 28×28`);
  const section = $('run-view');
  const body = $('run-view-body');
  body.replaceChildren();
  section.dataset.kind = kind;
  const sections = pageSections();
  sections.input.hidden = !onPad;
  sections.decision.hidden = true;
  sections.fields.hidden = true;
  section.hidden = false;
  const layers = (ck.config.layers as number[]).join('-');
  const algo = ck.algo === 'bp' ? 'backprop' : 'FF';
  const close = (stop?: () => void) => () => {
    stop?.();
    body.replaceChildren();
    section.hidden = true;
    delete section.dataset.kind;
    for (const el of Object.values(sections)) el.hidden = false;
  };
  if (kind === 'aesop') {
    $('run-view-h').textContent = "Aesop's fables: the next character";
    const stop = aesopView(model, body, shape.width);
    return { kind, summary: `${algo} on Aesop's fables, ${shape.width} characters of context → ${layers}`, close: close(stop) };
  }
  $('run-view-h').textContent = kind === 'cifar' ? 'CIFAR-10: a test image and what the net says' : `How the ${algo === 'FF' ? 'convolutional FF' : 'backprop'} net decided`;
  const prediction = predictionLine(body);
  let closed = false;
  let generation = 0;
  const analyser: ImageAnalyser = ck.algo === 'bp' ? bpAnalyser(model as BPModel, body, names) : scoreAnalyser(model, body, names);
  renderFirstLayer(ck, body);
  const show = async (image: Float32Array | null) => {
    const gen = ++generation;
    const best = await analyser.show(image);
    if (closed || gen !== generation) return;
    prediction.show(best, names);
    if (onPad) {
      // The verdict beside the pad says it too.
      const pred = $('prediction');
      pred.textContent = best === null ? '–' : names[best];
      if (best === null) delete pred.dataset.label;
      else pred.dataset.label = String(best);
    }
  };
  const summary = `${algo}${ck.config.connectivity === 'conv' ? ' conv' : ck.config.connectivity === 'local' ? ' locally-connected' : ''}${ck.config.architecture === 'recurrent' ? ' recurrent' : ''} ${layers} on ${shape.height}×${shape.width}${shape.channels > 1 ? `×${shape.channels}` : ''} images`;
  const stop = () => {
    closed = true;
  };
  if (kind === 'cifar') {
    // The picker goes above the panels.
    const picker = document.createElement('div');
    body.prepend(picker);
    void cifarPicker(picker, names, show);
    return { kind, summary, close: close(stop) };
  }
  return { kind, summary, showImage: show, close: close(stop) };
}
