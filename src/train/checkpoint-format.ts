// A checkpoint is ONE file (weights, optimizer state, RNG state, config: safetensors with our
// metadata) so a single atomic write makes a run consistent; config.json beside it is for
// people. This file turns checkpoints into bytes and back, and reads and writes them in a run
// store; it does no file I/O of its own (train/checkpoint.ts is the run-directory side).
import { Sha256 } from '../util/sha256.js';
import type { RunStore } from './run-store.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const CONFIG_FILE = 'config.json';
const FORMAT = 'forward-forward/checkpoint/1';

export interface Checkpoint {
  algo: string;
  /** The model's full configuration (JSON-serialisable). */
  config: Record<string, unknown>;
  /** Trainer and model state that is not a tensor: epoch, RNG, step counts, input shape. */
  state: Record<string, unknown>;
  tensors: Map<string, NamedTensor>;
  /** Set by decodeCheckpoint: where it came from (named in errors about its contents). */
  source?: string;
  /**
   * Set by decodeCheckpoint: true when the file's sha256 matched, false when it carried none
   * (re-saved by another tool, which keeps only what it understands), so nothing was verified.
   */
  verified?: boolean;
}

/** The checkpoint file's bytes. */
export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const metadata = {
    format: FORMAT,
    algo: ck.algo,
    config: JSON.stringify(ck.config),
    state: JSON.stringify(ck.state),
    sha256: digest(ck.tensors),
  };
  return encodeSafetensors(ck.tensors, metadata);
}

/** A checkpoint from a file's bytes; `source` names the file in one-line errors. */
export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== undefined && metadata.format !== FORMAT) {
    throw new Error(`${source}: not a forward-forward checkpoint (format '${metadata.format}')`);
  }
  const missing = (['algo', 'config', 'state'] as const).filter((k) => metadata[k] === undefined);
  if (missing.length) {
    throw new Error(`${source}: no ${missing.join(', ')} metadata (written by another tool?), so the model cannot be rebuilt`);
  }
  // No checksum is not corruption (other tools drop metadata they don't know); a wrong one is.
  const verified = metadata.sha256 !== undefined;
  if (verified && metadata.sha256 !== digest(tensors)) throw new Error(`${source}: corrupt checkpoint (checksum mismatch)`);
  let config: unknown, state: unknown;
  try {
    config = JSON.parse(metadata.config);
    state = JSON.parse(metadata.state);
  } catch {
    throw new Error(`${source}: corrupt checkpoint (bad metadata)`);
  }
  if (!isObject(config)) throw new Error(`${source}: checkpoint config is not an object`);
  if (!isObject(state)) throw new Error(`${source}: checkpoint state is not an object`);
  return { algo: metadata.algo, config, state, tensors, source, verified };
}

/** Writes the checkpoint (atomically) and config.json into a run store. */
export function writeCheckpoint(store: RunStore, ck: Checkpoint): void {
  store.write(CHECKPOINT_FILE, encodeCheckpoint(ck));
  store.write(CONFIG_FILE, `${JSON.stringify({ algo: ck.algo, ...ck.config }, null, 2)}\n`);
}

/** The run store's checkpoint, or a one-line error when it has none or it is damaged. */
export function readCheckpoint(store: RunStore): Checkpoint {
  const bytes = store.read(CHECKPOINT_FILE);
  if (!bytes) throw new Error(`${store.location}: no checkpoint (${CHECKPOINT_FILE} not found)`);
  return decodeCheckpoint(bytes, store.locate(CHECKPOINT_FILE));
}

/** One-line notices a caller may show about a loaded checkpoint (library code does not print). */
export function checkpointWarnings(ck: Checkpoint): string[] {
  if (ck.verified !== false) return [];
  return [`${ck.source ?? 'checkpoint'}: no checksum (re-saved by another tool?), so its tensors were loaded but not verified`];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** sha256 over the tensors in name order: `name:RxC;` then the raw float32 bytes of each. */
function digest(tensors: Map<string, NamedTensor>): string {
  const h = new Sha256();
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(`${name}:${t.shape.join('x')};`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.hex();
}
