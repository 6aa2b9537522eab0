// What the page draws: labelled bars (softmax, the probe), hidden activity. Plain DOM and
// canvas, no framework. (The live training curve: learning-curve.ts; a recurrent net's
// iterations: recurrent-animation.ts.)
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

export function argBest(values: number[], higherIsBetter: boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (higherIsBetter ? values[i] > values[best] : values[i] < values[best]) best = i;
  return best;
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
