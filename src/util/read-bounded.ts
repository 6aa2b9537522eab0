// Reading a whole file we were given (a checkpoint, a run's JSON, a data set, the fables
// text, an image to classify) with its size known before a byte is read: the file is opened
// without blocking (a FIFO would wait for a writer forever), the open descriptor is fstat'ed
// (no race with a rename between a check and the open), anything but a regular file is refused
// (a link to /dev/zero would grow memory without end), so is a file over its kind's limit, and
// exactly the fstat size is read. Every refusal is one line that names the file.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeFileType } from './atomic-write.js';
import { whyNot } from './make-dir.js';

export interface ReadLimit {
  /** What the file should be, for messages: "a checkpoint file". */
  what: string;
  maxBytes: number;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Per-kind limits: generous for what ff writes or reads, far below what would exhaust memory. */
export const READ_LIMITS = {
  /** The paper's biggest nets with Adam state are a few hundred MB. */
  checkpoint: { what: 'a checkpoint file', maxBytes: 4 * GiB },
  /** About a kilobyte an epoch. */
  metrics: { what: 'a metrics log', maxBytes: 256 * MiB },
  /** config.json, results.json, tasks.json, compare.json and the like. */
  runJson: { what: 'a run JSON file', maxBytes: 64 * MiB },
  /** IDX and CIFAR-10 files (the largest, MNIST's training images, is 47 MB raw). */
  dataset: { what: 'a data set file', maxBytes: 1 * GiB },
  /** The fables text is 192 kB; any English text works, but not a disk image. */
  text: { what: 'a text file', maxBytes: 64 * MiB },
  /** A PNG or IDX file for ff predict. */
  input: { what: 'an image file', maxBytes: 256 * MiB },
} as const satisfies Record<string, ReadLimit>;

/** A one-line error naming the file; `code` lets callers word the common cases their way. */
function refusal(message: string, code?: string): Error {
  return code ? Object.assign(new Error(message), { code }) : new Error(message);
}

function openError(e: unknown, file: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return refusal(`${file}: file not found`, code);
  return refusal(`${file}: cannot read (${whyNot(e, file)})`, code);
}

/** The fstat checks: a regular file within the limit; its size. */
function checkedSize(st: Stats, file: string, limit: ReadLimit): number {
  if (st.isDirectory()) throw refusal(`${file}: is a directory, not ${limit.what}`, 'EISDIR');
  if (!st.isFile()) throw refusal(`${file}: is ${describeFileType(st)}, not ${limit.what}`, 'ENOTREG');
  if (st.size > limit.maxBytes) {
    throw refusal(`${file}: is ${formatBytes(st.size)}, more than ${limit.what} may be (${formatBytes(limit.maxBytes)})`, 'EFBIG');
  }
  return st.size;
}

// O_NONBLOCK: opening a FIFO for reading returns at once (then fstat refuses it) instead of
// waiting for a writer; on a regular file it changes nothing.
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** The whole file, or a one-line error (missing, unreadable, not a regular file, too big). */
export function readFileBounded(file: string, limit: ReadLimit): Buffer {
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (e) {
    throw openError(e, file);
  }
  try {
    const size = checkedSize(fstatSync(fd), file, limit);
    const out = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, out, got, size - got, got);
      if (n === 0) break; // shrank since the fstat: what is there
      got += n;
    }
    return got === size ? out : out.subarray(0, got);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).syscall ? openError(e, file) : e;
  } finally {
    closeSync(fd);
  }
}

/** readFileBounded without blocking the event loop. */
export async function readFileBoundedAsync(file: string, limit: ReadLimit): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, FLAGS);
  } catch (e) {
    throw openError(e, file);
  }
  try {
    const size = checkedSize(await handle.stat(), file, limit);
    const out = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await handle.read(out, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === size ? out : out.subarray(0, got);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).syscall ? openError(e, file) : e;
  } finally {
    await handle.close();
  }
}

/** A bounded read as UTF-8 text (invalid bytes become U+FFFD). */
export function readTextBounded(file: string, limit: ReadLimit): string {
  return readFileBounded(file, limit).toString('utf8');
}

function formatBytes(n: number): string {
  if (n >= GiB) return `${+(n / GiB).toFixed(1)} GiB`;
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  return `${n} bytes`;
}
