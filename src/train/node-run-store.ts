// A run store on disk: the run directory of `ff train`. Whole files are written atomically
// (temporary file, fsync, rename), so a crash never leaves half a checkpoint; appended lines
// are fsynced before append() returns, so a line the training loop wrote before the checkpoint
// survives a crash after it (train/training-loop.ts). Reads are bounded (util/read-bounded.ts).
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { makeDir, whyNot } from '../util/make-dir.js';
import { readFileBounded, READ_LIMITS, type ReadLimit } from '../util/read-bounded.js';
import { CHECKPOINT_FILE } from './checkpoint-format.js';
import type { RunStore } from './run-store.js';

/** How big each of a run's files may be when read back. */
function limitOf(file: string): ReadLimit {
  if (file === CHECKPOINT_FILE) return READ_LIMITS.checkpoint;
  if (file.endsWith('.jsonl')) return READ_LIMITS.metrics;
  return READ_LIMITS.runJson;
}

export class NodeRunStore implements RunStore {
  constructor(readonly location: string) {}

  locate(file: string): string {
    return path.join(this.location, file);
  }

  read(file: string): Uint8Array | undefined {
    const where = this.locate(file);
    try {
      return readFileBounded(where, limitOf(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'EISDIR') throw new Error(`${where} is a directory, not ${file === CHECKPOINT_FILE ? 'a checkpoint file' : 'a file'}`);
      throw e;
    }
  }

  write(file: string, data: Uint8Array | string): void {
    writeFileAtomic(this.locate(file), data);
  }

  append(file: string, text: string): void {
    const where = this.locate(file);
    // Not through writeFileAtomic, so its check here: a FIFO would block, a device swallow the log.
    assertWritableTarget(where);
    let fd: number | undefined;
    try {
      makeDir(this.location); // the first epoch's line comes before its checkpoint, which used to make it
      fd = openSync(where, 'a');
      const bytes = Buffer.from(text);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      fsyncSync(fd);
    } catch (e) {
      // Node's own message ("ENOSPC: no space left on device, write") names no file.
      throw new Error(`${where}: cannot append: ${whyNot(e, where)}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
