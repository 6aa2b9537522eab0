// Claiming a run directory before any work is done: create it if asked, prove it is a
// writable directory and make it ours (DIR/.lock), so that a bad --out or a second writer
// fails in a moment with one line instead of after an epoch of training.
import { readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeDir } from './make-dir.js';
import { acquireRunLock, type RunLock } from './run-lock.js';

export interface RunDirClaim {
  readonly dir: string;
  /** Releases the lock; removes the directory again if we created it and it stayed empty. */
  release(): void;
}

export interface ClaimOptions {
  /** Create the directory (and parents) when missing; otherwise it must exist (resume). */
  create: boolean;
  /** One-line notices (a stale lock taken over). */
  onNotice?: (line: string) => void;
}

export function claimRunDir(dir: string, opts: ClaimOptions): RunDirClaim {
  const abs = path.resolve(dir);
  let created = false;
  if (opts.create) {
    created = makeDir(abs);
  } else if (!isDirectory(abs)) {
    throw new Error(`${abs}: no such run directory`);
  }
  let lock: RunLock;
  try {
    lock = acquireRunLock(abs, opts.onNotice);
  } catch (e) {
    if (created) removeIfEmpty(abs);
    throw e;
  }
  let released = false;
  return {
    dir: abs,
    release() {
      if (released) return;
      released = true;
      lock.release();
      if (created) removeIfEmpty(abs);
    },
  };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // not ours to worry about: it stays
  }
}
