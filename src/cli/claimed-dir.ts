// Running a command's work inside a run directory it owns: claimed first (created, proved
// writable, locked; util/run-dir.ts), released when the work ends, fails or the process exits.
import { readdirSync } from 'node:fs';
import { CHECKPOINT_FILE, CONFIG_FILE } from '../train/checkpoint-format.js';
import { METRICS_FILE } from '../train/metrics-log.js';
import { LOCK_FILE } from '../util/run-lock.js';
import { claimRunDir } from '../util/run-dir.js';

/** What a directory may already hold for the command to work in it (a comparison it resumes). */
export interface OwnEntries {
  /** Names the work writes there itself: its run subdirectories and its tables. */
  names: readonly string[];
  /** Says what the directory is for in the refusal, e.g. 'a quick comparison'. */
  what: string;
}

export async function inClaimedDir<T>(dir: string, work: (abs: string) => Promise<T>, own?: OwnEntries): Promise<T> {
  const claim = claimRunDir(dir, { create: true, onNotice: (line) => process.stderr.write(`ff: ${line}\n`) });
  process.once('exit', claim.release);
  try {
    if (own) checkOnlyOwnEntries(dir, claim.dir, own);
    return await work(claim.dir);
  } finally {
    process.off('exit', claim.release);
    claim.release();
  }
}

/** The files that make a directory an `ff train` run. */
const RUN_FILES = [CHECKPOINT_FILE, CONFIG_FILE, METRICS_FILE, 'results.json'];

/**
 * Refuses a directory holding anything but `own` (and the lock we hold): working there would
 * mix this command's runs into an `ff train` run, another comparison or someone's files.
 */
function checkOnlyOwnEntries(dir: string, abs: string, own: OwnEntries): void {
  // `.compare.json.<pid>.<8 hex>.tmp`: left by a killed writer of our own files.
  const isOwn = (n: string) => own.names.includes(n) || own.names.some((o) => new RegExp(`^\\.${o.replace(/\./g, '\\.')}\\.\\d+\\.[0-9a-f]{8}\\.tmp$`).test(n));
  const entries = readdirSync(abs).filter((n) => n !== LOCK_FILE);
  const runFile = entries.find((n) => RUN_FILES.includes(n));
  if (runFile) throw new Error(`--out ${dir} holds a run (${runFile}); give a new directory for the comparison`);
  const foreign = entries.filter((n) => !isOwn(n)).sort();
  if (foreign.length > 0) {
    const shown = foreign.length > 3 ? `${foreign.slice(0, 3).join(', ')} and ${foreign.length - 3} more` : foreign.join(', ');
    throw new Error(`--out ${dir} is not empty and is not ${own.what} (it holds ${shown}); give a new or empty directory, or the comparison's own to resume it`);
  }
}
