// `ff report`: ONE self-contained HTML file about one or more runs — training curves (runs
// overlaid), goodness histograms of positive vs negative data, per-unit activity histograms,
// receptive fields, the confusion matrix and the configuration. Nothing is loaded from the
// network: charts are inline SVG (see charts.ts for why no chart library), images are data:
// URIs, styles are inline, and there is no script at all.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { subset, type DatasetSplits } from '../data/dataset.js';
import { loadDataset, runDataOptions } from '../data/registry.js';
import type { Engine } from '../engine/engine.js';
import { getEngine } from '../engine/select.js';
import { FFModel } from '../ff/ff-model.js';
import { PROBE_REFIT_FILE, type ProbeRefitReport } from '../ff/probe-refit.js';
import { RELAX_FILE, type RelaxReport } from '../ff/relaxation.js';
import { getAlgorithm } from '../experiments/algorithms.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { evaluate, type Evaluation } from '../train/evaluate.js';
import type { TrainableModel } from '../train/model.js';
import { readMetrics } from '../train/trainer.js';
import { readTextBounded, READ_LIMITS } from '../util/read-bounded.js';
import { CHART_CSS, DASHES, escapeHtml, lineChart, PALETTE, type Series } from './charts.js';
import { comparisonSection, isComparisonDir, loadComparison } from './comparison.js';
import { ffLayerStats, type LayerStats } from './layer-stats.js';
import { isLocalCheckpoint } from './local-fields.js';
import { CONV_FIELDS, DENSE_FIELDS, fieldFigures, LOCAL_FIELDS } from './report-fields.js';
import { isConvCheckpoint } from './conv-filters.js';
import {
  activityChart,
  configTable,
  confusionFigure,
  datasetName,
  goodnessChart,
  PAGE_CSS,
  pct,
  probeRefitTable,
  summaryTable,
  type Run,
} from './report-panels.js';

export { ffLayerStats, type LayerStats };

export interface ReportOptions {
  /** Validation images for the goodness and activity histograms (default 1000). */
  samples?: number;
  /** Test images for the confusion matrix (default 2000; 0 = the whole test set). */
  testCount?: number;
  /** Receptive fields drawn (default 100). */
  units?: number;
  /** Where dataset files are (default $FF_DATA_DIR, then each dataset's default). */
  dataDir?: string;
  engine?: Engine;
  /** Seed of the random wrong labels of the negative pass. */
  seed?: number;
  /** The time printed in the header (for reproducible files in tests). */
  now?: Date;
}

export interface Report {
  html: string;
  /** Number of elements with class "chart". */
  charts: number;
  /** Runs reported (a comparison directory counts its member runs). */
  runs: number;
  /** Panels that could not be drawn, one line each (also shown in the report). */
  warnings: string[];
}

export async function buildReport(dirs: string[], opts: ReportOptions = {}): Promise<Report> {
  if (dirs.length === 0) throw new Error('report: give at least one run directory');
  // A comparison directory (ff compare) stands for its table and its member runs.
  const comparisons = dirs.filter((d) => existsSync(d) && isComparisonDir(d)).map(loadComparison);
  const runDirs = dirs.flatMap((d) => comparisons.find((c) => c.dir === d)?.runDirs ?? [d]);
  if (runDirs.length === 0) throw new Error(`report: ${dirs.join(', ')} holds no finished or checkpointed run`);
  const runs = runDirs.map(loadRun);
  disambiguateNames(runs);
  const engine = opts.engine ?? getEngine();
  const warnings: string[] = [];

  const summaries: string[] = [];
  const sections: string[] = [];
  for (const run of runs) {
    const { html, summary } = await runSection(run, runs.length > 1, engine, opts, warnings);
    sections.push(html);
    summaries.push(summary);
  }
  const curves = curveCharts(runs);
  const title = `Training report: ${runs.map((r) => r.name).join(', ')}`;
  const when = (opts.now ?? new Date()).toISOString().replace('T', ' ').slice(0, 16);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}${CHART_CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${escapeHtml(when)} UTC by <code>ff report</code> · engine ${escapeHtml(engine.name)} · ${runs
    .map((r) => `<code>${escapeHtml(r.dir)}</code>`)
    .join(', ')}</p>
</header>
${comparisons.map(comparisonSection).join('\n')}
<section>
<h2>Summary</h2>
${summaryTable(runs, summaries)}
${warnings.length ? `<div class="warn">${warnings.map((w) => `<p>${escapeHtml(w)}</p>`).join('')}</div>` : ''}
</section>
<section>
<h2>Training curves</h2>
${curves.length ? `<div class="grid">${curves.join('\n')}</div>` : '<p class="note">No metrics.jsonl lines in these runs.</p>'}
</section>
${sections.join('\n')}
<section>
<h2>Configuration</h2>
${configTable(runs)}
</section>
</main>
</body>
</html>
`;
  return { html, charts: countCharts(html), runs: runs.length, warnings };
}

/** Elements with class "chart" in a report. */
export function countCharts(html: string): number {
  return (html.match(/class="chart[ "]/g) ?? []).length;
}

function loadRun(dir: string): Run {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such run directory`);
  const ck = loadCheckpoint(dir);
  let results: Record<string, unknown> | null = null;
  const rf = path.join(dir, 'results.json');
  if (existsSync(rf)) {
    try {
      results = JSON.parse(readTextBounded(rf, READ_LIMITS.runJson)) as Record<string, unknown>;
    } catch {
      results = null;
    }
  }
  return { dir, name: path.basename(path.resolve(dir)), ck, metrics: readMetrics(dir), results };
}

function disambiguateNames(runs: Run[]): void {
  const seen = new Map<string, number>();
  for (const r of runs) {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    if (n > 1) r.name = `${r.name} (${n})`;
  }
}

// ---- training curves ---------------------------------------------------------------------------

function curveCharts(runs: Run[]): string[] {
  const multi = runs.length > 1;
  const style = (runIdx: number, sub: number) =>
    multi ? { color: PALETTE[runIdx % PALETTE.length], dash: DASHES[sub % DASHES.length] } : { color: PALETTE[sub % PALETTE.length], dash: '' };
  const label = (run: Run, what: string) => (multi ? `${run.name} · ${what}` : what);

  /** One series per layer of an array-valued metric. */
  const perLayer = (key: string): Series[] =>
    runs.flatMap((run, ri) => {
      const rows = run.metrics.filter((m) => Array.isArray(m[key]));
      const L = Math.max(0, ...rows.map((m) => (m[key] as number[]).length));
      // A backprop net's last weight matrix is its output layer, beyond the hidden layers.
      const hidden = Array.isArray(run.ck.config.layers) ? (run.ck.config.layers as unknown[]).length : L;
      return Array.from({ length: L }, (_, l) => ({
        name: label(run, l < hidden ? `layer ${l + 1}` : 'output layer'),
        ...style(ri, l),
        points: rows.filter((m) => typeof (m[key] as number[])[l] === 'number').map((m) => [m.epoch, (m[key] as number[])[l]] as [number, number]),
      }));
    });
  const scalar = (key: string, what: string): Series[] =>
    runs.flatMap((run, ri) => {
      const points = run.metrics.filter((m) => typeof m[key] === 'number').map((m) => [m.epoch, m[key] as number] as [number, number]);
      return points.length ? [{ name: label(run, what), ...style(ri, 0), points }] : [];
    });
  const valid: Series[] = runs.flatMap((run, ri) => {
    const names: string[] = [];
    for (const m of run.metrics) for (const k of Object.keys(m.valid ?? {})) if (!names.includes(k)) names.push(k);
    return names.map((k, i) => ({
      name: label(run, k),
      ...style(ri, i),
      points: run.metrics.filter((m) => typeof m.valid?.[k] === 'number').map((m) => [m.epoch, 100 * m.valid![k]] as [number, number]),
    }));
  });

  const charts = [
    lineChart({
      title: 'FF train log-cost per layer',
      subtitle: 'mean softplus cost of a positive and its negative case, training set (log scale)',
      xLabel: 'epoch',
      yLabel: 'log-cost per pair',
      series: perLayer('ffLoss'),
      logY: true,
      integerX: true,
      alwaysLegend: multi,
    }),
    lineChart({
      title: 'Pairwise errors per layer',
      subtitle: 'training pairs whose negative case beat its positive case on goodness, per epoch (log scale)',
      xLabel: 'epoch',
      yLabel: 'pairs per epoch',
      series: perLayer('pairErrors'),
      logY: true,
      integerX: true,
      alwaysLegend: multi,
    }),
    lineChart({
      title: 'Backprop train loss',
      subtitle: 'mean cross-entropy per training case (log scale)',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: scalar('trainLoss', 'train loss'),
      logY: true,
      integerX: true,
      alwaysLegend: multi,
    }),
    lineChart({
      title: 'Validation error per classifier',
      subtitle: `error on the validation images each epoch (log scale)${validSubsetNote(runs)}`,
      xLabel: 'epoch',
      yLabel: 'error (%)',
      series: valid,
      logY: true,
      integerX: true,
      alwaysLegend: multi,
    }),
    lineChart({
      title: 'Learning-rate gain',
      subtitle: 'multiplier of the learning rate in each epoch (the schedule)',
      xLabel: 'epoch',
      yLabel: 'gain',
      series: scalar('gain', 'gain'),
      integerX: true,
      zeroY: true,
      alwaysLegend: multi,
    }),
    lineChart({
      title: 'Weight RMS per layer',
      subtitle: 'root-mean-square of each layer’s weights at the end of the epoch',
      xLabel: 'epoch',
      yLabel: 'RMS',
      series: perLayer('weightRms'),
      integerX: true,
      alwaysLegend: multi,
    }),
  ];
  return charts.filter((c): c is string => c !== null);
}

function validSubsetNote(runs: Run[]): string {
  const subsets = runs.map((r) => Number(r.ck.config.evalSubset ?? 0)).filter((n) => n > 0);
  return subsets.length ? `; runs with evalSubset use only the first ${[...new Set(subsets)].join(' / ')} images` : '';
}

// ---- one run's model panels -------------------------------------------------------------------

async function runSection(
  run: Run,
  multi: boolean,
  engine: Engine,
  opts: ReportOptions,
  warnings: string[],
): Promise<{ html: string; summary: string }> {
  const parts: string[] = [];
  const note = (what: string, e: unknown) => {
    const msg = `${run.name}: ${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    warnings.push(msg);
    parts.push(`<p class="note">${escapeHtml(msg)}</p>`);
  };
  const ck = run.ck;
  let model: TrainableModel | undefined;
  let data: DatasetSplits | undefined;
  try {
    model = getAlgorithm(ck.algo).fromCheckpoint(engine, ck);
  } catch (e) {
    note('cannot rebuild the model', e);
  }
  try {
    data = await loadDataset(datasetName(ck), runDataOptions(ck.config, opts.dataDir));
  } catch (e) {
    note('cannot load the dataset', e);
  }

  // Goodness and activity (FF only).
  if (model instanceof FFModel && data) {
    try {
      const n = Math.min(opts.samples ?? 1000, data.valid.count);
      const stats = await ffLayerStats(model.net, subset(data.valid, 0, n), opts.seed ?? 1);
      const maxSsq = model.cfg.goodness !== 'min-ssq';
      parts.push(`<h3>Goodness of positive vs negative data</h3>
<p class="note">First ${n.toLocaleString('en-US')} validation images, ${
        model.net.heads.kind === 'probes'
          ? 'once alone (positive) and once as a hybrid with another of them under a blurred random mask (negative; the run trained without labels)'
          : 'once with the correct label (positive) and once with a random wrong label (negative)'
      }; θ is the layer's threshold. ${
        maxSsq ? 'This net calls HIGH goodness positive (max-ssq).' : 'This net calls LOW goodness positive (min-ssq).'
      }</p>
<div class="grid">${stats.map((s, l) => goodnessChart(s, l, n, maxSsq)).join('\n')}</div>`);
      parts.push(`<h3>Unit activity</h3>
<p class="note">Per-unit mean ReLU output over the same ${n.toLocaleString('en-US')} positive cases: a spike at 0 means dead units, a long right tail units that are on for everything.</p>
<div class="grid">${stats.map((s, l) => activityChart(s, l, n)).join('\n')}</div>`);
    } catch (e) {
      note('goodness and activity histograms', e);
    }
  }

  // Back relaxation (recurrent runs that `ff relax` has measured).
  const relaxFile = path.join(run.dir, RELAX_FILE);
  if (existsSync(relaxFile)) {
    try {
      parts.push(relaxationFigure(JSON.parse(readTextBounded(relaxFile, READ_LIMITS.runJson)) as RelaxReport));
    } catch (e) {
      note('back relaxation', e);
    }
  }

  // Probes fitted afterwards on the frozen net (unsupervised runs that `ff probe` has measured).
  const probeFile = path.join(run.dir, PROBE_REFIT_FILE);
  if (existsSync(probeFile)) {
    try {
      parts.push(probeRefitTable(JSON.parse(readTextBounded(probeFile, READ_LIMITS.runJson)) as ProbeRefitReport));
    } catch (e) {
      note('refit probes', e);
    }
  }

  // Receptive fields (any algorithm whose first layer reads pixels).
  try {
    const units = opts.units ?? 100;
    const figs = isConvCheckpoint(ck)
      ? await fieldFigures(CONV_FIELDS, ck, engine, units, note)
      : isLocalCheckpoint(ck) ? await fieldFigures(LOCAL_FIELDS, ck, engine, units, note) : await fieldFigures(DENSE_FIELDS, ck, engine, units, note);
    parts.push(`<h3>Receptive fields</h3>
<div class="grid fields">${figs.join('\n')}</div>`);
  } catch (e) {
    note('receptive fields', e);
  }

  // Confusion matrix on (part of) the test set.
  let confusion: Evaluation | undefined;
  if (model && data) {
    try {
      const want = opts.testCount ?? 2000;
      const n = want > 0 ? Math.min(want, data.test.count) : data.test.count;
      const mode = model.classifiers.includes('softmax') ? 'softmax' : model.classifiers[0];
      confusion = await evaluate(model, subset(data.test, 0, n), data.numClasses, mode);
      parts.push(`<h3>Confusion matrix</h3>
<div class="grid single">${confusionFigure(confusion, data.classNames, n === data.test.count ? `the ${data.testDescription}` : `the first ${n.toLocaleString('en-US')} test images`)}</div>`);
    } catch (e) {
      note('confusion matrix', e);
    }
  }

  const head = multi ? `Run ${run.name}` : 'Model';
  const html = `<section>
<h2>${escapeHtml(head)} <span class="h-sub">${escapeHtml(ck.algo)} on ${escapeHtml(datasetName(ck))}</span></h2>
${parts.join('\n')}
</section>`;
  const summary = confusion ? `${pct(confusion.errorRate)} (${confusion.mode}, ${confusion.count.toLocaleString('en-US')} images)` : '—';
  return { html, summary };
}

/** The table of `ff relax` as a chart: distance between labels per layer and iteration, trained vs untrained. */
function relaxationFigure(r: RelaxReport): string {
  const L = r.trained.distance[0]?.length ?? 0;
  const series = [];
  for (let l = 0; l < L; l++) {
    const color = PALETTE[l % PALETTE.length];
    series.push({ name: `layer ${l + 1}, trained`, color, points: r.trained.distance.map((row, t) => [t, row[l]] as [number, number]) });
    series.push({ name: `layer ${l + 1}, untrained`, color, dash: DASHES[1], points: r.untrained.distance.map((row, t) => [t, row[l]] as [number, number]) });
  }
  const chart = lineChart({
    title: 'Back relaxation',
    subtitle: `mean cosine distance between the states for different clamped labels (${r.split} images)`,
    xLabel: 'iteration',
    yLabel: 'distance between labels',
    series,
    integerX: true,
    zeroY: true,
  });
  return `<h3>Back relaxation</h3>
<p class="note">From <code>ff relax</code>: each label clamped in turn on the label layer; a layer k steps below it can only differ after k + 1 iterations.</p>
<div class="grid single">${chart ?? ''}</div>`;
}
