// The receptive-field gallery: each first-layer unit's weights from the image as a small
// picture (red positive, blue negative, scaled per unit), with its label-weight strip below
// when the label is part of the input; choosing a unit shows the test images that excite it
// most (neutral label). Dense first layers only (LC and grid layers are drawn by ff show-fields).
// By keyboard the gallery is one tab stop (a roving tabindex): arrow keys, Home and End move
// between units, Enter or Space chooses one; every other key, Tab included, does what it does.
import { layerActivities, type FFModel, type SamplePack } from '../src/core.js';
import { grayCanvas } from './gray-canvas.js';

const SHOWN = 64;
const TOP = 8;

/** Weights as red (positive) and blue (negative) pixels, ±scale at full colour. */
export function paint(ctx: CanvasRenderingContext2D, values: ArrayLike<number>, w: number, h: number, scale: number): void {
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.max(-1, Math.min(1, values[i] / scale));
    const [r, g, b] = v >= 0 ? [255, 255 * (1 - v), 255 * (1 - v)] : [255 * (1 + v), 255 * (1 + v), 255];
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/** Clear the gallery and the chosen unit's images (no model on screen). */
export function clearFields(el: HTMLElement, top: HTMLElement): void {
  el.replaceChildren();
  el.removeAttribute('role');
  el.removeAttribute('aria-label');
  top.replaceChildren();
  delete top.dataset.unit;
}

/**
 * Draw `model`'s first-layer units into `el`. `current` says whether this model is still the
 * one on screen: a slower, older render must not land over a newer model's.
 */
export async function renderFields(el: HTMLElement, top: HTMLElement, model: FFModel, pack: SamplePack, current: () => boolean = () => true): Promise<void> {
  clearFields(el, top);
  const net = model.net;
  const conn = net.layers[0].connections[0];
  if (conn.kind.name !== 'dense' || net.input.imageSize !== 784) {
    el.textContent = 'This run’s first layer is not dense over 28×28 images: see ff show-fields.';
    return;
  }
  const W = await net.engine.read(conn.weight.value); // fanIn × width
  if (!current()) return;
  const tiles: HTMLCanvasElement[] = [];
  const width = net.cfg.layers[0];
  const fanIn = W.length / width;
  const labelAt = net.input.placement === 'none' ? -1 : net.input.labelOffset;
  const N = net.numClasses;
  for (let u = 0; u < Math.min(SHOWN, width); u++) {
    const field = new Float32Array(784);
    for (let p = 0; p < 784; p++) field[p] = W[p * width + u];
    // 'pixels' placement: the first N pixels carry the label, not the image.
    if (net.input.placement === 'pixels') field.fill(0, 0, N);
    let scale = 1e-12;
    for (const v of field) scale = Math.max(scale, Math.abs(v));
    const tile = document.createElement('canvas');
    tile.width = 28;
    tile.height = labelAt >= 0 ? 31 : 28;
    tile.className = 'field';
    tile.tabIndex = u === 0 ? 0 : -1;
    tile.setAttribute('role', 'button');
    tile.setAttribute('aria-pressed', 'false');
    tile.setAttribute('aria-label', `unit ${u + 1}: show the test images that excite it most`);
    const ctx = tile.getContext('2d')!;
    paint(ctx, field, 28, 28, scale);
    if (labelAt >= 0 && labelAt + N <= fanIn) {
      const strip = Array.from({ length: N }, (_, j) => W[(labelAt + j) * width + u]);
      const s = Math.max(1e-12, ...strip.map(Math.abs));
      const row = document.createElement('canvas').getContext('2d')!;
      row.canvas.width = N;
      row.canvas.height = 1;
      paint(row, strip, N, 1, s);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(row.canvas, 0, 0, N, 1, 0, 29, 28, 2);
    }
    tiles.push(tile);
  }
  const moveTo = (u: number) => {
    tiles.forEach((t, i) => (t.tabIndex = i === u ? 0 : -1));
    tiles[u].focus();
  };
  const choose = (u: number) => {
    tiles.forEach((t, i) => t.setAttribute('aria-pressed', String(i === u)));
    moveTo(u);
    void showTop(top, model, pack, u, current);
  };
  const step: Record<string, (u: number) => number> = {
    ArrowRight: (u) => u + 1, ArrowDown: (u) => u + 1, ArrowLeft: (u) => u - 1, ArrowUp: (u) => u - 1,
    Home: () => 0, End: () => tiles.length - 1,
  };
  tiles.forEach((tile, u) => {
    tile.addEventListener('click', () => choose(u));
    tile.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault(); // Space would scroll the page
        choose(u);
      } else if (Object.hasOwn(step, e.key)) {
        e.preventDefault();
        moveTo(Math.max(0, Math.min(tiles.length - 1, step[e.key](u))));
      }
    });
  });
  el.setAttribute('role', 'group');
  el.setAttribute('aria-label', 'first-layer units (arrow keys move between them)');
  el.append(...tiles);
}

async function showTop(el: HTMLElement, model: FFModel, pack: SamplePack, unit: number, current: () => boolean): Promise<void> {
  const t = pack.test;
  const acts = await layerActivities(model.net, t.images, t.count, 0);
  if (!current()) return;
  const width = model.net.cfg.layers[0];
  const order = Array.from({ length: t.count }, (_, i) => i).sort((a, b) => acts[b * width + unit] - acts[a * width + unit]);
  el.replaceChildren();
  const caption = document.createElement('p');
  caption.textContent = `Unit ${unit + 1}: the ${TOP} of ${t.count} test images that excite it most (neutral label)`;
  el.append(caption);
  el.dataset.unit = String(unit);
  for (const i of order.slice(0, TOP)) {
    const c = grayCanvas(t.images.subarray(i * 784, (i + 1) * 784), 28);
    c.className = 'top-image';
    c.title = `test image ${i} (label ${t.labels[i]}), activity ${acts[i * width + unit].toFixed(2)}`;
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', c.title);
    el.append(c);
  }
}
