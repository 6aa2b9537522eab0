// The fuzzer's worker process: parses each input it is sent in-process and reports the verdict
// and how much its peak memory grew. Parsing happens here, not in the runner, so a crash, an
// out-of-memory kill or a hang is observed by the runner instead of ending the run.
import { createHash } from 'node:crypto';
import type { Seed } from './seeds.js';
import { getTarget, type Finding, type FuzzTarget } from './targets.js';

export interface ChildRequest {
  id: number;
  target: string;
  seed: number;
  name: string;
  bytes: Uint8Array;
  expect?: unknown;
}

export type Verdict = { outcome: 'loaded' } | { outcome: 'rejected'; message: string } | { outcome: 'failure'; finding: Finding };

export interface ChildReply {
  id: number;
  verdict: Verdict;
  /** Growth of the process's peak resident memory while parsing this input, in bytes. */
  rssGrowth: number;
}

/** Digest of a target's seeds: the runner checks that both processes built the same ones. */
export function seedsDigest(seeds: Seed[]): string {
  const h = createHash('sha256');
  for (const s of seeds) h.update(s.bytes);
  return h.digest('hex');
}

/** The contract's "one clear error": a plain Error, one non-empty line that names the input. */
export function unclearError(e: unknown, name: string): string | null {
  if (!(e instanceof Error)) return `threw a non-Error: ${String(e).slice(0, 200)}`;
  const head = `${e.name}: ${e.message.split('\n')[0].slice(0, 300)}`;
  if (e.name !== 'Error' || e.constructor !== Error) return `threw ${head}`;
  if (!e.message.trim()) return 'threw an Error with an empty message';
  if (e.message.includes('\n')) return `message of ${e.message.split('\n').length} lines: ${head}`;
  if (!e.message.includes(name)) return `message does not name the input: ${head}`;
  if (e.message.length > 1000) return `message of ${e.message.length} characters: ${head}`;
  return null;
}

const seedCache = new Map<string, Seed[]>();

async function seedsOf(target: FuzzTarget): Promise<Seed[]> {
  let seeds = seedCache.get(target.name);
  if (!seeds) seedCache.set(target.name, (seeds = await target.seeds()));
  return seeds;
}

async function judge(req: ChildRequest): Promise<Verdict> {
  const target = getTarget(req.target);
  const seed = (await seedsOf(target))[req.seed];
  try {
    const finding = await target.run(req.bytes, req.name, seed, req.expect);
    return finding ? { outcome: 'failure', finding } : { outcome: 'loaded' };
  } catch (e) {
    const unclear = unclearError(e, req.name);
    if (unclear) return { outcome: 'failure', finding: { kind: 'unclear error', detail: unclear } };
    return { outcome: 'rejected', message: (e as Error).message };
  }
}

if (process.send) {
  process.on('message', async (msg: { init: string } | ChildRequest) => {
    if ('init' in msg) {
      const seeds = await seedsOf(getTarget(msg.init));
      process.send!({ ready: seedsDigest(seeds) });
      return;
    }
    const before = process.resourceUsage().maxRSS;
    const verdict = await judge({ ...msg, bytes: new Uint8Array(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength) });
    const reply: ChildReply = { id: msg.id, verdict, rssGrowth: (process.resourceUsage().maxRSS - before) * 1024 };
    process.send!(reply);
  });
}
