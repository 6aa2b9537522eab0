// A run store on disk: the run directory of `ff train`. Whole files are written atomically
// (temporary file, fsync, rename), so a crash never leaves half a checkpoint.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
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
      throw e;
    }
  }

  write(file: string, data: Uint8Array | string): void {
    writeFileAtomic(this.locate(file), data);
  }

  append(file: string, text: string): void {
    appendFileSync(this.locate(file), text);
  }
}
