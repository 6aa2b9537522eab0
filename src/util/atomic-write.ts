// Write a whole file or nothing: a temporary file in the same directory, fsync, then rename.
// A crash (or a full disk) leaves the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeDir, whyNot } from './make-dir.js';

export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    makeDir(path.dirname(file)); // not mkdirSync's recursive mode, which can spin forever (see make-dir.ts)
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: cannot write: ${code ? whyNot(e, file) : (e as Error).message.split('\n')[0]}`);
  }
}
