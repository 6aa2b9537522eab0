// The explanation is the interface: how FF classifies, in a few plain sentences fitted to the
// net on screen; the input as the net gets it for every candidate label (the label's pixels in
// colour); each hidden layer's goodness per label against its threshold θ, marked counted or
// not; and the summed goodness that decides, with which way it wins.
import type { FFNet, LabelGoodness } from '../src/core.js';
import { argBest } from './views.js';

const SIZE = 28;
/** Label pixels in the candidate pictures: the candidate's own, and the others (all 0 in the input). */
const LABEL_ON = [255, 159, 26];
const LABEL_OFF = [42, 58, 90];

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

/** "layers 2, 3" / "layer 1". */
function layerList(net: FFNet): string {
  return `${plural(net.goodnessLayers.length, 'layer')} ${net.goodnessLayers.map((l) => l + 1).join(', ')}`;
}

/** How this net classifies, in 2–4 sentences. */
export function explainerText(net: FFNet): string {
  const high = net.cfg.goodness !== 'min-ssq';
  const reduce = net.cfg.goodnessReduce === 'mean' ? 'mean' : 'sum';
  const goodness = `A layer's goodness is the ${reduce} of its squared activities.`;
  if (net.heads.kind === 'probes') {
    return `This net learnt without labels: its positive passes were real images, its negative passes hybrid images (two digits mixed through a blurred mask). ${goodness} Each layer learnt to give real images ${high ? 'high' : 'low'} goodness; as no label goes in, a linear probe trained on the hidden activity reads off the digit.`;
  }
  const N = net.numClasses;
  const how =
    net.input.placement === 'pixels' ? `writes each candidate label into the image's first ${N} pixels (top left; enlarged in the strip under each image below)`
    : net.input.placement === 'extra' ? `appends each candidate label to the image as ${N} extra inputs`
    : `clamps each candidate label on a label layer at the top (the strip under each image below) and lets the layers settle for ${net.cfg.testTo} iterations`;
  return `Forward-Forward tries every label: it ${how}, and runs the net once for each of the ${N}. ${goodness} Training pushed goodness ${high ? 'above' : 'below'} the threshold θ on positive passes (an image with its right label) and ${high ? 'below' : 'above'} it on negative passes (the image with a wrong label). So the label whose pass gives the ${high ? 'highest' : 'lowest'} goodness, summed over ${layerList(net)}, wins.`;
}

/**
 * The net's input for `label`: the image as the net gets it, the label's pixels in colour where
 * the label is written into the image, and under it a strip of the label units enlarged (label
 * pixels, extra label inputs, or the recurrent net's clamped label layer), the candidate's lit.
 */
function candidateCanvas(net: FFNet, image: Float32Array, label: number): HTMLCanvasElement {
  const input = net.input;
  const N = input.numClasses;
  const row = new Float32Array(input.width);
  input.write(row, 0, image, 0, label);
  const lit = (j: number) => (input.placement === 'none' ? j === label : row[input.labelOffset + j] > 0);
  const c = document.createElement('canvas');
  c.width = SIZE;
  c.height = SIZE + 4;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = Math.round(Math.min(1, Math.max(0, row[i])) * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  if (input.placement === 'pixels') for (let j = 0; j < N; j++) img.data.set([...(lit(j) ? LABEL_ON : LABEL_OFF), 255], (input.labelOffset + j) * 4);
  ctx.putImageData(img, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, SIZE, SIZE, 4);
  for (let j = 0; j < N; j++) {
    ctx.fillStyle = `rgb(${(lit(j) ? LABEL_ON : LABEL_OFF).join(',')})`;
    ctx.fillRect((j * SIZE) / N, SIZE + 1, SIZE / N - 0.3, 3);
  }
  return c;
}

/** All candidate inputs side by side, each with its summed goodness; the winner marked. */
export function renderCandidates(el: HTMLElement, net: FFNet, image: Float32Array, scores: number[], best: number, labels: string[]): void {
  el.replaceChildren();
  scores.forEach((score, j) => {
    const fig = document.createElement('figure');
    fig.className = j === best ? 'candidate best' : 'candidate';
    const c = candidateCanvas(net, image, j);
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', `the input with label ${labels[j]}: summed goodness ${score.toFixed(2)}${j === best ? ', the winner' : ''}`);
    const cap = document.createElement('figcaption');
    cap.textContent = `${labels[j]}: ${score.toFixed(1)}`;
    cap.setAttribute('aria-hidden', 'true');
    fig.append(c, cap);
    el.append(fig);
  });
}

/**
 * Bars for `values` with a line at `theta` (scaled together), `best` in colour; each row is read
 * once, as its label and value.
 */
function thresholdBars(el: HTMLElement, values: number[], labels: string[], best: number, theta: number | null, note: (j: number) => string, base = Math.min(0, ...values, theta ?? 0)): void {
  el.className = 'bars';
  const lo = base;
  const span = Math.max(1e-12, ...values.map((v) => v - lo), theta === null ? 0 : theta - lo);
  const pct = (v: number) => `${(100 * (v - lo)) / span}%`;
  values.forEach((v, j) => {
    const name = document.createElement('span');
    name.textContent = labels[j];
    const track = document.createElement('div');
    track.className = 'track';
    track.setAttribute('aria-hidden', 'true');
    const bar = document.createElement('div');
    bar.className = j === best ? 'bar best' : 'bar';
    bar.style.width = pct(v);
    track.append(bar);
    if (theta !== null) {
      const line = document.createElement('div');
      line.className = 'theta';
      line.style.left = pct(theta);
      track.append(line);
    }
    const text = document.createElement('span');
    text.textContent = v.toFixed(2);
    const said = document.createElement('span');
    said.className = 'visually-hidden';
    said.textContent = note(j);
    text.append(said);
    el.append(name, track, text);
  });
}

/** Per hidden layer: each label's goodness against θ, and whether the layer counts in the decision. */
export function renderGoodnessLayers(el: HTMLElement, net: FFNet, g: LabelGoodness, labels: string[]): void {
  el.replaceChildren();
  g.layers.forEach((values, l) => {
    const counted = net.goodnessLayers.includes(l);
    const theta = net.threshold(l);
    const box = document.createElement('div');
    box.className = counted ? 'layer' : 'layer not-counted';
    const title = document.createElement('div');
    title.className = 'layer-title';
    const above = values.filter((v) => v > theta).length;
    title.textContent = `layer ${l + 1}: θ = ${theta.toFixed(2)}, ${above} of ${values.length} labels above it${counted ? '' : ' — not counted in the decision'}`;
    const bars = document.createElement('div');
    const best = argBest(values, g.higherIsBetter);
    const flat = Math.max(...values) - Math.min(...values) <= 1e-9 * Math.max(1, ...values.map(Math.abs));
    thresholdBars(bars, values, labels, flat ? -1 : best, theta, (j) => `${values[j] > theta ? ' (above θ)' : ' (below θ)'}${!flat && j === best ? ' (this layer’s favourite)' : ''}`);
    box.append(title, bars);
    el.append(box);
  });
}

/**
 * Where bars of close values start so that their differences show: a little below the lowest
 * (the sums of all labels are often within a few per cent of each other).
 */
export function differenceBase(values: number[]): number {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  return lo - Math.max(0.15 * (hi - lo), 1e-6 * Math.abs(lo), 1e-9);
}

/** The sum over the counted layers, per label: what decides, and which way. */
export function renderSummedGoodness(el: HTMLElement, scores: number[], best: number, higherIsBetter: boolean, labels: string[]): void {
  el.replaceChildren();
  const bars = document.createElement('div');
  const base = differenceBase(scores);
  thresholdBars(bars, scores, labels, best, null, (j) => (j === best ? ' (wins)' : ''), base);
  const note = document.createElement('p');
  note.className = 'note';
  const from = `The bars start at ${base.toFixed(2)}, not 0, so that the differences show.`;
  note.textContent = `${higherIsBetter ? 'The highest sum wins.' : 'Lower wins: this net was trained to give positive data low goodness (min-ssq), so the shortest bar is its answer.'} ${from}`;
  el.append(bars, note);
}
