// Live training's goodness, drawn: a few positive cases of the current minibatch over their
// negatives, each with its goodness per layer, and per layer the histograms of positive and
// negative goodness on held-out images with the threshold θ between them — training moves
// them apart. What is measured comes from the worker (live-goodness.ts).
import { grayCanvas } from './gray-canvas.js';
import type { GoodnessSample, LiveGoodness } from './live-goodness.js';

const BINS = 24;
const POS = [58, 123, 213];
const NEG = [213, 87, 58];
const LABEL_PIXEL = [255, 159, 26];

/** An image with its label pixel lit (the live nets write the label into the first pixels), or as it is. */
function caseCanvas(images: Float32Array, i: number, label: number | undefined): HTMLCanvasElement {
  const c = grayCanvas(images.subarray(i * 784, (i + 1) * 784), 28);
  if (label !== undefined) {
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = `rgb(${LABEL_PIXEL.join(',')})`;
    ctx.fillRect(label, 0, 1, 1);
  }
  return c;
}

const perLayer = (g: number[][], i: number) => g.map((layer) => layer[i].toFixed(1)).join(' | ');
/** Three significant digits: short enough under a 56 px image. */
const short = (g: number[][], i: number) => g.map((layer) => String(Number(layer[i].toPrecision(3)))).join(' | ');

/** Positives in the top row, their negatives under them; each with its goodness per layer. */
function renderExamples(el: HTMLElement, ex: GoodnessSample): void {
  el.replaceChildren();
  const supervised = ex.posLabels.length > 0;
  const count = ex.posGoodness[0]?.length ?? 0;
  for (const kind of ['positive', 'negative'] as const) {
    const images = kind === 'positive' ? ex.posImages : ex.negImages;
    const labels = kind === 'positive' ? ex.posLabels : ex.negLabels;
    const g = kind === 'positive' ? ex.posGoodness : ex.negGoodness;
    for (let i = 0; i < count; i++) {
      const fig = document.createElement('figure');
      fig.className = `case ${kind}`;
      const c = caseCanvas(images, i, supervised ? labels[i] : undefined);
      c.setAttribute('role', 'img');
      const what = supervised ? `${kind}: the image with label ${labels[i]}${kind === 'positive' ? ' (right)' : ' (wrong)'}` : `${kind}: ${kind === 'positive' ? 'a real image' : 'a hybrid image'}`;
      c.setAttribute('aria-label', `${what}, goodness per layer ${perLayer(g, i)}`);
      const cap = document.createElement('figcaption');
      cap.setAttribute('aria-hidden', 'true');
      const verdict = supervised ? document.createElement('div') : null;
      if (verdict) verdict.textContent = `label ${labels[i]} ${kind === 'positive' ? '✓' : '✗'}`;
      const values = document.createElement('div');
      values.textContent = short(g, i);
      cap.append(...(verdict ? [verdict] : []), values);
      fig.append(c, cap);
      el.append(fig);
    }
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** One layer's histograms, positive and negative overlaid, with θ; its numbers in words as its name and caption. */
function histogramFigure(pos: number[], neg: number[], theta: number, layer: number, higherIsBetter: boolean, supervised: boolean): HTMLElement {
  const c = document.createElement('canvas');
  c.width = 300;
  c.height = 90;
  c.className = 'histogram';
  const lo = Math.min(theta, ...pos, ...neg);
  const hi = Math.max(theta, ...pos, ...neg) + 1e-9;
  const bin = (v: number) => Math.min(BINS - 1, Math.floor(((v - lo) / (hi - lo)) * BINS));
  const count = (vs: number[]) => vs.reduce((h, v) => (h[bin(v)]++, h), new Array<number>(BINS).fill(0));
  const [hp, hn] = [count(pos), count(neg)];
  const top = Math.max(1, ...hp, ...hn);
  const ctx = c.getContext('2d')!;
  const [W, H, base] = [c.width, c.height, c.height - 14];
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  for (const [h, rgb] of [[hp, POS], [hn, NEG]] as const) {
    ctx.fillStyle = `rgba(${rgb.join(',')}, 0.6)`;
    h.forEach((n, b) => ctx.fillRect((b * W) / BINS, base - (n / top) * (base - 14), W / BINS - 1, (n / top) * (base - 14)));
  }
  const x = ((theta - lo) / (hi - lo)) * W;
  ctx.fillStyle = '#222';
  ctx.fillRect(Math.min(W - 2, x), 10, 2, base - 10);
  ctx.font = '11px system-ui';
  ctx.fillText(`layer ${layer + 1}`, 4, 11);
  ctx.fillText(lo.toFixed(1), 2, H - 2);
  ctx.fillText(`θ ${theta.toFixed(1)}`, Math.min(W - 44, Math.max(0, x - 16)), H - 2);
  const hiText = hi.toFixed(1);
  ctx.fillText(hiText, W - ctx.measureText(hiText).width - 2, H - 2);
  // The share of each kind on its own side of θ: what training drives towards 100 %.
  const right = (v: number, positive: boolean) => (v > theta) === (positive === higherIsBetter);
  const posRight = pos.filter((v) => right(v, true)).length;
  const negRight = neg.filter((v) => right(v, false)).length;
  c.dataset.separated = ((posRight + negRight) / (pos.length + neg.length)).toFixed(3);
  c.dataset.gap = (median(pos) - median(neg)).toFixed(3);
  // Case by case, the positive beats its own negative (the same image, a wrong label): what the
  // goodness classifier needs.
  const ordered = pos.filter((v, i) => (higherIsBetter ? v > neg[i] : v < neg[i])).length;
  c.dataset.ordered = (ordered / pos.length).toFixed(3);
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', `layer ${layer + 1} goodness on ${pos.length} held-out images: positive median ${median(pos).toFixed(2)}, negative median ${median(neg).toFixed(2)}, θ ${theta.toFixed(2)}; ${posRight} positives ${higherIsBetter ? 'above' : 'below'} θ, ${negRight} negatives ${higherIsBetter ? 'below' : 'above'} it; ${supervised ? 'the positive beats its own negative' : 'the real image beats the hybrid made from it'} in ${ordered} of ${pos.length}`);
  const fig = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.className = 'note';
  cap.setAttribute('aria-hidden', 'true');
  cap.textContent = `Layer ${layer + 1}: ${pct(posRight + negRight, pos.length + neg.length)} on their side of θ; ${supervised ? 'a positive beats its own negative (the same image, a wrong label)' : 'a real image beats the hybrid made from it'} in ${pct(ordered, pos.length)}.`;
  fig.append(c, cap);
  return fig;
}

const pct = (n: number, of: number) => `${Math.round((100 * n) / Math.max(1, of))} %`;

export function renderLiveGoodness(live: LiveGoodness): void {
  document.getElementById('live-goodness')!.hidden = false;
  renderExamples(document.getElementById('live-examples')!, live.examples);
  const el = document.getElementById('live-histograms')!;
  el.replaceChildren(...live.histogram.posGoodness.map((pos, l) => histogramFigure(pos, live.histogram.negGoodness[l], live.thresholds[l], l, live.higherIsBetter, live.examples.posLabels.length > 0)));
}

export function clearLiveGoodness(): void {
  document.getElementById('live-goodness')!.hidden = true;
  document.getElementById('live-examples')!.replaceChildren();
  document.getElementById('live-histograms')!.replaceChildren();
}
