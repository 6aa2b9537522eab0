// Small hand-written SVG charts for the HTML report: line charts (linear or log y) and
// overlaid histograms, each wrapped in <figure class="chart"> with a title and an HTML legend.
//
// Why hand-written and not a chart library: the report must open with no network, so any
// library would have to be inlined into every report (Chart.js ~200 kB, Plotly ~3.5 MB,
// Vega ~800 kB) and would need JavaScript to draw. The charts here are static SVG strings
// (about 250 lines, no dependency), work without scripts, print well, and are easy to test.
// Native SVG <title> elements give hover tooltips on every point and bar.

export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#8c564b'];
export const DASHES = ['', '7 4', '2 3', '9 3 2 3', '4 2'];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Compact number for axis labels and tooltips. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1).replace('e+', 'e');
  if (a >= 1e4) return `${+(v / 1000).toPrecision(3)}k`;
  return String(+v.toPrecision(3));
}

export interface LegendItem {
  name: string;
  color: string;
  dash?: string;
  /** 'line' (default) or a filled 'box' (histograms). */
  kind?: 'line' | 'box';
}

/** An HTML legend; omitted for a single item unless `always` (e.g. runs overlaid). */
export function legend(items: LegendItem[], always = false): string {
  if (items.length === 0 || (items.length < 2 && !always)) return '';
  const entries = items.map((it) => {
    const swatch =
      it.kind === 'box'
        ? `<rect x="1" y="2" width="20" height="10" fill="${it.color}" fill-opacity="0.35" stroke="${it.color}" stroke-width="1.5"/>`
        : `<line x1="1" y1="7" x2="25" y2="7" stroke="${it.color}" stroke-width="2.5"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`;
    return `<span class="legend-item"><svg width="26" height="14" aria-hidden="true">${swatch}</svg>${escapeHtml(it.name)}</span>`;
  });
  return `<div class="legend">${entries.join('')}</div>`;
}

/** <figure class="chart"> with a title, an optional subtitle, the body and a legend. */
export function figure(title: string, body: string, opts: { subtitle?: string; legend?: string; wide?: boolean } = {}): string {
  return (
    `<figure class="chart${opts.wide ? ' wide' : ''}"><figcaption><span class="chart-title">${escapeHtml(title)}</span>` +
    `${opts.subtitle ? `<span class="chart-sub">${escapeHtml(opts.subtitle)}</span>` : ''}</figcaption>` +
    `${body}${opts.legend ?? ''}</figure>`
  );
}

// ---- scales and ticks ------------------------------------------------------------------------

interface Scale {
  lo: number;
  hi: number;
  ticks: number[];
  map(v: number, px0: number, px1: number): number;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const e = raw / p;
  return (e >= 7.5 ? 10 : e >= 3.5 ? 5 : e >= 1.5 ? 2 : 1) * p;
}

function linearScale(min: number, max: number, count = 5, integer = false, zero = false): Scale {
  let lo = zero ? Math.min(0, min) : min;
  let hi = max;
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = integer ? 1 : Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
    lo = zero && lo >= 0 ? 0 : lo - pad;
    hi += pad;
  }
  let step = niceStep(hi - lo, count);
  if (integer) step = Math.max(1, Math.round(step));
  if (!integer) {
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
  }
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return { lo, hi, ticks, map: (v, a, b) => a + ((v - lo) / (hi - lo)) * (b - a) };
}

function logScale(min: number, max: number): Scale {
  let lo = Math.log10(min);
  let hi = Math.log10(max);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  // Pad to the enclosing 1-2-5 steps so the data does not touch the frame.
  const steps = [1, 2, 5, 10];
  const below = (v: number) => {
    const d = Math.floor(v);
    const m = 10 ** (v - d);
    return d + Math.log10([...steps].reverse().find((s) => s <= m + 1e-9) ?? 1);
  };
  const above = (v: number) => {
    const d = Math.floor(v);
    const m = 10 ** (v - d);
    return d + Math.log10(steps.find((s) => s >= m - 1e-9) ?? 10);
  };
  lo = below(lo);
  hi = above(hi);
  const ticks: number[] = [];
  const mult = hi - lo <= 2.01 ? [1, 2, 5] : hi - lo <= 4.01 ? [1, 3] : [1];
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
    for (const m of mult) {
      const t = m * 10 ** d;
      const l = Math.log10(t);
      if (l >= lo - 1e-9 && l <= hi + 1e-9) ticks.push(+t.toPrecision(12));
    }
  }
  return { lo: 10 ** lo, hi: 10 ** hi, ticks, map: (v, a, b) => a + ((Math.log10(v) - lo) / (hi - lo)) * (b - a) };
}

// ---- frame -----------------------------------------------------------------------------------

const W = 480;
const H = 280;
const M = { l: 66, r: 18, t: 14, b: 46 };

function frame(x: Scale, y: Scale, xLabel: string, yLabel: string, body: string, extra = ''): string {
  const px = (v: number) => x.map(v, M.l, W - M.r);
  const py = (v: number) => y.map(v, H - M.b, M.t);
  const parts: string[] = [];
  for (const t of y.ticks) {
    const yy = py(t).toFixed(1);
    parts.push(`<line class="grid" x1="${M.l}" x2="${W - M.r}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="tick" x="${M.l - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  for (const t of x.ticks) {
    const xx = px(t).toFixed(1);
    parts.push(`<line class="grid" x1="${xx}" x2="${xx}" y1="${M.t}" y2="${H - M.b}"/>`);
    parts.push(`<text class="tick" x="${xx}" y="${H - M.b + 17}" text-anchor="middle">${fmt(t)}</text>`);
  }
  parts.push(`<rect class="frame" x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}"/>`);
  parts.push(`<text class="axis" x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(
    `<text class="axis" transform="translate(15 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  return (
    `<svg class="plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(yLabel)} against ${escapeHtml(xLabel)}">` +
    `${parts.join('')}<g>${body}</g>${extra}</svg>`
  );
}

// ---- line chart ------------------------------------------------------------------------------

export interface Series {
  name: string;
  color: string;
  dash?: string;
  points: [number, number][];
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic y axis (points with y ≤ 0 are left out). */
  logY?: boolean;
  /** Integer x ticks (epochs). */
  integerX?: boolean;
  /** Include y = 0 in a linear axis. */
  zeroY?: boolean;
  /** Show the legend even for one series (when the names tell runs apart). */
  alwaysLegend?: boolean;
}

/** A line chart, or null when no series has a finite point. */
export function lineChart(o: LineChartOptions): string | null {
  const ok = (p: [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!o.logY || p[1] > 0);
  const series = o.series.map((s) => ({ ...s, points: s.points.filter(ok) })).filter((s) => s.points.length > 0);
  if (series.length === 0) return null;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const x = linearScale(Math.min(...xs), Math.max(...xs), 6, o.integerX);
  const y = o.logY ? logScale(Math.min(...ys), Math.max(...ys)) : linearScale(Math.min(...ys), Math.max(...ys), 5, false, o.zeroY);
  const px = (v: number) => x.map(v, M.l, W - M.r).toFixed(1);
  const py = (v: number) => y.map(v, H - M.b, M.t).toFixed(1);
  const body = series
    .map((s) => {
      const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${px(p[0])} ${py(p[1])}`).join('');
      const line = `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`;
      const dots = s.points
        .map(
          (p) =>
            `<circle cx="${px(p[0])}" cy="${py(p[1])}" r="3" fill="${s.color}"><title>${escapeHtml(s.name)}: ` +
            `${escapeHtml(o.xLabel)} ${fmt(p[0])}, ${fmt(p[1])}</title></circle>`,
        )
        .join('');
      return line + dots;
    })
    .join('');
  return figure(o.title, frame(x, y, o.xLabel, o.yLabel, body), {
    subtitle: o.subtitle,
    legend: legend(
      series.map((s) => ({ name: s.name, color: s.color, dash: s.dash })),
      o.alwaysLegend,
    ),
  });
}

// ---- histogram -------------------------------------------------------------------------------

export interface HistSeries {
  name: string;
  color: string;
  values: ArrayLike<number>;
}

export interface HistogramOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel?: string;
  series: HistSeries[];
  bins?: number;
  /** x range; values outside it are counted in the first or last bin. Default: the data's range. */
  range?: [number, number];
  /** Vertical reference lines (e.g. the goodness threshold θ). */
  markers?: { x: number; label: string }[];
}

/** Bin counts of values over [lo, hi] (outside values clipped into the end bins). */
export function binCounts(values: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / w)))]++;
  }
  return counts;
}

/** Overlaid histograms (same bins), or null without finite values. */
export function histogramChart(o: HistogramOptions): string | null {
  const all: number[] = [];
  for (const s of o.series) for (let i = 0; i < s.values.length; i++) if (Number.isFinite(s.values[i])) all.push(s.values[i]);
  if (all.length === 0) return null;
  const B = o.bins ?? 40;
  let [lo, hi] = o.range ?? [Math.min(...all), Math.max(...all)];
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const counts = o.series.map((s) => binCounts(s.values, lo, hi, B));
  const x = linearScale(lo, hi, 6);
  const y = linearScale(0, Math.max(1, ...counts.flat()), 5, false, true);
  const px = (v: number) => x.map(v, M.l, W - M.r);
  const py = (v: number) => y.map(v, H - M.b, M.t);
  const w = (hi - lo) / B;
  const body = o.series
    .map((s, k) => {
      let d = `M${px(lo).toFixed(1)} ${py(0).toFixed(1)}`;
      counts[k].forEach((c, b) => {
        d += `L${px(lo + b * w).toFixed(1)} ${py(c).toFixed(1)}L${px(lo + (b + 1) * w).toFixed(1)} ${py(c).toFixed(1)}`;
      });
      d += `L${px(hi).toFixed(1)} ${py(0).toFixed(1)}Z`;
      const tips = counts[k]
        .map((c, b) =>
          c === 0
            ? ''
            : `<rect x="${px(lo + b * w).toFixed(1)}" y="${py(c).toFixed(1)}" width="${(px(lo + w) - px(lo)).toFixed(1)}" ` +
              `height="${(py(0) - py(c)).toFixed(1)}" fill="transparent"><title>${escapeHtml(s.name)}: ${fmt(lo + b * w)}…${fmt(lo + (b + 1) * w)}: ${c}</title></rect>`,
        )
        .join('');
      return `<path d="${d}" fill="${s.color}" fill-opacity="0.3" stroke="${s.color}" stroke-width="1.5"/>${tips}`;
    })
    .join('');
  const marks = (o.markers ?? [])
    .filter((m) => m.x >= x.lo && m.x <= x.hi)
    .map((m) => {
      const xx = px(m.x).toFixed(1);
      return (
        `<line x1="${xx}" x2="${xx}" y1="${M.t}" y2="${H - M.b}" stroke="#444" stroke-width="1.5" stroke-dasharray="5 3"/>` +
        `<text class="marker" x="${+xx + 4}" y="${M.t + 12}">${escapeHtml(m.label)}</text>`
      );
    })
    .join('');
  return figure(o.title, frame(x, y, o.xLabel, o.yLabel ?? 'count', body, marks), {
    subtitle: o.subtitle,
    legend: legend(o.series.map((s) => ({ name: s.name, color: s.color, kind: 'box' as const }))),
  });
}

/** CSS shared by every report that embeds these charts. */
export const CHART_CSS = `
figure.chart { margin: 0; background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: 10px 12px 8px; min-width: 0; }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart figcaption { margin-bottom: 4px; }
.chart-title { display: block; font-weight: 600; font-size: 14px; }
.chart-sub { display: block; color: #5a6270; font-size: 12px; margin-top: 2px; }
svg.plot { width: 100%; height: auto; display: block; font-family: inherit; }
svg.plot .grid { stroke: #eceef2; stroke-width: 1; }
svg.plot .frame { fill: none; stroke: #9aa1ad; stroke-width: 1; }
svg.plot .tick { font-size: 12.5px; fill: #4a5160; }
svg.plot .axis { font-size: 13px; fill: #2a2f38; }
svg.plot .marker { font-size: 12.5px; fill: #222; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: #2a2f38; margin-top: 4px; }
.legend-item { display: inline-flex; align-items: center; gap: 5px; }
`;
