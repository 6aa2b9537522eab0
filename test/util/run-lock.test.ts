// Taking over a stale lock: the dead owner may have been killed (kill -9, OOM) in the middle of
// writeFileAtomic, leaving `.<name>.<pid>.<8 hex>.tmp` behind. The takeover knows that pid, so
// it removes exactly those files — in the run directory and in the runs directly below it
// (ff compare locks DIR and writes DIR/ff, DIR/bp) — and nothing else.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { acquireRunLock, LOCK_FILE } from '../../src/util/run-lock.js';

const root = mkdtempSync(path.join(tmpdir(), 'ff-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));

test("taking over a dead process's lock removes that process's temporary files, and only those", { timeout: 30_000 }, () => {
  const run = path.join(root, 'run');
  mkdirSync(path.join(run, 'ff'), { recursive: true });
  const dead = 2 ** 31 - 2; // above any pid_max: never a running process
  writeFileSync(path.join(run, LOCK_FILE), `${JSON.stringify({ pid: dead, hostname: hostname(), since: '2020-01-01T00:00:00Z' })}\n`);
  const stale = [`.checkpoint.safetensors.${dead}.0a1b2c3d.tmp`, `.metrics.jsonl.${dead}.deadbeef.tmp`, path.join('ff', `.checkpoint.safetensors.${dead}.12345678.tmp`)];
  const kept = [
    `.checkpoint.safetensors.${process.pid}.0a1b2c3d.tmp`, // a live process's (ours)
    `.checkpoint.safetensors.${dead}1.0a1b2c3d.tmp`, // another pid that starts with the same digits
    `.checkpoint.safetensors.${dead}.0a1b2c3.tmp`, // 7 hex digits: not a name writeFileAtomic makes
    `.checkpoint.safetensors.${dead}.0A1B2C3D.tmp`, // upper case: neither
    `checkpoint.safetensors.${dead}.0a1b2c3d.tmp`, // no leading dot
    `..${dead}.0a1b2c3d.tmp`, // empty name
    `.checkpoint.safetensors.${dead}.0a1b2c3d.tmp.keep`,
    'checkpoint.safetensors',
  ];
  for (const f of [...stale, ...kept]) writeFileSync(path.join(run, f), 'x');
  const notices: string[] = [];
  const lock = acquireRunLock(run, (line) => notices.push(line));
  try {
    for (const f of stale) assert.ok(!existsSync(path.join(run, f)), `${f} removed`);
    for (const f of kept) assert.ok(existsSync(path.join(run, f)), `${f} kept`);
    assert.deepEqual(notices, [`taking over ${path.join(run, LOCK_FILE)}: pid ${dead}, which held it, is no longer running; removed the 3 temporary files it left`]);
  } finally {
    lock.release();
  }
});
