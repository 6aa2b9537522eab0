// Create a directory and its missing parents, one mkdir per missing level. Node's
// mkdirSync({ recursive: true }) loops forever where mkdir answers ENOENT although the parent
// exists (/proc, some FUSE and network file systems); this walk is bounded by the path depth
// and turns every refusal into one line that names the offending path.
import { mkdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Creates `dir` (and missing parents); true when it did not exist before. */
export function makeDir(dir: string): boolean {
  const target = path.resolve(dir);
  // Walk up to the deepest path that exists; it must be a directory.
  const missing: string[] = [];
  for (let p = target; ; p = path.dirname(p)) {
    const st = statIfExists(p);
    if (st) {
      if (!st.isDirectory()) {
        throw new Error(p === target ? `${target} exists and is not a directory` : `${target}: ${p} is a file, not a directory`);
      }
      break;
    }
    missing.push(p);
    if (path.dirname(p) === p) break; // a missing root: mkdir below says why
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Another process may have made it in the meantime.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statIfExists(d)?.isDirectory()) continue;
      throw new Error(`cannot create directory ${d} (${whyNot(e, d)})`);
    }
  }
  return missing.length > 0;
}

function statIfExists(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`cannot look at ${p} (${whyNot(e, p)})`);
  }
}

/** The reason of a file-system error in words ("permission denied"), without Node's prefix and path. */
export function whyNot(e: unknown, p: string): string {
  const err = e as NodeJS.ErrnoException;
  // ENOENT from mkdir although the parent exists: the file system takes no new entries there.
  if (err.code === 'ENOENT' && statIfExists(path.dirname(p))?.isDirectory()) return `${path.dirname(p)} does not accept new files`;
  const m = /^[A-Z]+: ([^,]+)/.exec(err.message ?? '');
  return m ? m[1] : String(err.message ?? e).split('\n')[0];
}
