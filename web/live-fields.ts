// The first layer's receptive fields as live training changes them: the first few units'
// weights from the image (red positive, blue negative, each unit scaled to its own largest
// weight), redrawn with every report from the worker — noise at the start, strokes later.
import { paint } from './fields.js';

/** Draw `fields` (units × 784) into `el`, reusing its canvases; `when` names the moment ("epoch 0.25"). */
export function renderLiveFields(el: HTMLElement, fields: Float32Array, when: string): void {
  const units = fields.length / 784;
  let tiles = [...el.querySelectorAll('canvas')];
  if (tiles.length !== units) {
    tiles = Array.from({ length: units }, () => {
      const c = document.createElement('canvas');
      c.width = 28;
      c.height = 28;
      c.className = 'field';
      c.setAttribute('role', 'img');
      return c;
    });
    el.replaceChildren(...tiles);
  }
  tiles.forEach((tile, u) => {
    const field = fields.subarray(u * 784, (u + 1) * 784);
    let scale = 1e-12;
    for (const v of field) scale = Math.max(scale, Math.abs(v));
    paint(tile.getContext('2d')!, field, 28, 28, scale);
    tile.setAttribute('aria-label', `unit ${u + 1}'s receptive field at ${when} (largest weight ${scale.toFixed(3)})`);
  });
  el.dataset.when = when;
  el.closest<HTMLElement>('.live-fields')!.hidden = false;
}

export function clearLiveFields(el: HTMLElement): void {
  el.replaceChildren();
  delete el.dataset.when;
  el.closest<HTMLElement>('.live-fields')!.hidden = true;
}
