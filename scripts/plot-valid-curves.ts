// Validation accuracy over epochs of several runs as one PNG (docs/images), for results.md:
//   node --import tsx scripts/plot-valid-curves.ts OUT.png RUN[:MODE] ...
// MODE is the classifier whose validation error is read (default: softmax, else output). A
// spec =A (a number in [0, 1]) draws the constant accuracy A across the plot (a baseline). The
// colours are printed with the runs (the PNG has no text).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import type { Rgb } from '../src/viz/colormap.js';
import { linePlotPng } from '../src/viz/line-plot-png.js';

const COLORS: [string, Rgb][] = [
  ['blue', [31, 119, 180]], ['orange', [255, 127, 14]], ['green', [44, 160, 44]], ['red', [214, 39, 40]],
  ['purple', [148, 103, 189]], ['brown', [140, 86, 75]], ['grey', [127, 127, 127]],
];

const [out, ...runs] = process.argv.slice(2);
if (!out || runs.length === 0 || runs.length > COLORS.length) {
  process.stderr.write(`usage: plot-valid-curves.ts OUT.png RUN[:MODE] … (1–${COLORS.length} runs)\n`);
  process.exit(2);
}
const curves = runs.map((spec, i) => {
  if (spec.startsWith('=')) return { spec, i, constant: Number(spec.slice(1)) };
  const [dir, mode] = spec.split(':');
  const metrics = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; valid?: Record<string, number> });
  const errs = metrics.filter((m) => m.valid).map((m) => m.valid![mode ?? ('softmax' in m.valid! ? 'softmax' : 'output')]);
  const accuracy = errs.map((e) => 1 - e);
  const [name, color] = COLORS[i];
  process.stdout.write(`${name.padEnd(7)} ${dir}${mode ? `:${mode}` : ''}: valid accuracy ${accuracy.map((a) => (100 * a).toFixed(1)).join(' ')} %\n`);
  return { values: accuracy, color };
});
// Constant lines as long as the longest run.
const longest = Math.max(1, ...curves.map((c) => ('values' in c ? c.values.length : 0)));
const lines = curves.map((c) => {
  if ('values' in c) return c;
  const [name, color] = COLORS[c.i];
  if (!(c.constant >= 0 && c.constant <= 1)) throw new Error(`${c.spec}: a constant line needs an accuracy in [0, 1]`);
  process.stdout.write(`${name.padEnd(7)} constant ${(100 * c.constant).toFixed(1)} %\n`);
  return { values: new Array(longest).fill(c.constant), color };
});
writeFileAtomic(out, linePlotPng(lines, 640, 360));
process.stdout.write(`wrote ${out} (x: epochs with validation, y: accuracy from 0 to the highest)\n`);
