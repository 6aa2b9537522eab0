// Live training's learning curve: test error (0–100 %) against epochs, with both axes drawn and
// labelled, and the same values as text under it — the canvas's accessible name says where the
// curve started, where it is and its lowest; the text lists every measurement by epoch.

/** One measurement: minibatches seen, and the test error then (0–1). */
export type CurvePoint = [seen: number, error: number];

const pct = (e: number) => `${(e * 100).toFixed(1)} %`;
/** Epochs as a number a reader can place: 0.25, 1, 2.5. */
const epochs = (seen: number, perEpoch: number) => String(Number((seen / Math.max(1, perEpoch)).toFixed(2)));

/** The curve in words, for its canvas's accessible name: where it started, where it is, its lowest. */
export function curveText(points: CurvePoint[], total: number): string {
  if (!points.length) return 'test error during training: no values yet';
  const [seen, last] = points[points.length - 1];
  const lowest = Math.min(...points.map((p) => p[1]));
  return `test error during training: ${pct(points[0][1])} at the start, ${pct(last)} after minibatch ${seen} of ${total}, lowest ${pct(lowest)} (${points.length} measurements)`;
}

/** Every measurement as "epoch: error", in one line of text. */
export function curveValuesText(points: CurvePoint[], perEpoch: number): string {
  if (!points.length) return '';
  return `Test error after epoch ${points.map(([seen, e]) => `${epochs(seen, perEpoch)}: ${pct(e)}`).join('; ')}.`;
}

/** Ticks for the epoch axis: every epoch, or every k-th where there are many. */
function epochTicks(count: number): number[] {
  const step = Math.max(1, Math.ceil(count / 10));
  const ticks: number[] = [];
  for (let e = 0; e <= count; e += step) ticks.push(e);
  if (ticks.at(-1) !== count) ticks.push(count);
  return ticks;
}

/**
 * Test error against epochs (0 to the run's epochs): the y axis in per cent with gridlines at
 * 0, 25, 50, 75 and 100 %, the x axis in epochs; `values` gets the measurements as text.
 */
export function drawCurve(canvas: HTMLCanvasElement, values: HTMLElement, points: CurvePoint[], total: number, perEpoch: number): void {
  canvas.setAttribute('aria-label', curveText(points, total));
  values.textContent = curveValuesText(points, perEpoch);
  const count = Math.max(1, Math.round(total / Math.max(1, perEpoch)));
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  const [left, right, top, bottom] = [40, 10, 14, 30];
  const x = (seen: number) => left + (seen / Math.max(1, perEpoch) / count) * (W - left - right);
  const y = (error: number) => top + (1 - error) * (H - top - bottom);
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px system-ui';
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  for (const e of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.strokeStyle = e === 0 ? '#666' : '#e3e3e3';
    ctx.beginPath();
    ctx.moveTo(left, y(e));
    ctx.lineTo(W - right, y(e));
    ctx.stroke();
    ctx.fillStyle = '#444';
    const label = `${e * 100} %`;
    ctx.fillText(label, left - 4 - ctx.measureText(label).width, y(e));
  }
  ctx.strokeStyle = '#666';
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, y(0));
  ctx.stroke();
  ctx.textBaseline = 'top';
  for (const e of epochTicks(count)) {
    const px = x(e * perEpoch);
    ctx.beginPath();
    ctx.moveTo(px, y(0));
    ctx.lineTo(px, y(0) + 4);
    ctx.stroke();
    const label = String(e);
    ctx.fillText(label, px - ctx.measureText(label).width / 2, y(0) + 5);
  }
  const axis = 'epochs';
  ctx.fillText(axis, (left + W - right - ctx.measureText(axis).width) / 2, H - 12);
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('test error', left + 4, top - 3);
  if (!points.length) return;
  ctx.strokeStyle = '#3a7bd5';
  ctx.lineWidth = 2;
  ctx.beginPath();
  points.forEach(([seen, error], i) => (i === 0 ? ctx.moveTo(x(seen), y(error)) : ctx.lineTo(x(seen), y(error))));
  ctx.stroke();
  ctx.fillStyle = '#3a7bd5';
  for (const [seen, error] of points) ctx.fillRect(x(seen) - 1.5, y(error) - 1.5, 3, 3);
}
