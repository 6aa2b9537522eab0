// metrics.jsonl: one JSON line per finished epoch, in a run store. The training loop appends
// (and syncs) an epoch's line BEFORE it replaces the checkpoint, so after a crash the log holds
// every epoch the checkpoint holds, perhaps one more, perhaps cut short; a resume drops what the
// checkpoint does not hold (truncateMetricsLog). A last line cut by a crash is dropped with a
// notice; a damaged line before it is an error naming the file and line.
import type { RunStore } from './run-store.js';
import { messageValue } from '../util/message-value.js';

export const METRICS_FILE = 'metrics.jsonl';

export interface EpochMetrics {
  epoch: number;
  seconds: number;
  gain: number;
  /** Validation error per classifier, when validated this epoch. */
  valid?: Record<string, number>;
  /** Signs that the run is not learning (train/health.ts): at chance, losses jumping. */
  warnings?: string[];
  [key: string]: unknown;
}

/** Where one-line notices about the log go (a dropped last line); default: stderr / the console. */
export type MetricsNotice = (line: string) => void;

const defaultNotice: MetricsNotice = (line) => console.warn(`ff: notice: ${line}`);

export function appendMetricsLog(store: RunStore, m: EpochMetrics): void {
  store.append(METRICS_FILE, `${JSON.stringify(m)}\n`);
}

export function readMetricsLog(store: RunStore, notice: MetricsNotice = defaultNotice): EpochMetrics[] {
  return parseMetricsLog(store.read(METRICS_FILE), store.locate(METRICS_FILE), notice).map((l) => l.metrics);
}

/** Keeps the lines of epochs up to `epoch` (those a checkpoint taken after it holds). */
export function truncateMetricsLog(store: RunStore, epoch: number, notice: MetricsNotice = defaultNotice): void {
  const bytes = store.read(METRICS_FILE);
  if (!bytes) return;
  const keep = parseMetricsLog(bytes, store.locate(METRICS_FILE), notice).filter((l) => l.metrics.epoch <= epoch);
  store.write(METRICS_FILE, keep.map((l) => `${l.text}\n`).join(''));
}

interface MetricsLine {
  text: string;
  metrics: EpochMetrics;
}

/** The log's lines (`file` names it in messages); blank lines are skipped. */
export function parseMetricsLog(bytes: Uint8Array | undefined, file: string, notice: MetricsNotice = defaultNotice): MetricsLine[] {
  if (!bytes) return [];
  const all = new TextDecoder().decode(bytes).split('\n');
  const numbered = all.map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.trim());
  const out: MetricsLine[] = [];
  for (const [k, { text, line }] of numbered.entries()) {
    const checked = checkLine(text);
    const why = typeof checked === 'string' ? checked : undefined;
    if (!why) {
      out.push({ text, metrics: checked as EpochMetrics });
    } else if (k === numbered.length - 1 && why === NOT_JSON) {
      // What a crash or a full disk in the middle of an append leaves: that epoch is redone.
      notice(`${file}: line ${line}, the last, is incomplete (cut by a crash or a full disk?); ignored`);
    } else {
      throw new Error(`${file}: line ${line} ${why} (the log is damaged; delete the line or the file to continue)`);
    }
  }
  return out;
}

const NOT_JSON = 'is not valid JSON';

/** The line's epoch metrics, or why it holds none (a string). */
function checkLine(text: string): EpochMetrics | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'is not a JSON object';
  const { epoch, seconds, valid } = m as Record<string, unknown>;
  if (!Number.isInteger(epoch) || (epoch as number) < 1) return `has epoch ${messageValue(JSON.stringify(epoch) ?? 'missing')}, not a positive integer`;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return `has seconds ${messageValue(JSON.stringify(seconds) ?? 'missing')}, not a duration`;
  const errors = typeof valid === 'object' && valid !== null && !Array.isArray(valid) && Object.values(valid).every((e) => typeof e === 'number' && e >= 0 && e <= 1);
  if (valid !== undefined && !errors) return `has valid ${messageValue(JSON.stringify(valid))}, not error rates by classifier`;
  return m as EpochMetrics;
}
