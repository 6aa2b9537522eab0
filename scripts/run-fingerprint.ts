// Fingerprint of a run directory: SHA-256 of every checkpoint tensor, the RNG state and the
// per-epoch metrics without wall times. Two trees that train a config to the same fingerprint
// train it bit-identically (how a core reshape is checked; docs/results.md).
// Usage: npx tsx scripts/run-fingerprint.ts RUN_DIR...
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCheckpoint } from '../src/train/checkpoint-format.js';
import { NodeRunStore } from '../src/train/node-run-store.js';

const TIME_KEYS = new Set(['seconds', 'elapsed', 'validSeconds', 'evalSeconds']);

for (const dir of process.argv.slice(2)) {
  const ck = readCheckpoint(new NodeRunStore(dir));
  const h = createHash('sha256');
  for (const name of [...ck.tensors.keys()].sort()) {
    const t = ck.tensors.get(name)!;
    h.update(name).update(JSON.stringify(t.shape)).update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  h.update(JSON.stringify(ck.state.rng));
  const metrics = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.stringify(JSON.parse(line), (k, v) => (TIME_KEYS.has(k) || /seconds|time/i.test(k) ? undefined : v)));
  h.update(metrics.join('\n'));
  console.log(`${h.digest('hex').slice(0, 16)}  ${ck.tensors.size} tensors  ${metrics.length} epochs  ${dir}`);
}
