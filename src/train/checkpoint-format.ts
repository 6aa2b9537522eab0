// A checkpoint is ONE file (weights, optimizer state, RNG state, config: safetensors with our
// metadata) so a single atomic write makes a run consistent; config.json beside it is for
// people. This file turns checkpoints into bytes and back, and reads and writes them in a run
// store; it does no file I/O of its own (train/checkpoint.ts is the run-directory side).
import { Sha256 } from '../util/sha256.js';
import type { RunStore } from './run-store.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
import { messageValue as oneLine } from '../util/message-value.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const CONFIG_FILE = 'config.json';
/** Version 2: the sha256 covers algo, config, state and tensors (version 1: the tensors only). */
const FORMAT = 'forward-forward/checkpoint/2';
const FORMAT_TENSORS_ONLY = 'forward-forward/checkpoint/1';

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
   * Set by decodeCheckpoint: true when the file's sha256 matched over everything (algo, config,
   * state, tensors); false when it carried none (re-saved by another tool, which keeps only what
   * it understands) or was written by version 1, whose sha256 covers only the tensors.
   */
  verified?: boolean;
  /** Set by decodeCheckpoint when `verified` is false: why, in a few words. */
  unverifiedBecause?: string;
}

export interface DecodeCheckpointOptions {
  /**
   * Load tensors holding NaN or ±Inf instead of refusing them (for inspecting a run that
   * diverged); every other check still applies.
   */
  allowNonFinite?: boolean;
}

/** The checkpoint file's bytes. */
export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const config = JSON.stringify(ck.config);
  const state = JSON.stringify(ck.state);
  const metadata = { format: FORMAT, algo: ck.algo, config, state, sha256: digest(ck.algo, config, state, ck.tensors) };
  return encodeSafetensors(ck.tensors, metadata);
}

/** A checkpoint from a file's bytes; `source` names the file in one-line errors. */
export function decodeCheckpoint(bytes: Uint8Array, source: string, opts: DecodeCheckpointOptions = {}): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const format = metadata.format;
  if (format !== undefined && format !== FORMAT && format !== FORMAT_TENSORS_ONLY) {
    throw new Error(`${source}: not a forward-forward checkpoint (format '${oneLine(format)}')`);
  }
  const missing = (['algo', 'config', 'state'] as const).filter((k) => metadata[k] === undefined);
  if (missing.length) {
    throw new Error(`${source}: no ${missing.join(', ')} metadata (written by another tool?), so the model cannot be rebuilt`);
  }
  // No checksum is not corruption (other tools drop metadata they don't know); a wrong one is.
  let unverifiedBecause: string | undefined;
  if (metadata.sha256 === undefined) {
    unverifiedBecause = 'no checksum (re-saved by another tool?), so its contents were loaded but not verified';
  } else if (format === FORMAT_TENSORS_ONLY) {
    // Version 1 checksummed the tensors only: still check them, but its config and state are unverified.
    if (metadata.sha256 !== tensorDigest(tensors).hex()) throw new Error(`${source}: corrupt checkpoint (checksum mismatch)`);
    unverifiedBecause = 'written by an older version whose checksum covers the tensors only, so its config and state were not verified';
  } else if (format === undefined || metadata.sha256 !== digest(metadata.algo, metadata.config, metadata.state, tensors)) {
    throw new Error(`${source}: corrupt checkpoint (checksum mismatch)`);
  }
  let config: unknown, state: unknown;
  try {
    config = JSON.parse(metadata.config);
    state = JSON.parse(metadata.state);
  } catch {
    throw new Error(`${source}: corrupt checkpoint (bad metadata)`);
  }
  if (!isObject(config)) throw new Error(`${source}: checkpoint config is not an object`);
  if (!isObject(state)) throw new Error(`${source}: checkpoint state is not an object`);
  if (!opts.allowNonFinite) assertFinite(tensors, source);
  const verified = unverifiedBecause === undefined;
  return { algo: metadata.algo, config, state, tensors, source, verified, ...(verified ? {} : { unverifiedBecause }) };
}

/** Refuses NaN and ±Inf in any tensor, naming the first such tensor (a diverged or damaged model). */
function assertFinite(tensors: Map<string, NamedTensor>, source: string): void {
  for (const [name, t] of tensors) {
    let bad = 0;
    let first = -1;
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) {
        if (first < 0) first = i;
        bad++;
      }
    }
    if (bad) throw new Error(`${source}: tensor ${oneLine(name)} holds ${bad} non-finite value${bad > 1 ? 's' : ''} (first ${t.data[first]} at index ${first}): the model is damaged or diverged`);
  }
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
  return [`${ck.source ?? 'checkpoint'}: ${ck.unverifiedBecause ?? 'not verified'}`];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The version-2 sha256: the format, algo, config and state strings exactly as stored (each
 * length-prefixed, so no two headers hash alike), then the tensors as in version 1.
 */
function digest(algo: string, config: string, state: string, tensors: Map<string, NamedTensor>): string {
  const h = new Sha256();
  for (const field of [FORMAT, algo, config, state]) {
    const bytes = new TextEncoder().encode(field);
    h.update(`${bytes.length}:`);
    h.update(bytes);
  }
  return tensorDigest(tensors, h).hex();
}

/** Version 1's sha256 (and version 2's tail): `name:RxC;` then the raw float32 bytes of each tensor, in name order. */
function tensorDigest(tensors: Map<string, NamedTensor>, h = new Sha256()): Sha256 {
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(`${name}:${t.shape.join('x')};`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h;
}
