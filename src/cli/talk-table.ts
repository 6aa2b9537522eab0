// The talk's table of CIFAR-10 results (learning procedure, testing procedure, hidden layers,
// train and test error), as aligned text and as Markdown, with epochs and wall time added.
export interface TalkRow {
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
/** Columns aligned left (the rest are numbers, aligned right). */
const TEXT_COLUMNS = 2;

function cells(r: TalkRow): string[] {
  const pct = (e: number) => `${(100 * e).toFixed(1)} %`;
  return [r.procedure, r.testing, String(r.hidden), pct(r.trainError), pct(r.testError), String(r.epochs), `${r.wallSeconds.toFixed(0)} s`];
}

export function talkTextTable(rows: TalkRow[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const line = (cs: readonly string[]) => cs.map((c, i) => (i < TEXT_COLUMNS ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function talkMarkdownTable(rows: TalkRow[]): string {
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i < TEXT_COLUMNS ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
  ].join('\n');
}
