// `ff report` on a comparison directory (`ff compare`: DIR/compare.md, DIR/compare.json and one
// run directory per net): the comparison's table at the top of the report, then every member
// run as usual. The table is read from compare.md — the caption line and a Markdown table, as
// both `ff compare` forms write it — so the report shows exactly what the command printed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readTextBounded, READ_LIMITS } from '../util/read-bounded.js';
import path from 'node:path';
import { CHECKPOINT_FILE } from '../train/checkpoint.js';
import { escapeHtml } from './charts.js';

export const COMPARISON_FILE = 'compare.md';

export interface Comparison {
  dir: string;
  caption: string;
  header: string[];
  rows: string[][];
  /** The member runs, in the order of compare.json (else by name). */
  runDirs: string[];
}

/** A directory `ff compare` wrote (a compare.md and no checkpoint of its own). */
export function isComparisonDir(dir: string): boolean {
  return existsSync(path.join(dir, COMPARISON_FILE)) && !existsSync(path.join(dir, CHECKPOINT_FILE));
}

export function loadComparison(dir: string): Comparison {
  const text = readTextBounded(path.join(dir, COMPARISON_FILE), READ_LIMITS.runJson);
  const lines = text.split('\n').map((l) => l.trim());
  const tableLines = lines.filter((l) => l.startsWith('|'));
  const cellsOf = (l: string) => l.slice(1, l.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
  if (tableLines.length < 2) throw new Error(`${path.join(dir, COMPARISON_FILE)}: no table (rerun ff compare)`);
  const header = cellsOf(tableLines[0]);
  const rows = tableLines.slice(2).map(cellsOf);
  const caption = lines.find((l) => l && !l.startsWith('|')) ?? '';
  return { dir, caption, header, rows, runDirs: memberRuns(dir) };
}

/** Run directories of the comparison: compare.json's runs[].dir where given, else subdirectories with a checkpoint. */
function memberRuns(dir: string): string[] {
  const hasCheckpoint = (d: string) => existsSync(path.join(d, CHECKPOINT_FILE));
  try {
    const json = JSON.parse(readTextBounded(path.join(dir, 'compare.json'), READ_LIMITS.runJson)) as { runs?: { dir?: unknown; key?: unknown }[] };
    const named = (json.runs ?? [])
      .map((r) => (typeof r.key === 'string' ? path.join(dir, r.key) : typeof r.dir === 'string' ? r.dir : null))
      .filter((d): d is string => d !== null && hasCheckpoint(d));
    if (named.length) return named;
  } catch {
    // No or unreadable compare.json: fall back to the directory listing.
  }
  return readdirSync(dir)
    .map((n) => path.join(dir, n))
    .filter((d) => statSync(d).isDirectory() && hasCheckpoint(d))
    .sort();
}

/** The table as an HTML section (numbers right-aligned). */
export function comparisonSection(c: Comparison): string {
  const numeric = (s: string) => /^[-\d.,]+\s*(%|s)?$/.test(s);
  const head = c.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = c.rows
    .map((r) => `<tr>${r.map((v) => `<td${numeric(v) ? ' class="num"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<section>
<h2>Comparison: <code>${escapeHtml(c.dir)}</code></h2>
<p class="note">${escapeHtml(c.caption)}</p>
<table class="comparison">
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
}
