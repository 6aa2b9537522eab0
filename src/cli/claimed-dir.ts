// Running a command's work inside a run directory it owns: claimed first (created, proved
// writable, locked; util/run-dir.ts), released when the work ends, fails or the process exits.
import { claimRunDir } from '../util/run-dir.js';

export async function inClaimedDir<T>(dir: string, work: (abs: string) => Promise<T>): Promise<T> {
  const claim = claimRunDir(dir, { create: true, onNotice: (line) => process.stderr.write(`ff: ${line}\n`) });
  process.once('exit', claim.release);
  try {
    return await work(claim.dir);
  } finally {
    process.off('exit', claim.release);
    claim.release();
  }
}
