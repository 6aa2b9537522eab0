// Fuzz targets for the text files ff reads: the fables text (data/aesop.ts's loader after the
// read), metrics.jsonl (read and cut back as --resume and ff report do) and a sweep's JSON files
// (tasks.json and a run's config.json and results.json, as ff gather and --resume read them).
// Registered in fuzz/targets.ts; each loads with verified content or is refused in one line.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gatherTable } from '../src/cli/gather.js';
import { finishedEpochs } from '../src/cli/train.js';
import { textCorpusFromBytes } from '../src/data/aesop.js';
import { PAPER_CONTEXT_LENGTH } from '../src/data/char-windows.js';
import { TEXT_ALPHABET_SIZE } from '../src/data/text-alphabet.js';
import { PAPER_STRING_COUNT, PAPER_STRING_LENGTH } from '../src/data/text-strings.js';
import { CHECKPOINT_FILE } from '../src/train/checkpoint-format.js';
import { METRICS_FILE, readMetricsLog, truncateMetricsLog, type EpochMetrics } from '../src/train/metrics-log.js';
import type { RunStore } from '../src/train/run-store.js';
import { applyByteEdits, applyJsonEdit, byteEdit, jsonEdit, type ByteEdit, type JsonEdit } from './mutations.js';
import type { Finding, FuzzTarget } from './targets.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Deterministic English-like text: words, capitals, punctuation, line breaks, a few non-ASCII characters. */
function fableText(words: number, seed: number): string {
  const vocabulary = ['the', 'fox', 'and', 'grapes', 'a', 'crow', 'lion', 'mouse', 'said', 'he', 'to', 'of', 'in', 'was', 'wolf', 'lamb', 'it', 'that', 'his', 'shepherd'];
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16);
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = vocabulary[next() % vocabulary.length];
    const r = next() % 40;
    if (r === 0) w = w[0].toUpperCase() + w.slice(1);
    out.push(w, r === 1 ? '.\n' : r === 2 ? ', ' : r === 3 ? '; ' : r === 4 ? ' “Ah!” ' : r === 5 ? ' — ' : ' ');
  }
  return out.join('');
}

// ---- the fables text ----

type Encoding = 'utf8' | 'utf16le-bom' | 'utf16be-bom' | 'utf16le' | 'latin1';
type TextPlan = { seed: number; encoding: Encoding; edits: ByteEdit[] };

function encode(text: string, encoding: Encoding): Uint8Array {
  switch (encoding) {
    case 'utf8':
      return encoder.encode(text);
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    case 'latin1':
      return Buffer.from(text, 'latin1');
  }
}

/** The corpus a text loaded into: the paper's 248 strings of 100 symbols, their split and windows. */
function corpusProblem(bytes: Uint8Array, name: string): Finding | null {
  const corpus = textCorpusFromBytes(bytes, name, { warn: () => {} });
  // A file with NUL bytes is UTF-16 or binary: it must be refused, not trained on.
  if (bytes.includes(0)) return { kind: 'oracle', detail: 'a file with NUL bytes loaded as text' };
  const { strings, train, test, trainWindows, testWindows } = corpus;
  if (strings.length !== PAPER_STRING_COUNT) return { kind: 'oracle', detail: `${strings.length} strings` };
  if (train.length + test.length !== strings.length) return { kind: 'oracle', detail: `split ${train.length} + ${test.length}` };
  for (const s of strings) {
    if (s.symbols.length !== PAPER_STRING_LENGTH) return { kind: 'oracle', detail: `a string of ${s.symbols.length} symbols` };
    if (s.symbols.some((k) => k >= TEXT_ALPHABET_SIZE)) return { kind: 'oracle', detail: 'a symbol outside the alphabet' };
  }
  for (const [w, n] of [[trainWindows, train.length], [testWindows, test.length]] as const) {
    const per = PAPER_STRING_LENGTH - PAPER_CONTEXT_LENGTH;
    if (w.count !== n * per) return { kind: 'oracle', detail: `${w.count} windows for ${n} strings` };
    let ones = 0;
    for (let i = 0; i < w.inputs.length; i++) ones += w.inputs[i];
    if (ones !== w.count * PAPER_CONTEXT_LENGTH) return { kind: 'oracle', detail: 'window inputs are not one-hot' };
  }
  return null;
}

export const aesopText: FuzzTarget = {
  name: 'aesop-text',
  fileName: 'fuzz-aesop/aesop-fables.txt',
  seeds: async () => [
    { name: 'fables-like', bytes: encoder.encode(fableText(9000, 1)) },
    { name: 'long-enough', bytes: encoder.encode(fableText(6500, 2)) },
  ],
  plan: fc.record({
    seed: fc.nat(),
    encoding: fc.oneof({ weight: 12, arbitrary: fc.constant('utf8' as const) }, { weight: 1, arbitrary: fc.constantFrom('utf16le-bom' as const, 'utf16be-bom' as const, 'utf16le' as const, 'latin1' as const) }),
    edits: fc.array(byteEdit, { maxLength: 4 }),
  }),
  build(plan, seeds) {
    const p = plan as TextPlan;
    const seed = p.seed % seeds.length;
    return { seed, bytes: applyByteEdits(encode(decoder.decode(seeds[seed].bytes), p.encoding), p.edits) };
  },
  run: async (bytes, name) => corpusProblem(bytes, name),
};

// ---- metrics.jsonl ----

/** Realistic epoch lines: what the training loop writes for FF and BP runs. */
function metricsSeed(epochs: number, modes: string[]): Uint8Array {
  const lines = Array.from({ length: epochs }, (_, i): EpochMetrics => ({
    epoch: i + 1,
    seconds: 1.25 + i / 8,
    gain: 1 / (i + 1),
    trainLoss: 0.5 - i / 100,
    weightRms: [0.05, 0.04 + i / 1000],
    ...(i % 2 ? { valid: Object.fromEntries(modes.map((m, k) => [m, 0.1 / (i + k + 1)])), validSeconds: 0.5 } : {}),
    ...(i === 2 ? { warnings: ['valid error of goodness is at chance (90.0 %)'] } : {}),
    elapsed: 2 * (i + 1),
  }));
  return encoder.encode(lines.map((m) => `${JSON.stringify(m)}\n`).join(''));
}

type LinePlan = { line: number; edit: JsonEdit };
type MetricsPlan = { seed: number; lineEdits: LinePlan[]; edits: ByteEdit[]; keep: number };

/** A run store over one file in memory that names it `name` (as a run directory names its files). */
function oneFileStore(name: string, bytes: Uint8Array): RunStore & { bytes: Uint8Array } {
  return {
    location: path.dirname(name),
    bytes,
    locate: () => name,
    read(file) {
      return file === METRICS_FILE ? this.bytes : undefined;
    },
    write(_file, data) {
      this.bytes = typeof data === 'string' ? encoder.encode(data) : data;
    },
    append() {
      throw new Error('not used');
    },
  };
}

/** The lines a reader must return: every non-blank line parsed, the last allowed to be dropped when it does not parse. */
function expectedLines(bytes: Uint8Array): { lines: unknown[]; lastMayGo: boolean } {
  const texts = decoder.decode(bytes).split('\n').filter((l) => l.trim());
  const lines: unknown[] = [];
  let lastMayGo = false;
  texts.forEach((t, i) => {
    try {
      lines.push(JSON.parse(t));
    } catch {
      if (i === texts.length - 1) lastMayGo = true;
    }
  });
  return { lines, lastMayGo };
}

export const metricsLog: FuzzTarget = {
  name: 'metrics-log',
  fileName: 'fuzz-run/metrics.jsonl',
  seeds: async () => [
    { name: 'ff-5-epochs', bytes: metricsSeed(5, ['goodness', 'softmax']) },
    { name: 'bp-2-epochs', bytes: metricsSeed(2, ['output']) },
  ],
  plan: fc.record({
    seed: fc.nat(),
    lineEdits: fc.array(fc.record({ line: fc.nat(), edit: jsonEdit }), { maxLength: 2 }),
    edits: fc.array(byteEdit, { maxLength: 3 }),
    keep: fc.nat(6),
  }),
  build(plan, seeds) {
    const p = plan as MetricsPlan;
    const seed = p.seed % seeds.length;
    const lines = decoder.decode(seeds[seed].bytes).split('\n');
    for (const { line, edit } of p.lineEdits) {
      const i = line % (lines.length - 1); // not the empty string after the last newline
      lines[i] = JSON.stringify(applyJsonEdit(JSON.parse(lines[i]), edit)) ?? '';
    }
    return { seed, bytes: applyByteEdits(encoder.encode(lines.join('\n')), p.edits), expect: p.keep };
  },
  async run(bytes, name, _seed, keep) {
    const notices: string[] = [];
    const store = oneFileStore(name, bytes);
    const got = readMetricsLog(store, (l) => notices.push(l));
    // Content verified: the reader returns the file's lines as they are (the last one may be cut off).
    const want = expectedLines(bytes);
    if (JSON.stringify(got) !== JSON.stringify(want.lines)) return { kind: 'oracle', detail: `read ${got.length} lines, the file holds ${want.lines.length} complete ones` };
    if (notices.length !== (want.lastMayGo ? 1 : 0) || !notices.every((n) => n.includes(name) && !n.includes('\n'))) return { kind: 'oracle', detail: `notices: ${JSON.stringify(notices).slice(0, 200)}` };
    for (const m of got) {
      if (!Number.isInteger(m.epoch) || m.epoch < 1 || !Number.isFinite(m.seconds)) return { kind: 'oracle', detail: `a line with epoch ${m.epoch}, seconds ${m.seconds} loaded` };
    }
    // --resume: cut back to the checkpoint's epoch, then the log reads cleanly.
    truncateMetricsLog(store, keep as number, () => {});
    const after = readMetricsLog(store, () => notices.push('again'));
    const kept = got.filter((m) => m.epoch <= (keep as number));
    if (JSON.stringify(after) !== JSON.stringify(kept)) return { kind: 'oracle', detail: `after truncating to epoch ${keep}: ${after.length} lines, expected ${kept.length}` };
    return notices.includes('again') ? { kind: 'oracle', detail: 'the truncated log still has an incomplete line' } : null;
  },
};

// ---- a sweep's JSON files, as ff gather and --resume read them ----

const RUN_PLACEHOLDER = '@RUN@';
const RUN_FILES: Record<string, unknown> = {
  'tasks.json': {
    tasks: [
      { name: 'quick-seed-1', dir: `${RUN_PLACEHOLDER}/a`, trainArgs: ['--preset', 'quick', '--seed', '1'] },
      { name: 'quick-seed-2', dir: `${RUN_PLACEHOLDER}/b`, trainArgs: ['--preset', 'quick', '--seed', '2', '--layers', '20'] },
    ],
  },
  'config.json': { algo: 'ff', layers: [20, 20], epochs: 2, lr: 0.03, batchSize: 100, preset: 'quick' },
  'results.json': { epochs: 2, trainSeconds: 3.5, engine: 'wasm', blasThreads: 1, test: { goodness: 0.12, softmax: 0.1 } },
};

type RunJsonPlan = { seed: number; edits: JsonEdit[]; bytes: ByteEdit[] };

let scratch: string | undefined;

export const runJson: FuzzTarget = {
  name: 'run-json',
  fileName: 'fuzz-sweep',
  seeds: async () => Object.entries(RUN_FILES).map(([name, doc]) => ({ name, bytes: encoder.encode(`${JSON.stringify(doc, null, 2)}\n`) })),
  plan: fc.record({ seed: fc.nat(), edits: fc.array(jsonEdit, { maxLength: 3 }), bytes: fc.array(byteEdit, { maxLength: 2 }) }),
  build(plan, seeds) {
    const p = plan as RunJsonPlan;
    const seed = p.seed % seeds.length;
    const doc = p.edits.reduce(applyJsonEdit, JSON.parse(decoder.decode(seeds[seed].bytes)));
    return { seed, bytes: applyByteEdits(encoder.encode(JSON.stringify(doc) ?? ''), p.bytes) };
  },
  async run(bytes, name, seed) {
    scratch ??= mkdtempSync(path.join(tmpdir(), 'ff-fuzz-run-json-'));
    const root = path.join(scratch, name);
    rmSync(root, { recursive: true, force: true });
    const runs = [path.join(root, 'a'), path.join(root, 'b')];
    for (const d of runs) mkdirSync(d, { recursive: true });
    // Both runs finished (checkpoint, metrics, config, results); the fuzzed file replaces its seed in run a.
    const place = (text: string) => text.replaceAll(RUN_PLACEHOLDER, root);
    for (const [file, doc] of Object.entries(RUN_FILES)) {
      const text = place(`${JSON.stringify(doc)}\n`);
      if (file === 'tasks.json') writeFileSync(path.join(root, file), file === seed.name ? place(decoder.decode(bytes)) : text);
      else for (const d of runs) writeFileSync(path.join(d, file), d === runs[0] && file === seed.name ? bytes : text);
    }
    for (const d of runs) {
      writeFileSync(path.join(d, CHECKPOINT_FILE), 'not read here');
      writeFileSync(path.join(d, METRICS_FILE), metricsSeed(2, ['goodness', 'softmax']));
    }
    // --resume's first look: is the run finished, and after how many epochs?
    const finished = finishedEpochs(runs[0]);
    if (!(finished === '?' || (Number.isInteger(finished) && (finished as number) > 0))) return { kind: 'oracle', detail: `finished after ${String(finished)} epochs` };
    const table = gatherTable(root);
    const bad = /NaN|undefined|\[object|Infinity/.exec(table);
    if (bad) return { kind: 'oracle', detail: `the table shows '${bad[0]}'` };
    return null;
  },
};

export const RUN_FILE_TARGETS: readonly FuzzTarget[] = [aesopText, metricsLog, runJson];
