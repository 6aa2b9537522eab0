// metrics.jsonl and the checkpoint after a crash: whichever of the epoch's two writes fails
// (a full disk, a kill), the resumed run's log has exactly one line per epoch, as an
// uninterrupted run's has; a last line cut short is dropped with a notice, a damaged line before
// it is one line naming the file and line; a failing append names the file.
import assert from 'node:assert/strict';
import fs, { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BPModel } from '../../src/bp/bp-model.js';
import { BP_DEFAULTS, type BPConfig } from '../../src/bp/config.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { runToFinish } from '../../src/cli/compare-run.js';
import { getAlgorithm } from '../../src/experiments/algorithms.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../../src/train/checkpoint-format.js';
import { METRICS_FILE, readMetricsLog, truncateMetricsLog } from '../../src/train/metrics-log.js';
import { NodeRunStore } from '../../src/train/node-run-store.js';
import { train } from '../../src/train/training-loop.js';
import { oneLine } from '../helpers/one-line-error.js';
import { syntheticMaps } from '../helpers/synthetic-maps.js';

const data = syntheticMaps();
const SHAPE = { height: 6, width: 6, channels: 3, numClasses: 4 };
const CFG: BPConfig = { ...BP_DEFAULTS, layers: [12], epochs: 3, batchSize: 50, evalEvery: 1, center: 'none' };
const engine = new JsEngine();
const timeless = (ms: Record<string, unknown>[]) => ms.map(({ seconds: _s, elapsed: _e, validSeconds: _v, ...rest }) => rest);

/** A run directory whose `failing` write of epoch 2 fails, as a full disk or a kill would end it. */
class CrashingStore extends NodeRunStore {
  private checkpoints = 0;
  private appends = 0;
  constructor(location: string, private readonly failing: 'append' | 'checkpoint') {
    super(location);
  }
  override write(file: string, bytes: Uint8Array | string): void {
    if (file === CHECKPOINT_FILE && ++this.checkpoints === 2 && this.failing === 'checkpoint') throw new Error('simulated crash');
    super.write(file, bytes);
  }
  override append(file: string, text: string): void {
    if (++this.appends === 2 && this.failing === 'append') throw new Error('simulated crash');
    super.append(file, text);
  }
}

/** What ff train --resume does: checkpoint, drop the lines it does not hold, train on. */
async function resume(dir: string): Promise<void> {
  const store = new NodeRunStore(dir);
  const ck = readCheckpoint(store);
  const epoch = Number(ck.state.epoch);
  truncateMetricsLog(store, epoch);
  await train(getAlgorithm('bp').fromCheckpoint(engine, ck), data, { store, startEpoch: epoch + 1, elapsedBefore: Number(ck.state.elapsed) });
}

for (const failing of ['append', 'checkpoint'] as const) {
  test(`a crash in epoch 2's ${failing === 'append' ? 'metrics append' : 'checkpoint write'}, then a resume: one metrics line per epoch, as without the crash`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ff-crash-'));
    try {
      const whole = new NodeRunStore(path.join(dir, 'whole'));
      await train(new BPModel(engine, CFG, SHAPE), data, { store: whole });
      const crashed = path.join(dir, 'crashed');
      await assert.rejects(train(new BPModel(engine, CFG, SHAPE), data, { store: new CrashingStore(crashed, failing) }), /simulated crash/);
      await resume(crashed);
      const got = readMetricsLog(new NodeRunStore(crashed));
      assert.deepEqual(got.map((m) => m.epoch), [1, 2, 3]);
      assert.deepEqual(timeless(got), timeless(readMetricsLog(whole)));
      assert.equal(readCheckpoint(new NodeRunStore(crashed)).state.epoch, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('ff compare over a run whose first epoch crashed after its metrics line, before its checkpoint: the line is not doubled', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-crash-'));
  try {
    writeFileSync(path.join(dir, METRICS_FILE), '{"epoch":1,"seconds":0.5,"gain":1}\n');
    const config = { ...CFG, epochs: 2 } as unknown as Record<string, unknown>;
    const run = await runToFinish({ engine, algo: 'bp', config, dir, data, name: 'bp', progress: false, log: () => {} });
    assert.deepEqual(readMetricsLog(new NodeRunStore(dir)).map((m) => m.epoch), [1, 2]);
    assert.equal(run.epochs, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a last metrics line cut short is dropped with a notice naming the file; a resume rewrites the log without it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-torn-'));
  try {
    const store = new NodeRunStore(dir);
    await train(new BPModel(engine, { ...CFG, epochs: 1 }, SHAPE), data, { store });
    const file = path.join(dir, METRICS_FILE);
    const good = readFileSync(file, 'utf8');
    appendFileSync(file, '{"epoch":2,"seconds":0.1,"ga');
    const notices: string[] = [];
    assert.deepEqual(readMetricsLog(store, (l) => notices.push(l)).map((m) => m.epoch), [1]);
    assert.deepEqual(notices, [`${file}: line 2, the last, is incomplete (cut by a crash or a full disk?); ignored`]);
    truncateMetricsLog(store, 1, () => {});
    assert.equal(readFileSync(file, 'utf8'), good);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged metrics line before the last is one line naming the file and line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-torn-'));
  try {
    const file = path.join(dir, METRICS_FILE);
    writeFileSync(file, '{"epoch":1,"seconds":1}\n{"epoch":2,"sec\n{"epoch":3,"seconds":1}\n');
    const store = new NodeRunStore(dir);
    const re = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 2 is not valid JSON \\(the log is damaged; delete the line or the file to continue\\)$`);
    assert.throws(() => readMetricsLog(store), (e) => oneLine(e, re));
    assert.throws(() => truncateMetricsLog(store, 3), (e) => oneLine(e, re));
    writeFileSync(file, '{"epoch":1,"seconds":1}\n[1,2]\n{"epoch":"x","seconds":1}\n');
    assert.throws(() => readMetricsLog(store), (e) => oneLine(e, /metrics\.jsonl: line 2 is not a JSON object/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const code of ['ENOSPC', 'EACCES'] as const) {
  test(`${code} while appending the metrics line: the message names the file`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ff-full-'));
    const real = { writeSync: fs.writeSync, appendFileSync: fs.appendFileSync };
    try {
      // A full disk or a read-only file, as the file system reports it (root ignores file modes, so faked).
      const fail = () => {
        throw Object.assign(new Error(`${code}: ${code === 'ENOSPC' ? 'no space left on device' : 'permission denied'}, write`), { code, syscall: 'write' });
      };
      fs.writeSync = fail as typeof fs.writeSync;
      fs.appendFileSync = fail as typeof fs.appendFileSync;
      syncBuiltinESMExports();
      const file = path.join(dir, METRICS_FILE);
      const why = code === 'ENOSPC' ? 'no space left on device' : 'permission denied';
      assert.throws(() => new NodeRunStore(dir).append(METRICS_FILE, '{"epoch":1}\n'), (e) => oneLine(e, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot append: ${why}$`)));
    } finally {
      Object.assign(fs, real);
      syncBuiltinESMExports();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
