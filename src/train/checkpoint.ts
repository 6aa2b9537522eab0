// A run directory holds ONE checkpoint file (weights, optimizer state, RNG state, config) so a
// single atomic rename makes it consistent, plus config.json and metrics.jsonl for people.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
const FORMAT = 'forward-forward/checkpoint/1';

export interface Checkpoint {
  algo: string;
  /** The model's full configuration (JSON-serialisable). */
  config: Record<string, unknown>;
  /** Trainer and model state that is not a tensor: epoch, RNG, step counts, input shape. */
  state: Record<string, unknown>;
  tensors: Map<string, NamedTensor>;
  /** Set by loadCheckpoint: the file it came from (named in errors about its contents). */
  source?: string;
  /**
   * Set by loadCheckpoint: true when the file's sha256 matched, false when it carried none
   * (re-saved by another tool, which keeps only what it understands), so nothing was verified.
   */
  verified?: boolean;
}

export function saveCheckpoint(dir: string, ck: Checkpoint): void {
  const metadata = {
    format: FORMAT,
    algo: ck.algo,
    config: JSON.stringify(ck.config),
    state: JSON.stringify(ck.state),
    sha256: digest(ck.tensors),
  };
  writeFileAtomic(path.join(dir, CHECKPOINT_FILE), encodeSafetensors(ck.tensors, metadata));
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify({ algo: ck.algo, ...ck.config }, null, 2)}\n`);
}

export function loadCheckpoint(dir: string): Checkpoint {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) throw new Error(`${dir}: no checkpoint (${CHECKPOINT_FILE} not found)`);
  const { tensors, metadata } = decodeSafetensors(readFileSync(file), file);
  if (metadata.format !== undefined && metadata.format !== FORMAT) {
    throw new Error(`${file}: not a forward-forward checkpoint (format '${metadata.format}')`);
  }
  const missing = (['algo', 'config', 'state'] as const).filter((k) => metadata[k] === undefined);
  if (missing.length) {
    throw new Error(`${file}: no ${missing.join(', ')} metadata (written by another tool?), so the model cannot be rebuilt`);
  }
  // No checksum is not corruption (other tools drop metadata they don't know); a wrong one is.
  const verified = metadata.sha256 !== undefined;
  if (verified && metadata.sha256 !== digest(tensors)) throw new Error(`${file}: corrupt checkpoint (checksum mismatch)`);
  let config: unknown, state: unknown;
  try {
    config = JSON.parse(metadata.config);
    state = JSON.parse(metadata.state);
  } catch {
    throw new Error(`${file}: corrupt checkpoint (bad metadata)`);
  }
  if (!isObject(config)) throw new Error(`${file}: checkpoint config is not an object`);
  if (!isObject(state)) throw new Error(`${file}: checkpoint state is not an object`);
  return { algo: metadata.algo, config, state, tensors, source: file, verified };
}

/** One-line notices a caller may show about a loaded checkpoint (library code does not print). */
export function checkpointWarnings(ck: Checkpoint): string[] {
  if (ck.verified !== false) return [];
  return [`${ck.source ?? 'checkpoint'}: no checksum (re-saved by another tool?), so its tensors were loaded but not verified`];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function digest(tensors: Map<string, NamedTensor>): string {
  const h = createHash('sha256');
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(`${name}:${t.shape.join('x')};`);
    h.update(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex');
}
