// `npm run fuzz -- [--runs N] [--seed S] [--parser NAME[,NAME…]] [--failures DIR] [--timeout-ms MS]
// [--memory-mb MB] [--only I[,I…]]`: fuzz every parser (or the named ones) and print, per
// parser, the inputs tried, how many loaded, how many were rejected with a clear error and the
// failures by kind. Exits 1 on any failure; failing inputs are saved to DIR.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzTarget, type TargetReport } from './runner.js';
import { TARGETS } from './targets.js';

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      parser: { type: 'string' },
      failures: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      only: { type: 'string' },
    },
  });
  const seed = int('seed', values.seed, Math.floor(Math.random() * 2 ** 31));
  const parsers = values.parser ? values.parser.split(',') : TARGETS.map((t) => t.name);
  const failuresDir = path.resolve(values.failures ?? mkdtempSync(path.join(tmpdir(), 'ff-fuzz-')));
  const opts = {
    runs: int('runs', values.runs, 1000),
    seed,
    failuresDir,
    timeoutMs: int('timeout-ms', values['timeout-ms'], 3000),
    memoryLimitBytes: int('memory-mb', values['memory-mb'], 512) * 2 ** 20,
    only: values.only?.split(',').map((s) => int('only', s, 0)),
    log: (line: string) => console.log(line),
  };
  console.log(`fuzz: seed ${seed}, ${opts.only ? `inputs ${opts.only.join(',')}` : `${opts.runs} inputs`} per parser: ${parsers.join(', ')}`);
  const reports: TargetReport[] = [];
  for (const parser of parsers) {
    const r = await fuzzTarget(parser, opts);
    reports.push(r);
    console.log(formatReport(r));
  }
  const failed = reports.filter((r) => Object.keys(r.failures).length);
  console.log(`failing inputs: ${failuresDir}`);
  if (failed.length) {
    console.log(`FAILED: ${failed.map((r) => r.parser).join(', ')}; reproduce with: npm run fuzz -- --seed ${seed} --runs ${opts.runs} --parser ${failed.map((r) => r.parser).join(',')}`);
    return 1;
  }
  return 0;
}

export function formatReport(r: TargetReport): string {
  const failures = Object.entries(r.failures).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  return `${r.parser}: ${r.inputs} inputs, ${r.loaded} loaded, ${r.rejected} rejected with a clear error, failures: ${failures} (${r.seconds.toFixed(1)} s)`;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
