// `ff report`: ONE self-contained HTML file about one or more runs — training curves (runs
// overlaid), goodness histograms of positive vs negative data, per-unit activity histograms,
// receptive fields, the confusion matrix and the configuration. Nothing is loaded from the
// network: charts are inline SVG (see charts.ts for why no chart library), images are data:
// URIs, styles are inline, and there is no script at all.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { subset, type DatasetSplits, type ImageSet } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import type { Engine } from '../engine/engine.js';
import { Rng } from '../engine/rng.js';
import { getEngine } from '../engine/select.js';
import { FFModel } from '../ff/ff-model.js';
import type { FFNet } from '../ff/ff-net.js';
import { embedLabel, sampleRandomNegatives } from '../ff/labels.js';
import { getAlgorithm } from '../train/algorithms.js';
import { loadCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import { evaluate, type Evaluation } from '../train/evaluate.js';
import type { TrainableModel } from '../train/model.js';
import { readMetrics, type EpochMetrics } from '../train/trainer.js';
import { CHART_CSS, DASHES, escapeHtml, figure, fmt, histogramChart, lineChart, PALETTE, type Series } from './charts.js';
import { cssGradient } from './colormap.js';
import { fieldWeightsFromCheckpoint, learnedChange, renderFields, type FieldWeights } from './fields.js';

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
  /** Panels that could not be drawn, one line each (also shown in the report). */
  warnings: string[];
}

interface Run {
  dir: string;
  name: string;
  ck: Checkpoint;
  metrics: EpochMetrics[];
  results: Record<string, unknown> | null;
}

/** Per hidden layer of an FF net, from one pass over validation images with correct and wrong labels. */
export interface LayerStats {
  width: number;
  /** Goodness per image with its correct label (positive) and a random wrong label (negative). */
  pos: Float64Array;
  neg: Float64Array;
  threshold: number;
  /** Per unit: mean ReLU output and the fraction of images it is active on (positive data). */
  meanActivity: Float64Array;
  fractionActive: Float64Array;
}

export async function buildReport(dirs: string[], opts: ReportOptions = {}): Promise<Report> {
  if (dirs.length === 0) throw new Error('report: give at least one run directory');
  const runs = dirs.map(loadRun);
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
  return { html, charts: countCharts(html), warnings };
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
      results = JSON.parse(readFileSync(rf, 'utf8')) as Record<string, unknown>;
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
    data = await loadDataset(datasetName(ck), { dataDir: opts.dataDir, trainOnAll: Boolean(ck.config.trainOnAll) });
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
<p class="note">First ${n.toLocaleString('en-US')} validation images, once with the correct label (positive) and once with a random wrong label (negative); θ is the layer's threshold. ${
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

  // Receptive fields (any algorithm whose first layer reads pixels).
  try {
    const fw = fieldWeightsFromCheckpoint(ck, 1);
    const figs = [fieldsFigure('Receptive fields of layer 1', 'incoming weights', fw, opts.units ?? 100)];
    try {
      figs.push(fieldsFigure('Layer 1: change since initialisation', 'weights minus their initial values, regenerated from the run’s seed', await learnedChange(ck, fw, engine), opts.units ?? 100));
    } catch (e) {
      note('change since initialisation', e);
    }
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

function datasetName(ck: Checkpoint): string {
  return String(ck.config.dataset ?? ck.state.dataset ?? 'mnist');
}

/**
 * Goodness per image of every hidden layer with the correct label and with a random wrong
 * label, plus per-unit activity on the positive pass (net.forward, read from ws.g and ws.y).
 */
export async function ffLayerStats(net: FFNet, set: ImageSet, seed = 1): Promise<LayerStats[]> {
  const e = net.engine;
  const L = net.numLayers;
  const n = set.count;
  const D = net.inputSize;
  const N = net.numClasses;
  const stats: LayerStats[] = Array.from({ length: L }, (_, l) => ({
    width: net.sizes[l + 1],
    pos: new Float64Array(n),
    neg: new Float64Array(n),
    threshold: net.threshold(l),
    meanActivity: new Float64Array(net.sizes[l + 1]),
    fractionActive: new Float64Array(net.sizes[l + 1]),
  }));
  const rng = new Rng(seed);
  const CHUNK = 100;
  for (let start = 0; start < n; start += CHUNK) {
    const c = Math.min(CHUNK, n - start);
    const labels = set.labels.subarray(start, start + c);
    const wrong = new Int32Array(c);
    sampleRandomNegatives(labels, N, rng, wrong);
    const ws = net.workspace(c);
    for (const positive of [true, false]) {
      for (let i = 0; i < c; i++) {
        embedLabel(ws.host, i, set.images, (start + i) * D, D, positive ? labels[i] : wrong[i], N, net.cfg.labelStrength);
      }
      e.write(ws.x, ws.host);
      net.forward(ws, 0, c);
      for (let l = 0; l < L; l++) {
        const g = await e.read(ws.g[l]);
        const s = stats[l];
        for (let i = 0; i < c; i++) (positive ? s.pos : s.neg)[start + i] = net.goodness(g[i], l);
        if (positive) {
          const y = await e.read(ws.y[l]);
          const w = s.width;
          for (let i = 0; i < c; i++) {
            for (let j = 0; j < w; j++) {
              const v = y[i * w + j];
              s.meanActivity[j] += v;
              if (v > 0) s.fractionActive[j]++;
            }
          }
        }
      }
    }
  }
  for (const s of stats) {
    for (let j = 0; j < s.width; j++) {
      s.meanActivity[j] /= n;
      s.fractionActive[j] /= n;
    }
  }
  return stats;
}

function quantile(values: ArrayLike<number>, q: number): number {
  const a = Array.from(values).sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.floor(q * (a.length - 1)))] : 0;
}

function goodnessChart(s: LayerStats, l: number, n: number, maxSsq: boolean): string {
  let better = 0;
  for (let i = 0; i < n; i++) if (maxSsq ? s.pos[i] > s.neg[i] : s.pos[i] < s.neg[i]) better++;
  // A few extreme cases would squeeze everything else into one bin: clip to the 0.5th–99.5th
  // percentiles (widened to show θ); the clipped cases are counted in the end bins.
  const all = [...s.pos, ...s.neg];
  const top = Math.max(quantile(all, 0.995), s.threshold * 1.05);
  const bottom = Math.max(0, Math.min(quantile(all, 0.005), s.threshold * 0.95));
  const max = Math.max(...all);
  const min = Math.min(...all);
  const clipped = [min < bottom ? `below ${fmt(bottom)} in the first bin` : '', max > top ? `above ${fmt(top)} in the last` : ''].filter(Boolean);
  return (
    histogramChart({
      title: `Layer ${l + 1}: goodness, positive vs negative`,
      subtitle:
        `positive ${maxSsq ? 'above' : 'below'} its negative for ${pct(better / n)} of the ${n.toLocaleString('en-US')} images` +
        (clipped.length ? `; values ${clipped.join(', ')}` : ''),
      xLabel: 'goodness',
      yLabel: 'images',
      series: [
        { name: 'positive (correct label)', color: '#0072b2', values: s.pos },
        { name: 'negative (wrong label)', color: '#d55e00', values: s.neg },
      ],
      range: [bottom, top],
      markers: [{ x: s.threshold, label: `θ = ${fmt(s.threshold)}` }],
    }) ?? ''
  );
}

function activityChart(s: LayerStats, l: number, n: number): string {
  let dead = 0;
  let always = 0;
  for (let j = 0; j < s.width; j++) {
    if (s.fractionActive[j] === 0) dead++;
    if (s.fractionActive[j] === 1) always++;
  }
  return (
    histogramChart({
      title: `Layer ${l + 1}: per-unit mean activity`,
      subtitle: `${s.width} units · dead (never active): ${dead} · active on all ${n.toLocaleString('en-US')} images: ${always}`,
      xLabel: 'mean ReLU output on positive data',
      yLabel: 'units',
      series: [{ name: 'units', color: '#009e73', values: s.meanActivity }],
      range: [0, Math.max(1e-6, ...s.meanActivity)],
    }) ?? ''
  );
}

function fieldsFigure(title: string, what: string, fw: FieldWeights, units: number): string {
  const count = Math.min(units, fw.units);
  const { png, layout } = renderFields(fw, { units: count, sort: 'rms', scale: 2 });
  const strip = fw.labelPixels
    ? ` The strip under each image shows the weights from the ${fw.labelPixels} label pixels, label 0 on the left (dark mark after every 5th), scaled to its own largest |weight|; the label pixels are grey in the image.`
    : '';
  const body = `<img class="fields" alt="${escapeHtml(title)}" width="${layout.imageWidth}" height="${layout.imageHeight}" src="data:image/png;base64,${png.toString('base64')}">
<div class="colorbar"><span>−max</span><span class="bar" style="background:${cssGradient()}"></span><span>+max</span></div>
<p class="note">${count} of ${fw.units} units with the largest weight RMS; ${escapeHtml(what)}, each image scaled to its own largest |weight| (blue negative, white 0, red positive).${strip}</p>`;
  return figure(title, body, { subtitle: `${count} units, sorted by RMS` });
}

function confusionFigure(ev: Evaluation, classNames: string[], what: string): string {
  const n = ev.confusion.length;
  const name = (i: number) => escapeHtml(classNames[i] ?? String(i));
  let maxOff = 0;
  ev.confusion.forEach((row, i) => row.forEach((v, j) => i !== j && (maxOff = Math.max(maxOff, v))));
  const head = `<tr><th class="corner">true ╲ predicted</th>${Array.from({ length: n }, (_, j) => `<th>${name(j)}</th>`).join('')}<th>error</th></tr>`;
  const rows = ev.confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, j) => {
      const bg =
        i === j
          ? `rgba(0,158,115,${total ? (0.15 + 0.45 * (v / total)).toFixed(3) : 0})`
          : v > 0
            ? `rgba(213,94,0,${(0.12 + 0.68 * (v / Math.max(1, maxOff))).toFixed(3)})`
            : 'transparent';
      return `<td style="background:${bg}" title="true ${name(i)}, predicted ${name(j)}: ${v}">${v || ''}</td>`;
    });
    return `<tr><th>${name(i)}</th>${cells.join('')}<td class="err">${total ? pct((total - row[i]) / total) : '—'}</td></tr>`;
  });
  const body = `<table class="confusion">${head}${rows.join('')}</table>`;
  return figure(`Confusion matrix (${ev.mode})`, body, {
    subtitle: `${what}: error ${pct(ev.errorRate)} (${ev.errors} of ${ev.count.toLocaleString('en-US')}); off-diagonal shading relative to the largest confusion`,
  });
}

// ---- tables ------------------------------------------------------------------------------------

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

function summaryTable(runs: Run[], confusions: string[]): string {
  const last = (r: Run) => [...r.metrics].reverse().find((m) => m.valid);
  const rows = runs.map((r, i) => {
    const c = r.ck.config;
    const layers = Array.isArray(c.layers) ? (c.layers as number[]).join('-') : '—';
    const epochs = `${r.ck.state.epoch ?? r.metrics.length} / ${c.epochs ?? '?'}`;
    const elapsed = Number(r.ck.state.elapsed ?? NaN);
    const v = last(r)?.valid;
    const test = (r.results?.test ?? null) as Record<string, number> | null;
    const errs = (o: Record<string, number> | null | undefined) =>
      o ? Object.entries(o).map(([k, x]) => `${escapeHtml(k)} ${pct(x)}`).join('<br>') : '—';
    return `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.ck.algo)}</td><td>${escapeHtml(datasetName(r.ck))}</td><td>${escapeHtml(layers)}</td><td>${escapeHtml(epochs)}</td><td>${
      Number.isFinite(elapsed) ? `${fmt(elapsed)} s` : '—'
    }</td><td>${errs(v)}</td><td>${errs(test)}</td><td>${escapeHtml(confusions[i])}</td></tr>`;
  });
  return `<table class="summary"><tr><th>run</th><th>algorithm</th><th>dataset</th><th>hidden layers</th><th>epochs done</th><th>training time</th><th>last validation error</th><th>test error (results.json)</th><th>test error here</th></tr>${rows.join('')}</table>`;
}

function configTable(runs: Run[]): string {
  const keys: string[] = ['algo'];
  for (const r of runs) for (const k of Object.keys(r.ck.config)) if (!keys.includes(k)) keys.push(k);
  const value = (r: Run, k: string) => {
    const v = k === 'algo' ? r.ck.algo : r.ck.config[k];
    return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  };
  const rows = keys.map((k) => {
    const vals = runs.map((r) => value(r, k));
    const differs = runs.length > 1 && new Set(vals).size > 1;
    return `<tr${differs ? ' class="differs"' : ''}><th>${escapeHtml(k)}</th>${vals.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`;
  });
  const head = `<tr><th>option</th>${runs.map((r) => `<th>${escapeHtml(r.name)}</th>`).join('')}</tr>`;
  // Long and narrow: split into side-by-side tables (one per column of the page).
  const parts = runs.length <= 2 ? 3 : 1;
  const per = Math.ceil(rows.length / parts);
  const tables = Array.from({ length: parts }, (_, i) => rows.slice(i * per, (i + 1) * per))
    .filter((chunk) => chunk.length)
    .map((chunk) => `<table class="config">${head}${chunk.join('')}</table>`);
  return `${runs.length > 1 ? '<p class="note">Rows where the runs differ are highlighted.</p>' : ''}<div class="config-grid">${tables.join('')}</div>`;
}

const PAGE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f7; color: #1d2129; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d8dce3; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.h-sub { font-weight: 400; color: #5a6270; font-size: 14px; margin-left: 6px; }
.meta, .note { color: #5a6270; font-size: 12.5px; margin: 4px 0 8px; }
.warn { background: #fff4e5; border: 1px solid #f0c36d; border-radius: 6px; padding: 4px 12px; margin-top: 10px; }
.warn p { margin: 6px 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 14px; align-items: start; }
.grid.fields { grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
img.fields { display: block; max-width: 100%; height: auto; image-rendering: pixelated; margin: 4px auto; }
.colorbar { display: flex; align-items: center; gap: 6px; font-size: 11.5px; color: #4a5160; justify-content: center; }
.colorbar .bar { display: inline-block; width: 180px; height: 10px; border: 1px solid #bbb; }
table { border-collapse: collapse; background: #fff; font-size: 12.5px; }
th, td { border: 1px solid #d8dce3; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef0f4; font-weight: 600; }
table.summary, table.config { width: 100%; }
.config-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 14px; align-items: start; }
.grid.single { grid-template-columns: minmax(0, 760px); }
table.config td, table.config th { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
tr.differs td, tr.differs th { background: #fff4e5; font-weight: 600; }
table.confusion { margin: 6px auto; }
table.confusion td { text-align: right; min-width: 44px; font-variant-numeric: tabular-nums; }
table.confusion th { text-align: center; }
table.confusion td.err { background: #f7f8fa; color: #4a5160; }
`;
