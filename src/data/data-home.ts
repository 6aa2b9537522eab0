// The per-user data cache: where `ff data download NAME` writes by default and where every
// loader looks when no directory is given — $XDG_CACHE_HOME/forward-forward/NAME, else
// ~/.cache/forward-forward/NAME (the XDG base-directory convention, so it is found, cleaned
// and backed up like every other tool's cache). Never a path relative to the package: an
// installed package sits in node_modules, and a clone has nothing beside it.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** $XDG_CACHE_HOME/forward-forward, else ~/.cache/forward-forward (relative XDG values are ignored, as the spec says). */
export function dataCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
  return path.join(base, 'forward-forward');
}

/** The cache folder of one dataset (it may not exist yet). */
export function cachedDatasetDir(name: string): string {
  return path.join(dataCacheDir(), name);
}

/** True when the cache folder of `name` exists and holds `file` (what its loader reads first). */
export function cacheHolds(name: string, file: string): boolean {
  const p = path.join(cachedDatasetDir(name), file);
  return existsSync(p) && statSync(p).isFile();
}
