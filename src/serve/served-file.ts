// Opening a file ff serve is to send: only a regular file at exactly the path asked for, reached
// through no symbolic link (a run directory holding a link to ~/.ssh/id_rsa must not serve
// it), opened once, so the size sent as Content-Length and the bytes streamed come from the
// same descriptor.
import { closeSync, constants, fstatSync, openSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describeFileType } from '../util/atomic-write.js';

export type ServedFile = { fd: number; size: number; mtimeMs: number } | { status: 403 | 404; body: string };

// O_NOFOLLOW: a link as the last component fails with ELOOP. O_NONBLOCK: a FIFO opens at once
// (then fstat refuses it) instead of waiting for a writer with the server blocked.
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0);

/**
 * `root` (a real path, no links in it) joined with `segments`, open, or why not: 404 when it is
 * not there (a run directory deleted since the server started), 403 when it is a link, reached
 * through one, or not a regular file.
 */
export function openServedFile(root: string, segments: readonly string[]): ServedFile {
  const file = path.join(root, ...segments);
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { status: 403, body: 'not served: a symbolic link' };
    if (code === 'EACCES' || code === 'EPERM') return { status: 403, body: 'not served: not readable' };
    return { status: 404, body: 'not found' };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return closed(fd, { status: 404, body: 'not found' });
    if (!st.isFile()) return closed(fd, { status: 403, body: `not served: ${describeFileType(st)}` });
    // A link in a directory above the file (O_NOFOLLOW only checks the last component).
    if (openedPath(fd, file) !== file) return closed(fd, { status: 403, body: 'not served: reached through a symbolic link' });
    return { fd, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return closed(fd, { status: 404, body: 'not found' });
  }
}

function closed(fd: number, answer: { status: 403 | 404; body: string }): ServedFile {
  closeSync(fd);
  return answer;
}

/** Where the open descriptor really is: Linux says so without a race; elsewhere the path's real path. */
function openedPath(fd: number, file: string): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    try {
      return realpathSync(file);
    } catch {
      return undefined;
    }
  }
}
