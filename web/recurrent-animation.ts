// A recurrent net's iterations as an animation of its layers settling: every candidate label is
// clamped on the label layer at once, and at each iteration every hidden layer's state moves
// towards what its neighbours (below, above, and the label) say. One frame per iteration shows,
// per hidden layer, its activity for each clamped label (one row of units per label) and the
// goodness it gives each label, on scales fixed over all iterations so that the change shows.
// Play/Pause steps through the frames; the slider (arrow keys, Home, End) picks one.
import type { FFNet, LabelGoodness } from '../src/core.js';
import { argBest } from './views.js';

/** Milliseconds per frame when playing. */
const FRAME_MS = 600;
let timer: ReturnType<typeof setInterval> | undefined;

/** Stop playing (a new decision, or none, replaces the animation). */
export function stopAnimation(): void {
  clearInterval(timer);
  timer = undefined;
}

/** Whether a layer gives every label the same goodness (the first iteration's layer 1 does): no favourite then. */
function flat(values: number[]): boolean {
  return Math.max(...values) - Math.min(...values) <= 1e-9 * Math.max(1, ...values.map(Math.abs));
}

/** "favours 3" or "none (all equal)". */
function favourite(values: number[], higherIsBetter: boolean, labels: string[]): string {
  return flat(values) ? 'none (all equal)' : labels[argBest(values, higherIsBetter)];
}

/** One layer's block: its title, the activity picture (a row per label) and its goodness bars. */
interface LayerView {
  title: HTMLElement;
  picture: HTMLCanvasElement;
  bars: HTMLElement[];
  values: HTMLElement[];
}

function layerView(l: number, units: number, labels: string[]): [HTMLElement, LayerView] {
  const box = document.createElement('div');
  box.className = 'settle-layer';
  const title = document.createElement('div');
  title.className = 'layer-title';
  const picture = document.createElement('canvas');
  picture.width = units;
  picture.height = labels.length;
  picture.className = 'settle-activity';
  picture.setAttribute('role', 'img');
  const grid = document.createElement('div');
  grid.className = 'bars';
  const bars: HTMLElement[] = [];
  const values: HTMLElement[] = [];
  labels.forEach((name) => {
    const label = document.createElement('span');
    label.textContent = name;
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('aria-hidden', 'true');
    const value = document.createElement('span');
    grid.append(label, bar, value);
    bars.push(bar);
    values.push(value);
  });
  box.append(title, picture, grid);
  box.dataset.layer = String(l + 1);
  return [box, { title, picture, bars, values }];
}

/** Paint layer activities (labels × units) as grey rows, white at `max`. */
function paintActivity(canvas: HTMLCanvasElement, acts: Float32Array, max: number): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < acts.length; i++) {
    const v = Math.round(255 * Math.min(1, acts[i] / max));
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * The animation for `g` (a recurrent net's label goodness with its activities) in `el`; it
 * opens on the last iteration, where the states have settled.
 */
export function renderRecurrentAnimation(el: HTMLElement, net: FFNet, g: LabelGoodness, labels: string[]): void {
  stopAnimation();
  el.replaceChildren();
  const frames = g.iterations.length;
  if (!frames || !g.activities) return;
  const { testFrom, testTo } = net.cfg;
  const L = g.layers.length;
  // Fixed scales over every iteration: a bar or a unit that grows is seen growing.
  const maxAct = Array.from({ length: L }, (_, l) => Math.max(1e-12, ...g.activities!.map((t) => t[l].reduce((m, v) => Math.max(m, v), 0))));
  const maxGood = Array.from({ length: L }, (_, l) => Math.max(1e-12, ...g.iterations.map((t) => Math.max(...t[l]))));

  const heading = document.createElement('h3');
  heading.textContent = 'The recurrent net settling, iteration by iteration';
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = `All ${labels.length} labels are clamped at once; at each iteration every layer moves towards what the layers beside it (and the label) say. Per layer: its units' activity for each clamped label (a row per label, 0 at the top; white is the layer's largest), and the goodness it gives each label (its favourite in colour: the ${g.higherIsBetter ? 'highest' : 'lowest'}). The decision averages iterations ${testFrom}–${testTo}.`;
  const controls = document.createElement('div');
  controls.className = 'row settle-controls';
  const play = document.createElement('button');
  play.type = 'button';
  play.id = 'iter-play';
  play.textContent = 'Play';
  const sliderLabel = document.createElement('label');
  sliderLabel.textContent = 'Iteration ';
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.id = 'iter-slider';
  slider.min = '1';
  slider.max = String(frames);
  slider.step = '1';
  sliderLabel.append(slider);
  const where = document.createElement('output');
  where.id = 'iter-where';
  where.htmlFor.add('iter-slider');
  controls.append(play, sliderLabel, where);
  const summary = document.createElement('p');
  summary.id = 'iter-summary';
  summary.setAttribute('aria-live', 'polite');
  const layersBox = document.createElement('div');
  layersBox.className = 'settle-layers';
  const views = g.layers.map((_, l) => {
    const [box, view] = layerView(l, g.activities![0][l].length / labels.length, labels);
    layersBox.append(box);
    return view;
  });
  el.append(heading, note, controls, summary, layersBox);

  const show = (t: number) => {
    slider.value = String(t + 1);
    slider.setAttribute('aria-valuetext', `iteration ${t + 1} of ${frames}`);
    const counted = t + 1 >= testFrom && t + 1 <= testTo;
    where.textContent = `${t + 1} of ${frames}${counted ? ' (counted)' : ''}`;
    const favours = g.iterations[t].map((values, l) => `layer ${l + 1} favours ${favourite(values, g.higherIsBetter, labels)}`);
    summary.textContent = `Iteration ${t + 1}: ${favours.join('; ')}.`;
    el.dataset.iteration = String(t + 1);
    views.forEach((v, l) => {
      const values = g.iterations[t][l];
      const best = flat(values) ? -1 : argBest(values, g.higherIsBetter);
      v.title.textContent = `layer ${l + 1}: favours ${favourite(values, g.higherIsBetter, labels)}`;
      const acts = g.activities![t][l];
      paintActivity(v.picture, acts, maxAct[l]);
      const active = acts.reduce((n, a) => n + (a > 0 ? 1 : 0), 0);
      v.picture.setAttribute('aria-label', `layer ${l + 1} at iteration ${t + 1}: ${active} of ${acts.length} unit activities above 0 over the ${labels.length} clamped labels`);
      values.forEach((x, j) => {
        v.bars[j].style.width = `${(100 * Math.max(0, x)) / maxGood[l]}%`;
        v.bars[j].className = j === best ? 'bar best' : 'bar';
        v.values[j].textContent = x.toFixed(2);
        if (j === best) {
          const said = document.createElement('span');
          said.className = 'visually-hidden';
          said.textContent = ' (this layer’s favourite)';
          v.values[j].append(said);
        }
      });
    });
  };
  const setPlaying = (on: boolean) => {
    stopAnimation();
    play.textContent = on ? 'Pause' : 'Play';
    el.dataset.playing = on ? '1' : '0';
    if (!on) return;
    timer = setInterval(() => {
      const next = Number(slider.value); // the next frame's index (value is 1-based)
      if (next >= frames) setPlaying(false);
      else show(next);
    }, FRAME_MS);
  };
  play.onclick = () => {
    if (timer !== undefined) return setPlaying(false);
    if (Number(slider.value) >= frames) show(0); // from the start again
    setPlaying(true);
  };
  slider.oninput = () => {
    setPlaying(false);
    show(Number(slider.value) - 1);
  };
  setPlaying(false);
  show(frames - 1);
}
