// Run stores: the memory store keeps copies and appends; metrics.jsonl is read and cut back to
// a checkpoint's epoch the same way in memory and on disk.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MemoryRunStore } from '../../src/train/memory-run-store.js';
import { appendMetricsLog, METRICS_FILE, readMetricsLog, truncateMetricsLog } from '../../src/train/metrics-log.js';
import { NodeRunStore } from '../../src/train/node-run-store.js';
import type { RunStore } from '../../src/train/run-store.js';

test('the memory store keeps a copy of what it is given and appends text', () => {
  const store = new MemoryRunStore();
  const bytes = new Uint8Array([1, 2, 3]);
  store.write('a.bin', bytes);
  bytes[0] = 9;
  assert.deepEqual([...store.read('a.bin')!], [1, 2, 3]);
  store.append('log.txt', 'x\n');
  store.append('log.txt', 'ÿ\n');
  assert.equal(new TextDecoder().decode(store.read('log.txt')), 'x\nÿ\n');
  assert.equal(store.read('missing'), undefined);
  assert.deepEqual(store.list().sort(), ['a.bin', 'log.txt']);
});

test('metrics.jsonl is appended, read and truncated alike in memory and on disk', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-store-'));
  try {
    const disk = new NodeRunStore(path.join(dir, 'run'));
    assert.equal(disk.read(METRICS_FILE), undefined, 'a missing directory holds no files');
    disk.write('keep.txt', ''); // creates the directory, as a checkpoint does
    assert.equal(new NodeRunStore(path.join(dir, 'run', 'keep.txt')).read(METRICS_FILE), undefined, 'nor does a file');
    for (const store of [new MemoryRunStore(), disk] as RunStore[]) {
      truncateMetricsLog(store, 1); // nothing to cut
      assert.deepEqual(readMetricsLog(store), []);
      for (const epoch of [1, 2, 3]) appendMetricsLog(store, { epoch, seconds: 0.5, gain: 1 });
      truncateMetricsLog(store, 2);
      assert.deepEqual(readMetricsLog(store).map((m) => m.epoch), [1, 2]);
    }
    assert.equal(readFileSync(path.join(dir, 'run', METRICS_FILE), 'utf8').split('\n').length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appending to a FIFO or device in place of metrics.jsonl is refused in one line instead of blocking', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-store-'));
  try {
    const fifo = path.join(dir, METRICS_FILE);
    try {
      execFileSync('mkfifo', [fifo], { stdio: 'pipe', timeout: 10_000 });
    } catch {
      return; // no mkfifo here: nothing to check
    }
    // In a child, so that a blocking open (no reader on the FIFO) fails the test instead of hanging it.
    const code = `import('./src/train/node-run-store.ts').then((m) => new m.NodeRunStore(${JSON.stringify(dir)}).append('${METRICS_FILE}', 'x\\n'))`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.signal, null, 'the append blocked on the FIFO');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${fifo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot write: it is a FIFO, not a regular file`));
    assert.ok(statSync(fifo).isFIFO());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
