// One process at a time writes a run directory: its owner holds DIR/.lock, a small JSON file
// with its pid and host, created exclusively (O_EXCL). A lock whose process is gone (killed,
// crashed, OOM) is taken over with a notice; a live one is refused, naming its pid.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, type Dirent } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { whyNot } from './make-dir.js';
import { readTextBounded } from './read-bounded.js';

export const LOCK_FILE = '.lock';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface RunLock {
  readonly file: string;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void;
}

/**
 * Takes DIR/.lock (DIR must exist) or throws one line saying who holds it. Creating the lock
 * is also the proof that DIR is writable: a read-only or pseudo file system fails here.
 */
export function acquireRunLock(dir: string, onNotice: (line: string) => void = () => {}): RunLock {
  const file = path.join(dir, LOCK_FILE);
  const mine = `${JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() } satisfies LockOwner)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(dir, file, mine)) return heldLock(file, mine);
    const text = readIfExists(file);
    if (text === undefined) continue; // released in between: try again
    const owner = parseOwner(text);
    if (!owner) throw new Error(`${dir}: ${file} is not a valid lock; remove it if no ff train is using ${dir}`);
    if (isAlive(owner)) {
      const where = owner.hostname === hostname() ? '' : ` on ${owner.hostname}`;
      throw new Error(
        `${dir} is in use by another ff process (pid ${owner.pid}${where}, since ${owner.since}); ` +
          `wait for it to finish, or remove ${file} if that process is not running`,
      );
    }
    if (removeIfUnchanged(file, text)) {
      const removed = removeTempFilesOf(owner.pid, dir);
      const cleaned = removed > 0 ? `; removed the ${removed} temporary file${removed === 1 ? '' : 's'} it left` : '';
      onNotice(`taking over ${file}: pid ${owner.pid}, which held it, is no longer running${cleaned}`);
    }
  }
  throw new Error(`${dir}: cannot take ${file}: other processes keep changing it`);
}

/** The owner recorded in DIR/.lock, or undefined when there is none (or it is unreadable). */
export function readRunLock(dir: string): LockOwner | undefined {
  const text = readIfExists(path.join(dir, LOCK_FILE));
  return text === undefined ? undefined : parseOwner(text);
}

function createExclusive(dir: string, file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`${dir}: cannot write there (${whyNot(e, file)})`);
  }
  try {
    writeSync(fd, text);
  } catch (e) {
    closeSync(fd);
    unlinkSync(file);
    throw new Error(`${dir}: cannot write there (${whyNot(e, file)})`);
  }
  closeSync(fd);
  return true;
}

function heldLock(file: string, text: string): RunLock {
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      // Only our own lock: after a takeover by someone else it is theirs.
      if (readIfExists(file) === text) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    },
  };
}

/** A lock holds a pid, a host name and a time. */
const LOCK_LIMIT = { what: 'a lock file', maxBytes: 64 * 1024 };

function readIfExists(file: string): string | undefined {
  try {
    // Bounded: a FIFO put in place of the lock must not stop ff train waiting for a writer.
    return readTextBounded(file, LOCK_LIMIT);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e; // one line naming the file (util/read-bounded.ts)
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    // kill(0) and kill(-1) would mean "my process group" and "everyone": only real pids.
    if (!Number.isInteger(o.pid) || o.pid! < 1 || o.pid! > 2 ** 31 - 1 || typeof o.hostname !== 'string') return undefined;
    return { pid: o.pid!, hostname: o.hostname, since: String(o.since ?? '?') };
  } catch {
    return undefined;
  }
}

/** A pid on another host cannot be checked from here: assume it is alive. */
function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but belongs to another user
  }
}

/**
 * Removes a stale lock unless someone replaced it meanwhile. Renaming is atomic, so of two
 * processes taking over the same stale lock only one gets its text; the other has moved the
 * winner's fresh lock aside, sees that, and puts it back.
 */
function removeIfUnchanged(file: string, staleText: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // gone already: the next attempt looks again
  }
  const moved = readIfExists(aside);
  if (moved !== staleText) {
    try {
      linkSync(aside, file); // restore the live lock (fails if yet another one appeared)
    } catch {
      // the next attempt reports whoever holds it now
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
  return moved === staleText;
}

/**
 * A process killed during writeFileAtomic leaves `.<name>.<pid>.<8 hex>.tmp` behind. Once its
 * lock is ours, its pid's temporary files are garbage: removed from DIR and the runs directly
 * below it (ff compare locks DIR and writes DIR/ff, DIR/bp). Only that exact pattern and pid.
 */
function removeTempFilesOf(pid: number, dir: string): number {
  const pattern = new RegExp(`^\\..+\\.${pid}\\.[0-9a-f]{8}\\.tmp$`);
  let removed = 0;
  const sweep = (d: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // unreadable: nothing we can clean there
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth > 0) sweep(p, depth - 1);
      else if (e.isFile() && pattern.test(e.name)) {
        try {
          unlinkSync(p);
          removed++;
        } catch {
          // gone already, or not ours to remove: it stays
        }
      }
    }
  };
  sweep(dir, 1);
  return removed;
}
