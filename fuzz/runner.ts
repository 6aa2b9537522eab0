// Runs a parser over N mutated inputs in a child process (fuzz/child.ts) and tallies the
// verdicts. The runner draws each input from its own seed (the run's seed, the parser and the
// input's index), so any one input can be rebuilt alone; it enforces the per-input time box and
// memory limits by killing and restarting the child, and saves every failing input.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { seedsDigest, type ChildReply, type ChildRequest } from './child.js';
import type { Seed } from './seeds.js';
import { getTarget, type FailureKind, type FuzzTarget } from './targets.js';

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Where failing inputs are written. */
  failuresDir: string;
  /** A single input over this is a hang. */
  timeoutMs: number;
  /** Peak-memory growth for one input over this is a memory failure. */
  memoryLimitBytes: number;
  /** Only these input indices (to reproduce a failure). */
  only?: number[];
  log?: (line: string) => void;
}

export interface FailureRecord {
  index: number;
  kind: FailureKind;
  detail: string;
  file: string;
}

export interface TargetReport {
  parser: string;
  inputs: number;
  loaded: number;
  rejected: number;
  failures: Partial<Record<FailureKind, number>>;
  /** The first few failures of each distinct kind and detail. */
  examples: FailureRecord[];
  seconds: number;
}

/** Resident memory the runner lets a child reach before it kills it (a lying length, caught while it allocates). */
const HARD_RSS_BYTES = 2 * 1024 ** 3;
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** The seed of input `index` of `parser` in a run with seed `seed` (FNV-1a, so it is stable across versions). */
export function inputSeed(seed: number, parser: string, index: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const c of `${parser}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

class Child {
  private proc: ChildProcess | undefined;
  private pending: { resolve: (r: ChildReply | { died: string }) => void } | undefined;

  constructor(private readonly target: FuzzTarget, private readonly digest: string) {}

  async start(): Promise<void> {
    const proc = fork(CHILD, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.proc = proc;
    proc.stderr?.resume();
    proc.on('message', (m: ChildReply | { ready: string }) => {
      if ('ready' in m) return;
      this.settle(m);
    });
    proc.on('exit', (code, signal) => this.settle({ died: signal ? `signal ${signal}` : `exit code ${code}` }));
    const ready = await new Promise<string>((resolve, reject) => {
      proc.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('fuzz child: unexpected first message'))));
      proc.once('exit', (code) => reject(new Error(`fuzz child: exited (code ${code}) before it was ready`)));
      proc.send({ init: this.target.name });
    });
    if (ready !== this.digest) throw new Error(`fuzz child: its ${this.target.name} seeds differ from the runner's (seed builders must be deterministic)`);
  }

  private settle(r: ChildReply | { died: string }): void {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(r);
  }

  /** The child's reply, or why there was none (it died, ran over time or over memory). */
  async parse(req: ChildRequest, timeoutMs: number): Promise<ChildReply | { died: string } | { hang: true } | { memory: number }> {
    if (!this.proc) await this.start();
    const proc = this.proc!;
    const reply = new Promise<ChildReply | { died: string }>((resolve) => (this.pending = { resolve }));
    let over: { hang: true } | { memory: number } | undefined;
    const timer = setTimeout(() => {
      over = { hang: true };
      proc.kill('SIGKILL');
    }, timeoutMs);
    const watch = setInterval(() => {
      const rss = residentBytes(proc.pid!);
      if (rss > HARD_RSS_BYTES) {
        over = { memory: rss };
        proc.kill('SIGKILL');
      }
    }, 50);
    proc.send(req);
    const r = await reply;
    clearTimeout(timer);
    clearInterval(watch);
    if (over || 'died' in r) this.proc = undefined;
    return over ?? r;
  }

  /** Restart before the next input (peak memory is per process and never falls). */
  restart(): void {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
  }

  stop(): void {
    this.proc?.removeAllListeners('exit');
    this.proc?.kill('SIGKILL');
  }
}

function residentBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function fuzzTarget(parser: string, opts: FuzzOptions): Promise<TargetReport> {
  const started = Date.now();
  const target = getTarget(parser);
  const seeds: Seed[] = await target.seeds();
  const child = new Child(target, seedsDigest(seeds));
  const report: TargetReport = { parser, inputs: 0, loaded: 0, rejected: 0, failures: {}, examples: [], seconds: 0 };
  const seen = new Map<string, number>();
  const indices = opts.only ?? Array.from({ length: opts.runs }, (_, i) => i);
  try {
    for (const index of indices) {
      const [plan] = fc.sample(target.plan, { seed: inputSeed(opts.seed, parser, index), numRuns: 1 });
      const built = target.build(plan, seeds);
      const req: ChildRequest = { id: index, target: parser, seed: built.seed, name: target.fileName, bytes: built.bytes, expect: built.expect };
      const r = await child.parse(req, opts.timeoutMs);
      report.inputs++;
      let failure: { kind: FailureKind; detail: string } | undefined;
      if ('hang' in r) failure = { kind: 'hang', detail: `no verdict within ${opts.timeoutMs} ms` };
      else if ('memory' in r) failure = { kind: 'memory', detail: `resident memory reached ${mb(r.memory)} MB` };
      else if ('died' in r) failure = { kind: 'crash', detail: `the parsing process died (${r.died})` };
      else if (r.rssGrowth > opts.memoryLimitBytes) {
        failure = { kind: 'memory', detail: `peak memory grew by ${mb(r.rssGrowth)} MB (${r.verdict.outcome === 'rejected' ? `then: ${r.verdict.message.slice(0, 200)}` : r.verdict.outcome})` };
        child.restart();
      } else if (r.verdict.outcome === 'failure') failure = r.verdict.finding;
      else if (r.verdict.outcome === 'loaded') report.loaded++;
      else report.rejected++;
      if (failure) record(report, seen, opts, parser, index, built.bytes, plan, failure);
    }
  } finally {
    child.stop();
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

function record(report: TargetReport, seen: Map<string, number>, opts: FuzzOptions, parser: string, index: number, bytes: Uint8Array, plan: unknown, f: { kind: FailureKind; detail: string }): void {
  report.failures[f.kind] = (report.failures[f.kind] ?? 0) + 1;
  // Same kind and detail (numbers aside): keep the first three.
  const signature = `${f.kind}|${f.detail.replace(/\d+/g, 'N')}`;
  const n = (seen.get(signature) ?? 0) + 1;
  seen.set(signature, n);
  if (n > 3) return;
  mkdirSync(opts.failuresDir, { recursive: true });
  const file = path.join(opts.failuresDir, `${parser}-${index}-${f.kind.replace(/ /g, '-')}.bin`);
  writeFileSync(file, bytes);
  writeFileSync(`${file}.json`, `${JSON.stringify({ parser, seed: opts.seed, index, ...f, plan }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
  report.examples.push({ index, ...f, file });
  opts.log?.(`  ${parser} #${index}: ${f.kind}: ${f.detail.slice(0, 300)}`);
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
