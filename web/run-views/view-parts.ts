// Pieces every run view draws with: a headed panel, the prediction line, per-class score bars
// (names as long as CIFAR's), a colour image, and a library raster (conv filters, LC windows)
// as a canvas.
import type { Raster } from '../../src/viz/raster.js';
import { argBest, renderBars } from '../views.js';

/** An h3 and the element under it, appended to `body`; the element has `id` and is returned. */
export function panel(body: HTMLElement, id: string, heading: string, tag = 'div'): HTMLElement {
  const h = document.createElement('h3');
  h.textContent = heading;
  const el = document.createElement(tag);
  el.id = id;
  body.append(h, el);
  return el;
}

/** A one-row form (one field and its button; `html` is the page's own markup) whose submit calls `submit` with the field's value, Enter included. */
export function fieldForm(html: string, submit: (value: string) => void): { form: HTMLFormElement; input: HTMLInputElement } {
  const form = document.createElement('form');
  form.className = 'row';
  form.noValidate = true;
  form.innerHTML = html;
  const input = form.querySelector('input')!;
  form.onsubmit = (e) => {
    e.preventDefault();
    submit(input.value);
  };
  return { form, input };
}

/** A status line (role status) with an id. */
export function statusLine(id: string, text = ''): HTMLElement {
  const p = document.createElement('p');
  p.id = id;
  p.setAttribute('role', 'status');
  p.textContent = text;
  return p;
}

/** A paragraph of explanation. */
export function note(body: HTMLElement, text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  body.append(p);
  return p;
}

/** "Prediction: cat" in the view (id view-prediction, its class index as data-label), or a dash. */
export function predictionLine(body: HTMLElement): { show(label: number | null, names: readonly string[]): void } {
  const p = document.createElement('p');
  p.className = 'prediction-line';
  p.append('Prediction: ');
  const out = document.createElement('output');
  out.id = 'view-prediction';
  out.textContent = '–';
  p.append(out);
  body.append(p);
  return {
    show(label, names) {
      out.textContent = label === null ? '–' : names[label];
      if (label === null) delete out.dataset.label;
      else out.dataset.label = String(label);
    },
  };
}

/** One bar per class, the best highlighted; long class names get a wider first column. */
export function scoreBars(el: HTMLElement, values: number[], names: readonly string[], format: (v: number) => string): number {
  const best = argBest(values, true);
  renderBars(el, values, [...names], best, format);
  const widest = Math.max(...names.map((n) => n.length));
  if (widest > 2) el.style.gridTemplateColumns = `${Math.min(12, widest * 0.6 + 0.6)}em 1fr 4.2em`;
  return best;
}

export const percent = (v: number) => `${(v * 100).toFixed(1)} %`;

/** A channel-planar colour image (values in [0, 1]) as a canvas of its own size, drawn enlarged by CSS. */
export function rgbCanvas(image: ArrayLike<number>, height: number, width: number, label: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  const plane = height * width;
  for (let i = 0; i < plane; i++) {
    const v = (ch: number) => Math.round(Math.min(1, Math.max(0, image[ch * plane + i])) * 255);
    img.data.set([v(0), v(1), v(2), 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  c.className = 'view-image';
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

/** A raster the library drew (ff show-fields' drawing) as a canvas with an accessible name. */
export function rasterCanvas(raster: Raster, label: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = raster.width;
  c.height = raster.height;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(raster.width, raster.height);
  img.data.set(raster.data);
  ctx.putImageData(img, 0, 0);
  c.className = 'view-raster';
  // Enlarged whole pixels, to about 320 px wide (CSS keeps it inside a phone's column).
  c.style.width = `${raster.width * Math.max(1, Math.floor(320 / raster.width))}px`;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}
