// Write a whole file or nothing: a temporary file in the same directory, fsync, then rename.
// A crash (or a full disk) leaves the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { makeDir, whyNot } from './make-dir.js';

export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  assertWritableTarget(file);
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

/**
 * Throws one line unless `file` is missing or a regular file (or a link to one). The rename
 * above would replace a device, FIFO or socket with a regular file (as root, `--out /dev/full`
 * became a PNG). Commands call this before their work too, so a bad --out fails at once.
 */
export function assertWritableTarget(file: string): void {
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    return; // missing (or unreachable): the write itself says why it cannot make it
  }
  if (!st.isFile()) throw new Error(`${file}: cannot write: it is ${describeFileType(st)}, not a regular file`);
}

/** What a file that is not a regular one is, in words ("a FIFO"), for one-line refusals. */
export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}
