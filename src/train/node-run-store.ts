// A run store on disk: the run directory of `ff train`. Whole files are written atomically
// (temporary file, fsync, rename), so a crash never leaves half a checkpoint.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { whyNot } from '../util/make-dir.js';
import { CHECKPOINT_FILE } from './checkpoint-format.js';
import type { RunStore } from './run-store.js';

export class NodeRunStore implements RunStore {
  constructor(readonly location: string) {}

  locate(file: string): string {
    return path.join(this.location, file);
  }

  read(file: string): Uint8Array | undefined {
    try {
      return readFileSync(this.locate(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      // Node's own message ("EISDIR: illegal operation on a directory, read") names no path.
      const where = this.locate(file);
      if (code === 'EISDIR') throw new Error(`${where} is a directory, not ${file === CHECKPOINT_FILE ? 'a checkpoint file' : 'a file'}`);
      throw new Error(`cannot read ${where} (${whyNot(e, where)})`);
    }
  }

  write(file: string, data: Uint8Array | string): void {
    writeFileAtomic(this.locate(file), data);
  }

  append(file: string, text: string): void {
    // Not through writeFileAtomic, so its check here: a FIFO would block, a device swallow the log.
    assertWritableTarget(this.locate(file));
    appendFileSync(this.locate(file), text);
  }
}
