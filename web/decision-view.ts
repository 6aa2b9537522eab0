// What the net decides for one image, computed (engine work, async) and then drawn: the
// verdict beside the pad (prediction, the score per label that decides, which way it wins),
// and below it the explanation — the input for every candidate label, each layer's goodness
// against its threshold, the summed goodness, the recurrent net settling (an animation:
// recurrent-animation.ts), the one-pass softmax
// and the hidden activity. An unsupervised net shows its linear probe instead of goodness.
import { classify, labelGoodness, layerActivities, softmaxScores, type FFNet, type LabelGoodness } from '../src/core.js';
import { differenceBase, explainerText, renderCandidates, renderGoodnessLayers, renderSummedGoodness } from './explain-panel.js';
import { argBest, renderActivities, renderBars } from './views.js';
import { renderRecurrentAnimation, stopAnimation } from './recurrent-animation.js';

const $ = (id: string) => document.getElementById(id)!;

export interface Decision {
  net: FFNet;
  image: Float32Array;
  /** The score per label that decides: summed goodness, or the probe's probabilities. */
  scores: number[];
  best: number;
  higherIsBetter: boolean;
  /** Per-label goodness (null for an unsupervised net: no label goes in). */
  goodness: LabelGoodness | null;
  softmax: number[] | null;
  activities: Float32Array[];
}

/** The engine's part: everything the panels show for `image`. */
export async function computeDecision(net: FFNet, image: Float32Array): Promise<Decision> {
  const activities = await Promise.all(net.cfg.layers.map((_, l) => layerActivities(net, image, 1, l)));
  if (net.heads.kind === 'probes') {
    // No label goes in: the linear probe on the hidden layers reads the answer off.
    const scores = Array.from((await classify(net, image, 1, 'probe')).scores);
    return { net, image, scores, best: argBest(scores, true), higherIsBetter: true, goodness: null, softmax: null, activities };
  }
  const g = await labelGoodness(net, image, { activities: net.dynamics.kind === 'recurrent' });
  const softmax = Array.from(await softmaxScores(net, image, 1));
  const scores = g.layers[0].map((_, j) => net.goodnessLayers.reduce((s, l) => s + g.layers[l][j], 0));
  return { net, image, scores, best: argBest(scores, g.higherIsBetter), higherIsBetter: g.higherIsBetter, goodness: g, softmax, activities };
}

const PANELS = ['prediction-detail', 'softmax-bars', 'goodness-bars', 'goodness-sum', 'candidates', 'iterations', 'activity', 'sum-chart', 'decision-rule', 'ff-explainer'];

/** No decision on screen (no model, or nothing drawn). */
export function clearDecision(): void {
  const pred = $('prediction');
  pred.textContent = '–';
  delete pred.dataset.label;
  stopAnimation();
  for (const id of PANELS) $(id).replaceChildren();
  delete $('decision-rule').dataset.rule;
  $('decision-panels').dataset.kind = 'none';
}

export function renderDecision(d: Decision, labels: string[]): void {
  const pred = $('prediction');
  pred.textContent = labels[d.best];
  pred.dataset.label = String(d.best);
  $('ff-explainer').textContent = explainerText(d.net);
  renderSumChart($('sum-chart'), d, labels);
  renderActivities($('activity'), d.activities);
  const rule = $('decision-rule');
  // An unsupervised net has no goodness per label: those panels are hidden, the bars are its probe's.
  $('decision-panels').dataset.kind = d.goodness ? 'goodness' : 'probe';
  $('softmax-h').textContent = d.goodness ? 'One-pass softmax' : 'Linear probe';
  if (!d.goodness) {
    rule.textContent = 'Highest probability wins.';
    rule.dataset.rule = 'probe';
    $('prediction-detail').textContent = '(the linear probe: an unsupervised net has no label input or goodness per label)';
    renderBars($('softmax-bars'), d.scores, labels, d.best, (v) => `${(v * 100).toFixed(1)} %`);
    stopAnimation();
    for (const id of ['goodness-bars', 'goodness-sum', 'candidates', 'iterations']) $(id).replaceChildren();
    return;
  }
  const net = d.net;
  const counted = net.goodnessLayers.map((l) => l + 1).join(', ');
  rule.textContent = d.higherIsBetter ? `Summed goodness of layer${net.goodnessLayers.length > 1 ? 's' : ''} ${counted}: higher wins.` : `Summed goodness of layer${net.goodnessLayers.length > 1 ? 's' : ''} ${counted}: lower wins (this net gives positive data low goodness).`;
  rule.dataset.rule = d.higherIsBetter ? 'higher' : 'lower';
  const softBest = argBest(d.softmax!, true);
  $('prediction-detail').textContent = `(goodness summed over ${counted.includes(",") ? "layers" : "layer"} ${counted}; the one-pass softmax says ${labels[softBest]})`;
  renderBars($('softmax-bars'), d.softmax!, labels, softBest, (v) => `${(v * 100).toFixed(1)} %`);
  renderCandidates($('candidates'), net, d.image, d.scores, d.best, labels);
  renderSummedGoodness($('goodness-sum'), d.scores, d.best, d.higherIsBetter, labels);
  renderGoodnessLayers($('goodness-bars'), net, d.goodness, labels);
  renderRecurrentAnimation($('iterations'), net, d.goodness, labels);
}

/**
 * The verdict beside the pad, small enough for a phone: one column per label, its height the
 * score that decides (the winner in colour); each column is read as its label and value.
 * Column heights of goodness sums are measured from a little below the lowest sum.
 */
function renderSumChart(el: HTMLElement, d: Decision, labels: string[]): void {
  el.replaceChildren();
  // Goodness sums start a little below the lowest (their differences are small beside them); probabilities at 0.
  const lo = d.goodness ? differenceBase(d.scores) : 0;
  const hi = Math.max(1e-12, ...d.scores.map((v) => v - lo));
  const format = (v: number) => (d.goodness ? v.toFixed(2) : `${(v * 100).toFixed(1)} %`);
  d.scores.forEach((v, j) => {
    const col = document.createElement('div');
    col.className = j === d.best ? 'col best' : 'col';
    const bar = document.createElement('div');
    bar.className = 'colbar';
    bar.style.height = `${Math.max(2, (100 * (v - lo)) / hi)}%`;
    bar.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.textContent = labels[j];
    const value = document.createElement('span');
    value.className = 'visually-hidden';
    value.textContent = `: ${format(v)}${j === d.best ? ' (wins)' : ''}`;
    col.append(bar, name, value);
    el.append(col);
  });
}

/** The 28×28 image the net is given (or an empty square), in the canvas beside the pad. */
export function showNetInput(canvas: HTMLCanvasElement, image: Float32Array | null): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = image ? Math.round(Math.min(1, Math.max(0, image[i])) * 255) : 0;
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  let ink = 0;
  if (image) for (const v of image) ink += v;
  canvas.dataset.ink = ink.toFixed(2);
  canvas.setAttribute('aria-label', image ? `the 28×28 image the net is given (total ink ${ink.toFixed(0)})` : 'the 28×28 image the net is given: nothing drawn');
}
