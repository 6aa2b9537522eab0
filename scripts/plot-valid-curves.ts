// Validation accuracy over epochs of several runs as one PNG (docs/images), for results.md:
//   node --import tsx scripts/plot-valid-curves.ts OUT.png RUN[:MODE] ...
// MODE is the classifier whose validation error is read (default: softmax, else output). The
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
const lines = runs.map((spec, i) => {
  const [dir, mode] = spec.split(':');
  const metrics = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; valid?: Record<string, number> });
  const errs = metrics.filter((m) => m.valid).map((m) => m.valid![mode ?? ('softmax' in m.valid! ? 'softmax' : 'output')]);
  const accuracy = errs.map((e) => 1 - e);
  const [name, color] = COLORS[i];
  process.stdout.write(`${name.padEnd(7)} ${dir}${mode ? `:${mode}` : ''}: valid accuracy ${accuracy.map((a) => (100 * a).toFixed(1)).join(' ')} %\n`);
  return { values: accuracy, color };
});
writeFileAtomic(out, linePlotPng(lines, 640, 360));
process.stdout.write(`wrote ${out} (x: epochs with validation, y: accuracy from 0 to the highest)\n`);
