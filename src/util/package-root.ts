// Where this package is installed: the native addon's build and the explorer's files are found
// relative to it, whether run from the sources (tsx) or from dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The nearest directory at or above `dir` whose package.json is named forward-forward. */
export function packageRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const pj = path.join(d, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === 'forward-forward') return d;
      } catch {
        // Unreadable package.json: keep walking up.
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}
