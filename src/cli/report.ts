// `ff report DIR [DIR2 ...] --out report.html`: one self-contained HTML file about one or
// more runs (curves overlaid), viewable with no network. A comparison directory (ff compare)
// adds its table and stands for the runs in it.
import path from 'node:path';
import type { Command } from 'commander';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { buildReport } from '../viz/report.js';
import { parseIntOption } from './int-option.js';

interface ReportCliOptions {
  out: string;
  samples: string;
  testCount: string;
  units: string;
  dataDir?: string;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report of one or more runs (curves overlaid, histograms, fields, confusion, config)')
    .argument('<dirs...>', 'run directories, or comparison directories of ff compare (their table and every run in them)')
    .option('--out <file>', 'HTML file to write', 'report.html')
    .option('--samples <n>', 'validation images for the goodness and activity histograms', '1000')
    .option('--test-count <n>', 'test images for the confusion matrix (0 = all)', '2000')
    .option('--units <n>', 'receptive fields to draw', '100')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .action(async (dirs: string[], o: ReportCliOptions) => {
      assertWritableTarget(path.resolve(o.out)); // before the report's minutes of work
      const report = await buildReport(dirs, {
        samples: parseIntOption('--samples', o.samples, 1),
        testCount: parseIntOption('--test-count', o.testCount, 0),
        units: parseIntOption('--units', o.units, 1),
        dataDir: o.dataDir,
      });
      writeFileAtomic(path.resolve(o.out), report.html);
      for (const w of report.warnings) process.stderr.write(`ff report: ${w}\n`);
      process.stdout.write(`wrote ${o.out}: ${report.runs} run${report.runs > 1 ? 's' : ''}, ${report.charts} charts, ${(report.html.length / 1024).toFixed(0)} KiB\n`);
    });
}
