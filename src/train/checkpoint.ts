// Checkpoints in a run directory on disk (Node): the library's saveCheckpoint/loadCheckpoint.
// The format itself, and reading and writing it in any run store, is train/checkpoint-format.ts.
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint-format.js';
import { NodeRunStore } from './node-run-store.js';

export { CHECKPOINT_FILE, checkpointWarnings, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint-format.js';

/** Writes DIR/checkpoint.safetensors (atomically) and DIR/config.json. */
export function saveCheckpoint(dir: string, ck: Checkpoint): void {
  writeCheckpoint(new NodeRunStore(dir), ck);
}

export function loadCheckpoint(dir: string): Checkpoint {
  return readCheckpoint(new NodeRunStore(dir));
}
