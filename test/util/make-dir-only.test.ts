// Node's recursive mkdir loops forever at 100 % CPU where mkdir answers ENOENT although the
// parent exists (/proc, some FUSE and network file systems). Every directory the project creates
// therefore goes through util/make-dir.ts (makeDir), which walks the levels itself; this test
// keeps it that way by refusing any other call of mkdir/mkdirSync under src/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ALLOWED = path.join('src', 'util', 'make-dir.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The code without comments, so that a comment explaining the rule does not trip it. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:])\/\/.*$/gm, '$1');

test('no file but src/util/make-dir.ts calls mkdir or mkdirSync (fs or fs/promises)', { timeout: 30_000 }, () => {
  const offenders = sources('src')
    .filter((f) => f !== ALLOWED)
    .flatMap((f) => code(readFileSync(f, 'utf8')).split('\n').flatMap((line, i) => (/\bmkdir(Sync)?\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
  assert.deepEqual(offenders, [], 'create directories with makeDir (src/util/make-dir.ts)');
});
