// The talk's table of CIFAR-10 results (learning procedure, testing procedure, hidden layers,
// train and test error), as aligned text and as Markdown, with epochs and wall time added; a
// data column first for suites across data sets (`ff compare --preset conv`).
export interface TalkRow {
  /** The data set, in suites across several (a first column when any row has one). */
  dataset?: string;
  /** 'BP', 'FF min ssq' or 'FF max ssq'. */
  procedure: string;
  /** 'output layer', 'goodness for every label' or 'one-pass softmax'. */
  testing: string;
  hidden: number;
  trainError: number;
  testError: number;
  epochs: number;
  wallSeconds: number;
}

const COLUMNS = ['learning procedure', 'testing procedure', 'hidden layers', 'train error', 'test error', 'epochs', 'wall time'] as const;
/** Columns aligned left (the rest are numbers, aligned right), without the data column. */
const TEXT_COLUMNS = 2;

/** The columns of these rows: a leading 'data' column when any row names its data set. */
function layout(rows: TalkRow[]): { columns: string[]; textColumns: number; cells: (r: TalkRow) => string[] } {
  const data = rows.some((r) => r.dataset !== undefined);
  const pct = (e: number) => `${(100 * e).toFixed(1)} %`;
  return {
    columns: [...(data ? ['data'] : []), ...COLUMNS],
    textColumns: TEXT_COLUMNS + (data ? 1 : 0),
    cells: (r) => [...(data ? [r.dataset ?? ''] : []), r.procedure, r.testing, String(r.hidden), pct(r.trainError), pct(r.testError), String(r.epochs), `${r.wallSeconds.toFixed(0)} s`],
  };
}

export function talkTextTable(rows: TalkRow[]): string {
  const { columns, textColumns, cells } = layout(rows);
  const body = rows.map(cells);
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const line = (cs: readonly string[]) => cs.map((c, i) => (i < textColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function talkMarkdownTable(rows: TalkRow[]): string {
  const { columns, textColumns, cells } = layout(rows);
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map((_, i) => (i < textColumns ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
  ].join('\n');
}
