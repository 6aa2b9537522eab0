// What the page draws: labelled bars (softmax, the probe), a recurrent net's
// iterations, the live training curve. Plain DOM and canvas, no framework.
import type { LabelGoodness } from '../src/core.js';

/**
 * One bar per label; `best` highlighted; values shown as text. A screen reader reads each row
 * once, as its label and value: the bar itself is decorative, and "best" is said in words.
 */
export function renderBars(el: HTMLElement, values: number[], labels: string[], best: number, format: (v: number) => string): void {
  el.replaceChildren();
  el.classList.add('bars');
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values.map((v) => v - lo), 1e-12);
  values.forEach((v, i) => {
    const name = document.createElement('span');
    name.textContent = labels[i];
    const bar = document.createElement('div');
    bar.className = i === best ? 'bar best' : 'bar';
    bar.style.width = `${(100 * (v - lo)) / hi}%`;
    bar.setAttribute('aria-hidden', 'true');
    const text = document.createElement('span');
    text.textContent = format(v);
    if (i === best) {
      const said = document.createElement('span');
      said.className = 'visually-hidden';
      said.textContent = ' (best)';
      text.append(said);
    }
    el.append(name, bar, text);
  });
}

/** A recurrent net: per iteration, which label each layer's goodness favours — the states settling. */
export function renderIterations(el: HTMLElement, g: LabelGoodness, labels: string[]): void {
  el.replaceChildren();
  if (!g.iterations.length) return;
  const table = document.createElement('table');
  const head = table.insertRow();
  head.insertCell().textContent = 'iteration';
  g.layers.forEach((_, l) => (head.insertCell().textContent = `layer ${l + 1} favours`));
  g.iterations.forEach((layers, t) => {
    const row = table.insertRow();
    row.insertCell().textContent = String(t + 1);
    // At the first iteration every label may give a layer the same goodness: no favourite then.
    layers.forEach((values) => (row.insertCell().textContent = Math.max(...values) - Math.min(...values) <= 1e-9 * Math.max(1, ...values.map(Math.abs)) ? 'none (all equal)' : labels[argBest(values, g.higherIsBetter)]));
  });
  el.append(table);
}

export function argBest(values: number[], higherIsBetter: boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (higherIsBetter ? values[i] > values[best] : values[i] < values[best]) best = i;
  return best;
}

/** The curve in words, for its canvas's accessible name: where it started, where it is, its lowest. */
export function curveText(points: [number, number][], total: number): string {
  if (!points.length) return 'test error during training: no values yet';
  const pct = (e: number) => `${(e * 100).toFixed(1)} %`;
  const [seen, last] = points[points.length - 1];
  const lowest = Math.min(...points.map((p) => p[1]));
  return `test error during training: ${pct(points[0][1])} at the start, ${pct(last)} after minibatch ${seen} of ${total}, lowest ${pct(lowest)} (${points.length} measurements)`;
}

/** Test error (0–1) against minibatches seen, as a line; its values in words as the canvas's name. */
export function drawCurve(canvas: HTMLCanvasElement, points: [number, number][], total: number): void {
  canvas.setAttribute('aria-label', curveText(points, total));
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui';
  ctx.fillText('test error', 4, 12);
  ctx.fillText('100 %', W - 36, 12);
  ctx.fillText('0', W - 12, H - 4);
  if (!points.length) return;
  ctx.strokeStyle = '#3a7bd5';
  ctx.lineWidth = 2;
  ctx.beginPath();
  points.forEach(([x, y], i) => {
    const px = (x / Math.max(1, total)) * (W - 8) + 4;
    const py = H - 4 - y * (H - 20);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.stroke();
}

/** Each hidden layer's activities as a strip of grey cells (white: the layer's largest). */
export function renderActivities(el: HTMLElement, layers: Float32Array[]): void {
  el.replaceChildren();
  layers.forEach((acts, l) => {
    const c = document.createElement('canvas');
    c.width = acts.length;
    c.height = 1;
    c.setAttribute('role', 'img');
    const active = acts.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    c.setAttribute('aria-label', `layer ${l + 1}: ${active} of ${acts.length} units active`);
    c.title = `layer ${l + 1}: ${active} of ${acts.length} units active`;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(acts.length, 1);
    const max = Math.max(1e-12, ...acts);
    acts.forEach((v, i) => {
      const g = Math.round((255 * v) / max);
      img.data.set([g, g, g, 255], i * 4);
    });
    ctx.putImageData(img, 0, 0);
    el.append(c);
  });
}
