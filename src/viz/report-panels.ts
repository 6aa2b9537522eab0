// The panels of `ff report` that are pure rendering: histograms of goodness and activity,
// receptive-field figures, the confusion matrix, the summary and configuration tables, and
// the page's CSS. report.ts gathers the data and lays these out.
import type { ProbeRefitReport } from '../ff/probe-refit.js';
import type { Checkpoint } from '../train/checkpoint.js';
import type { Evaluation } from '../train/evaluate.js';
import type { EpochMetrics } from '../train/trainer.js';
import { escapeHtml, figure, fmt, histogramChart } from './charts.js';
import { cssGradient } from './colormap.js';
import { renderFields, type FieldWeights } from './fields.js';
import { pickLocalUnits, renderLocalFields, type LocalFieldWeights } from './local-fields.js';
import { quantile, type LayerStats } from './layer-stats.js';

export function datasetName(ck: Checkpoint): string {
  return String(ck.config.dataset ?? ck.state.dataset ?? 'mnist');
}

/** One run directory as the report sees it. */
export interface Run {
  dir: string;
  name: string;
  ck: Checkpoint;
  metrics: EpochMetrics[];
  results: Record<string, unknown> | null;
}

export function goodnessChart(s: LayerStats, l: number, n: number, maxSsq: boolean): string {
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

export function activityChart(s: LayerStats, l: number, n: number): string {
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

/** A field grid as an inline PNG with its colour bar (blue −max, white 0, red +max). */
function fieldsImage(title: string, png: Buffer, size: { imageWidth: number; imageHeight: number }): string {
  return `<img class="fields" alt="${escapeHtml(title)}" width="${size.imageWidth}" height="${size.imageHeight}" src="data:image/png;base64,${png.toString('base64')}">
<div class="colorbar"><span>−max</span><span class="bar" style="background:${cssGradient()}"></span><span>+max</span></div>`;
}

export function fieldsFigure(title: string, what: string, fw: FieldWeights, units: number): string {
  const count = Math.min(units, fw.units);
  const { png, layout } = renderFields(fw, { units: count, sort: 'rms', scale: 2 });
  const strip = fw.labelPixels
    ? ` The strip under each image shows the weights from the ${fw.labelPixels} label ${fw.labelWeights ? 'units (extra inputs after the image)' : 'pixels'}, label 0 on the left (dark mark after every 5th), scaled to its own largest |weight|${fw.labelWeights ? '' : '; the label pixels are grey in the image'}.`
    : '';
  const body = `${fieldsImage(title, png, layout)}
<p class="note">${count} of ${fw.units} units with the largest weight RMS; ${escapeHtml(what)}, each image scaled to its own largest |weight| (blue negative, white 0, red positive).${strip}</p>`;
  return figure(title, body, { subtitle: `${count} units, sorted by RMS` });
}

/** A locally-connected layer 1: each unit's K×K window drawn at its place on the image grid. */
export function localFieldsFigure(title: string, what: string, lf: LocalFieldWeights, units: number): string {
  const g = lf.geometry;
  const picked = pickLocalUnits(lf, Math.min(units, g.height * g.width * g.outChannels), 'rms');
  const { png, layout } = renderLocalFields(lf, { units: picked, scale: 2 });
  const body = `${fieldsImage(title, png, layout)}
<p class="note">${picked.length} of ${g.height * g.width * g.outChannels} locally-connected units with the largest weight RMS; ${escapeHtml(what)}: each unit's ${g.window}×${g.window}×${g.inChannels} window at its place on the ${g.height}×${g.width} image (channels side by side, grey outside the window), scaled to its own largest |weight| (blue negative, white 0, red positive).</p>`;
  return figure(title, body, { subtitle: `${picked.length} units, sorted by RMS` });
}

export function probeRefitTable(r: ProbeRefitReport): string {
  const rows = r.probes
    .map((p) => `<tr><td>${escapeHtml(p.mode)}</td>${[p.online.valid, p.refit.valid, p.online.test, p.refit.test].map((x) => `<td>${pct(x)}</td>`).join('')}</tr>`)
    .join('');
  return `<h3>Linear probes fitted afterwards</h3>
<p class="note">From <code>ff probe</code>: fresh probes fitted on the frozen layers (${r.trainImages.toLocaleString('en-US')} training images, ${r.epochs} epochs, ${r.seconds.toFixed(0)} s) next to the probes trained online during FF. Validation: ${escapeHtml(r.valid)}; test: ${escapeHtml(r.test)}.</p>
<table class="summary"><tr><th>probe</th><th>online valid</th><th>refit valid</th><th>online test</th><th>refit test</th></tr>${rows}</table>`;
}

export function confusionFigure(ev: Evaluation, classNames: string[], what: string): string {
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

export function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

export function summaryTable(runs: Run[], confusions: string[]): string {
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

export function configTable(runs: Run[]): string {
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

export const PAGE_CSS = `
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
table.comparison td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.confusion td { text-align: right; min-width: 44px; font-variant-numeric: tabular-nums; }
table.confusion th { text-align: center; }
table.confusion td.err { background: #f7f8fa; color: #4a5160; }
`;
