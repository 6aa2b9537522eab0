// Bounded reads (util/read-bounded.ts): a FIFO or a link to /dev/zero where a checkpoint or
// the fables text should be is refused in one line at once, without waiting for a writer or
// reading without end; so are directories and files over their kind's limit. A UTF-16 or
// binary fables file is refused saying what it looks like.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AESOP_FILE, loadAesop } from '../../src/data/aesop.js';
import { CHECKPOINT_FILE } from '../../src/train/checkpoint-format.js';
import { readFileBounded, readFileBoundedAsync, READ_LIMITS } from '../../src/util/read-bounded.js';
import { oneLine } from '../helpers/one-line-error.js';
import { makeSpecialFile } from '../helpers/special-files.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Runs `code` in a child and returns its stdout; the child is killed when it runs past
 * `ms` or its resident memory passes 512 MB (what reading /dev/zero without a bound does
 * within a second), so a regression fails the test instead of hanging or filling memory.
 */
async function boundedChild(code: string, ms = 60_000): Promise<{ stdout: string; stderr: string; killed?: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let killed: string | undefined;
  const kill = (why: string) => {
    killed ??= why;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => kill(`still running after ${ms} ms`), ms);
  const watch = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      if (kb > 512 * 1024) kill(`resident memory reached ${Math.round(kb / 1024)} MB`);
    } catch {
      // exited
    }
  }, 50);
  await new Promise((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  clearInterval(watch);
  return { stdout, stderr, killed };
}

test('a FIFO or a link to /dev/zero as the checkpoint, the fables text or a run lock: one line at once, no memory growth', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-special-'));
  try {
    const cases: { name: string; file: string; kind: 'checkpoint' | 'aesop' | 'lock'; re: RegExp }[] = [];
    for (const special of ['fifo', 'zero'] as const) {
      for (const kind of ['checkpoint', 'aesop', 'lock'] as const) {
        const sub = path.join(dir, `${kind}-${special}`);
        mkdirSync(sub);
        const file = path.join(sub, { checkpoint: CHECKPOINT_FILE, aesop: AESOP_FILE, lock: '.lock' }[kind]);
        const why = special === 'fifo' ? makeSpecialFile('mkfifo', [file]) : (symlinkSync('/dev/zero', file), undefined);
        if (why) {
          t.diagnostic(why);
          continue;
        }
        const what = special === 'fifo' ? 'a FIFO' : 'a character device';
        cases.push({ name: `${kind} ${special}`, file: sub, kind, re: new RegExp(`^${escape(file)}: is ${what}, not ${{ checkpoint: 'a checkpoint file', aesop: 'the fables text', lock: 'a lock file' }[kind]}$`) });
      }
    }
    // One child for all cases (a child's start costs seconds): each case's message, or why it loaded.
    const code = `
      const { readCheckpoint } = await import('./src/train/checkpoint-format.ts');
      const { NodeRunStore } = await import('./src/train/node-run-store.ts');
      const { loadAesop } = await import('./src/data/aesop.ts');
      const { acquireRunLock } = await import('./src/util/run-lock.ts');
      const out = [];
      for (const c of ${JSON.stringify(cases.map(({ file, kind }) => ({ file, kind })))}) {
        const t0 = performance.now();
        try {
          if (c.kind === 'checkpoint') readCheckpoint(new NodeRunStore(c.file));
          else if (c.kind === 'lock') acquireRunLock(c.file);
          else await loadAesop({ dataDir: c.file });
          out.push({ message: 'loaded' });
        } catch (e) {
          out.push({ message: e.message, ms: performance.now() - t0 });
        }
      }
      console.log(JSON.stringify(out));`;
    const r = await boundedChild(code);
    assert.equal(r.killed, undefined, `the child was killed: ${r.killed}`);
    const got = JSON.parse(r.stdout) as { message: string; ms: number }[];
    cases.forEach((c, i) => {
      assert.match(got[i].message, c.re, c.name);
      assert.ok(got[i].ms < 1000, `${c.name}: refused in ${got[i].ms} ms`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bounded read returns exactly the file; refuses a directory or a file over its limit in one line', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-bounded-'));
  try {
    const file = path.join(dir, 'x.bin');
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255);
    writeFileSync(file, bytes);
    assert.deepEqual(new Uint8Array(readFileBounded(file, READ_LIMITS.dataset)), bytes);
    assert.deepEqual(new Uint8Array(await readFileBoundedAsync(file, READ_LIMITS.dataset)), bytes);
    const small = { what: 'a small file', maxBytes: 4999 };
    assert.throws(() => readFileBounded(file, small), (e) => oneLine(e, new RegExp(`^${escape(file)}: is 5000 bytes, more than a small file may be \\(4999 bytes\\)$`)));
    await assert.rejects(readFileBoundedAsync(dir, READ_LIMITS.runJson), (e) => oneLine(e, new RegExp(`^${escape(dir)}: is a directory, not a run JSON file$`)));
    assert.throws(() => readFileBounded(path.join(dir, 'nope'), READ_LIMITS.runJson), (e) => oneLine(e, /nope: file not found$/) && (e as NodeJS.ErrnoException).code === 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a UTF-16 or binary fables file is refused saying what it looks like', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-aesop-enc-'));
  try {
    const file = path.join(dir, AESOP_FILE);
    // English enough to make the 248 strings once decoded right.
    const text = Array.from({ length: 6000 }, (_, i) => ['the', 'fox', 'and', 'grapes', 'crow', 'lion', 'mouse.'][i % 7]).join(' ');
    const quiet = { dataDir: dir, warn: () => {} };
    writeFileSync(file, text);
    assert.equal((await loadAesop(quiet)).strings.length, 248, 'the UTF-8 text loads');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await assert.rejects(loadAesop(quiet), (e) => oneLine(e, new RegExp(`^${escape(file)}: looks like UTF-16 \\(byte-order mark FF FE\\); save it as UTF-8$`)));
    writeFileSync(file, Buffer.from(text, 'utf16le'));
    await assert.rejects(loadAesop(quiet), (e) => oneLine(e, /aesop-fables\.txt: looks like UTF-16 \(\d+ NUL bytes in \d+\); save it as UTF-8$/));
    const binary = Buffer.from(text);
    for (let i = 0; i < binary.length; i += 997) binary[i] = 0;
    writeFileSync(file, binary);
    await assert.rejects(loadAesop(quiet), (e) => oneLine(e, /aesop-fables\.txt: looks like a binary file, not text \(\d+ NUL bytes in \d+\)$/));
    writeFileSync(file, Uint8Array.from({ length: 40_000 }, (_, i) => 0x80 + ((i * 31) % 100)));
    await assert.rejects(loadAesop(quiet), (e) => oneLine(e, /aesop-fables\.txt: looks like a binary file, not text \(\d+ of its \d+ characters are control characters or invalid UTF-8\)$/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
