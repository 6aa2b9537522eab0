// A small line plot as a PNG (no text: the caller prints what the axes and colours mean).
// Used where a picture file is wanted from the command line (ff relax); the HTML report draws
// its own SVG charts with labels.
import type { Rgb } from './colormap.js';
import { encodePng, Raster } from './png.js';

export interface PlotLine {
  /** y values at x = 0, 1, 2, …; drawn as points joined by segments. */
  values: number[];
  color: Rgb;
  /** Dashed (e.g. an untrained reference). */
  dashed?: boolean;
}

const AXIS: Rgb = [60, 60, 60];
const GRID: Rgb = [225, 225, 225];

/** PNG bytes of the lines on a shared y axis from 0 to the largest value (grid at quarters). */
export function linePlotPng(lines: PlotLine[], width = 480, height = 300): Buffer {
  const img = new Raster(width, height);
  const m = { left: 30, right: 12, top: 12, bottom: 24 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const xMax = Math.max(1, ...lines.map((l) => l.values.length - 1));
  const yMax = Math.max(1e-12, ...lines.flatMap((l) => l.values));
  const X = (i: number) => m.left + Math.round((i / xMax) * w);
  const Y = (v: number) => m.top + Math.round((1 - v / yMax) * h);
  for (let q = 1; q <= 4; q++) img.fillRect(m.left, Y((q / 4) * yMax), w, 1, GRID);
  for (let i = 0; i <= xMax; i++) img.fillRect(X(i), m.top + h, 1, 5, AXIS); // x ticks: iterations
  img.fillRect(m.left, m.top, 1, h + 1, AXIS);
  img.fillRect(m.left, m.top + h, w + 1, 1, AXIS);
  for (const line of lines) {
    for (let i = 1; i < line.values.length; i++) {
      segment(img, X(i - 1), Y(line.values[i - 1]), X(i), Y(line.values[i]), line.color, line.dashed ?? false);
    }
    for (let i = 0; i < line.values.length; i++) img.fillRect(X(i) - 2, Y(line.values[i]) - 2, 5, 5, line.color);
  }
  return encodePng(img);
}

/** A 2-pixel-thick segment (dashed: 6 on, 4 off). */
function segment(img: Raster, x0: number, y0: number, x1: number, y1: number, color: Rgb, dashed: boolean): void {
  const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
  for (let s = 0; s <= steps; s++) {
    if (dashed && s % 10 >= 6) continue;
    const x = Math.round(x0 + ((x1 - x0) * s) / steps);
    const y = Math.round(y0 + ((y1 - y0) * s) / steps);
    img.fillRect(x, y, 2, 2, color);
  }
}
