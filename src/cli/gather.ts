// `ff gather DIR`: the table of a sweep (`ff sweep`) while it runs and after — every task's
// run with its options, epochs done, last and best validation error and, once finished, test
// error; then the variants (same options, any seed) with their mean and spread over seeds,
// best first, which is what a sweep is for. Printed and written to DIR/table.md.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { algorithmNames, getAlgorithm } from '../experiments/algorithms.js';
import { CONFIG_FILE } from '../train/checkpoint-format.js';
import { METRICS_FILE, parseMetricsLog } from '../train/metrics-log.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { messageValue } from '../util/message-value.js';
import { readFileBounded, readTextBounded, READ_LIMITS } from '../util/read-bounded.js';
import { RESULTS_FILE } from './train.js';

interface Task {
  name: string;
  dir: string;
  trainArgs: string[];
}

export interface TaskRow {
  name: string;
  /** The task's options other than --preset and --seed, as given to ff train. */
  variant: string;
  seed: string;
  epochs: number;
  totalEpochs: number | null;
  /** The classifier the validation columns are of: --classifier, else the algorithm's main one that was validated. */
  mode: string | null;
  lastValid: number | null;
  bestValid: number | null;
  bestEpoch: number | null;
  test: Record<string, number> | null;
}

export function registerGatherCommand(program: Command): void {
  program
    .command('gather')
    .description('the table of an ff sweep: each run, then each variant over its seeds (validation error, best first); also DIR/table.md')
    .argument('<dir>', 'the directory ff sweep --out wrote')
    .option('--classifier <mode>', "validation error of this classifier (default: each run's main one, e.g. FF's goodness)")
    .action((dir: string, o: { classifier?: string }) => {
      const text = gatherTable(dir, o.classifier);
      process.stdout.write(text);
      writeFileAtomic(path.join(dir, 'table.md'), text);
    });
}

function readTasks(dir: string): Task[] {
  const file = path.join(dir, 'tasks.json');
  if (!existsSync(file)) throw new Error(`${dir} has no tasks.json (is it a directory that ff sweep --out wrote?)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readTextBounded(file, READ_LIMITS.runJson));
  } catch (err) {
    // Not Node's message: it quotes the file's bytes, control characters included.
    if (err instanceof SyntaxError) throw new Error(`${file} is not valid JSON (damaged, or not written by ff sweep)`);
    throw err;
  }
  const tasks = (parsed as { tasks?: unknown } | null)?.tasks;
  const ok = (t: unknown): t is Task =>
    typeof t === 'object' && t !== null && typeof (t as Task).name === 'string' && typeof (t as Task).dir === 'string' && Array.isArray((t as Task).trainArgs) && (t as Task).trainArgs.every((a) => typeof a === 'string');
  if (!Array.isArray(tasks) || !tasks.every(ok)) throw new Error(`${file} has no list of tasks with name, dir and trainArgs`);
  return tasks;
}

/** Options of a task other than its seed, in its own order (--preset first). */
function splitArgs(args: string[]): { variant: string; seed: string } {
  const rest: string[] = [];
  let seed = '–';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seed') seed = args[++i] ?? '–';
    else rest.push(args[i]);
  }
  return { variant: rest.join(' '), seed };
}

/** A run's JSON object file, null when it has none; a damaged one is a one-line error naming it. */
function readJson(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readTextBounded(file, READ_LIMITS.runJson));
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${file} is not valid JSON (written by another tool, or damaged)`);
    throw err;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** results.json's test errors, per classifier. */
function testErrors(results: Record<string, unknown> | null, file: string): Record<string, number> | null {
  const test = results?.test;
  if (test === undefined) return null;
  const ok = typeof test === 'object' && test !== null && !Array.isArray(test) && Object.values(test).every((e) => typeof e === 'number' && e >= 0 && e <= 1);
  if (!ok) throw new Error(`${file}: test is ${messageValue(JSON.stringify(test))}, not error rates by classifier`);
  return test as Record<string, number>;
}

/** The algorithm's classifiers, main one first (FF: goodness, then the softmax). */
function classifierOrder(config: Record<string, unknown> | null): string[] {
  const algo = typeof config?.algo === 'string' && algorithmNames().includes(config.algo) ? config.algo : null;
  return algo ? getAlgorithm(algo).classifiers.map((c) => c.mode) : [];
}

export function taskRow(t: Task, classifier?: string): TaskRow {
  const { variant, seed } = splitArgs(t.trainArgs);
  const metricsFile = path.join(t.dir, METRICS_FILE);
  // A last line cut by a crash (or being written now) is left out with a notice; the epochs before it count.
  const metrics = existsSync(metricsFile) ? parseMetricsLog(readFileBounded(metricsFile, READ_LIMITS.metrics), metricsFile).map((l) => l.metrics) : [];
  const config = readJson(path.join(t.dir, CONFIG_FILE));
  const validated = metrics.filter((m) => m.valid && Object.keys(m.valid).length > 0);
  const seen = validated.length ? Object.keys(validated[0].valid!) : [];
  const mode = classifier ?? classifierOrder(config).find((m) => seen.includes(m)) ?? seen[0] ?? null;
  const curve = mode ? validated.filter((m) => typeof m.valid![mode] === 'number').map((m) => ({ epoch: m.epoch, error: m.valid![mode] })) : [];
  const best = curve.reduce<{ epoch: number; error: number } | null>((b, c) => (b === null || c.error < b.error ? c : b), null);
  const resultsFile = path.join(t.dir, RESULTS_FILE);
  const test = testErrors(readJson(resultsFile), resultsFile);
  return {
    name: t.name,
    variant,
    seed,
    epochs: metrics.length ? metrics[metrics.length - 1].epoch : 0,
    totalEpochs: typeof config?.epochs === 'number' ? config.epochs : null,
    mode,
    lastValid: curve.length ? curve[curve.length - 1].error : null,
    bestValid: best?.error ?? null,
    bestEpoch: best?.epoch ?? null,
    test,
  };
}

const pct = (e: number | null | undefined) => (e === null || e === undefined ? '–' : `${(100 * e).toFixed(2)} %`);

export function gatherTable(dir: string, classifier?: string): string {
  const rows = readTasks(dir).map((t) => taskRow(t, classifier));
  if (classifier && rows.some((r) => r.epochs > 0) && rows.every((r) => r.lastValid === null)) throw new Error(`no run in ${dir} was validated with the classifier '${classifier}'`);
  const out: string[] = [];
  out.push(`${rows.filter((r) => r.test).length} of ${rows.length} runs finished in ${path.resolve(dir)}`, '');
  out.push('| run | epochs | classifier | last validation | best validation (epoch) | test |', '| --- | ---: | --- | ---: | ---: | --- |');
  for (const r of rows) {
    const test = r.test ? Object.entries(r.test).map(([m, e]) => `${m} ${pct(e)}`).join(', ') : '–';
    const best = r.bestValid === null ? '–' : `${pct(r.bestValid)} (${r.bestEpoch})`;
    out.push(`| ${r.name} | ${r.epochs}/${r.totalEpochs ?? '?'} | ${r.mode ?? '–'} | ${pct(r.lastValid)} | ${best} | ${test} |`);
  }
  // Variants over seeds: the last validation error of runs that validated, best mean first.
  const groups = new Map<string, TaskRow[]>();
  for (const r of rows) groups.set(r.variant, [...(groups.get(r.variant) ?? []), r]);
  const variants = [...groups].map(([variant, rs]) => {
    const errs = rs.flatMap((r) => (r.lastValid === null ? [] : [r.lastValid]));
    const mean = errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : null;
    const spread = errs.length > 1 ? Math.max(...errs) - Math.min(...errs) : null;
    return { variant, runs: rs.length, done: errs.length, mean, spread, mode: rs.find((r) => r.mode)?.mode ?? '–' };
  });
  variants.sort((a, b) => (a.mean ?? Infinity) - (b.mean ?? Infinity));
  out.push('', 'Variants, best mean last validation error first (range over seeds):', '');
  out.push('| variant | runs validated | classifier | mean | range |', '| --- | ---: | --- | ---: | ---: |');
  for (const v of variants) out.push(`| ${v.variant} | ${v.done}/${v.runs} | ${v.mode} | ${pct(v.mean)} | ${v.spread === null ? '–' : pct(v.spread)} |`);
  return `${out.join('\n')}\n`;
}
