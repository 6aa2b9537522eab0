// `ff relax DIR`: back relaxation in a trained recurrent net and in the same net untrained —
// per hidden layer and iteration, how much clamping different labels changes the layer's
// state (mean cosine distance). Prints the table, writes DIR/relax.json (shown by ff report)
// and a PNG plot.
import path from 'node:path';
import type { Command } from 'commander';
import { loadDataset } from '../data/registry.js';
import { getEngine } from '../engine/select.js';
import { FFModel } from '../ff/ff-model.js';
import { measureRelaxation, RELAX_FILE, type RelaxReport } from '../ff/relaxation.js';
import { loadRun } from '../experiments/load-run.js';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { PALETTE } from '../viz/charts.js';
import { hexToRgb } from '../viz/colormap.js';
import { linePlotPng } from '../viz/line-plot-png.js';
import { parseIntOption, optionalIntOption } from './int-option.js';

export function registerRelaxCommand(program: Command): void {
  program
    .command('relax <dir>')
    .description('back relaxation in a recurrent run: how far each clamped label spreads down the layers, per iteration')
    .option('--images <n>', 'test images to average over', '100')
    .option('--iterations <n>', 'iterations to follow (default: the run\'s)')
    .option('--out <file>', 'PNG plot to write', 'relax.png')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .action(async (dir: string, o: { images: string; iterations?: string; out: string; dataDir?: string }) => {
      const count = parseIntOption('--images', o.images, 1);
      assertWritableTarget(path.resolve(o.out)); // before the relaxation is measured
      const engine = getEngine();
      const { model, config, warnings } = loadRun(engine, dir);
      for (const w of warnings) process.stderr.write(`ff: warning: ${w}\n`);
      if (!(model instanceof FFModel) || model.net.dynamics.kind !== 'recurrent') {
        throw new Error(`${dir} is not a recurrent FF run: back relaxation needs top-down connections (train with --preset recurrent-quick)`);
      }
      const iterations = optionalIntOption('--iterations', o.iterations, 1, 100) ?? model.cfg.iterations;
      const data = await loadDataset(String(config.dataset), { dataDir: o.dataDir });
      const n = Math.min(count, data.test.count);
      // The same net before training: same config and seed, so the same initial weights.
      const fresh = new FFModel(engine, model.cfg, model.shape, model.net.input.mean ?? undefined);
      const report: RelaxReport = {
        split: `${data.testDescription}, first ${n}`,
        trained: await measureRelaxation(model.net, data.test.images, n, iterations),
        untrained: await measureRelaxation(fresh.net, data.test.images, n, iterations),
      };
      writeFileAtomic(path.join(dir, RELAX_FILE), `${JSON.stringify(report, null, 2)}\n`);
      const L = model.net.numLayers;
      const lines = [];
      for (let l = 0; l < L; l++) {
        const color = hexToRgb(PALETTE[l % PALETTE.length]);
        lines.push({ values: report.trained.distance.map((row) => row[l]), color });
        lines.push({ values: report.untrained.distance.map((row) => row[l]), color, dashed: true });
      }
      writeFileAtomic(path.resolve(o.out), linePlotPng(lines));
      process.stdout.write(`${formatRelaxation(report)}\n`);
      process.stdout.write(
        `wrote ${path.join(dir, RELAX_FILE)} and ${o.out} (x: iteration 0..${iterations}, y: mean cosine distance between labels; ` +
          `layer ${Array.from({ length: L }, (_, l) => `${l + 1} ${PALETTE_NAMES[l % PALETTE_NAMES.length]}`).join(', ')}; solid trained, dashed untrained)\n`,
      );
    });
}

/** Names of charts.ts's PALETTE colours, for the caption. */
const PALETTE_NAMES = ['blue', 'vermilion', 'green', 'purple', 'orange', 'sky blue', 'black', 'brown'];

/** The table: one row per iteration, trained and untrained distance per layer. */
export function formatRelaxation(r: RelaxReport): string {
  const L = r.trained.distance[0].length;
  const head = ['iteration', ...Array.from({ length: L }, (_, l) => `layer ${l + 1} trained`), ...Array.from({ length: L }, (_, l) => `layer ${l + 1} untrained`)];
  const rows = r.trained.distance.map((row, t) => [String(t), ...row.map((v) => v.toFixed(4)), ...r.untrained.distance[t].map((v) => v.toFixed(4))]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k])).join('  ');
  return [`mean cosine distance between the states for different clamped labels (${r.split} images)`, line(head), ...rows.map(line)].join('\n');
}
