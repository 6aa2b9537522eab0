// A run trained to the end in one go, and the same run stopped after epoch 1 and resumed from
// its checkpoint: every tensor must be bit-identical (resumable training loses nothing).
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DatasetSplits } from '../../src/data/dataset.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Algorithm } from '../../src/experiments/algorithms.js';
import { loadCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { train, type TrainResult } from '../../src/train/trainer.js';

/** Trains cfg whole in dir/whole and stopped + resumed in dir/parts; asserts equal tensors; returns the whole run. */
export async function assertResumeBitIdentical(algo: Algorithm, engine: Engine, cfg: Record<string, unknown>, data: DatasetSplits, dir: string): Promise<{ whole: TrainResult; checkpoint: Checkpoint }> {
  const whole = await train(algo.create(engine, cfg, data), data, { outDir: path.join(dir, 'whole') });
  const parts = path.join(dir, 'parts');
  await train(algo.create(engine, cfg, data), data, { outDir: parts, stopAfter: 1 });
  const ck1 = loadCheckpoint(parts);
  await train(algo.fromCheckpoint(engine, ck1), data, { outDir: parts, startEpoch: 2, elapsedBefore: Number(ck1.state.elapsed) });
  const a = loadCheckpoint(path.join(dir, 'whole'));
  const b = loadCheckpoint(parts);
  assert.deepEqual([...b.tensors.keys()].sort(), [...a.tensors.keys()].sort());
  for (const [name, t] of a.tensors) assert.deepEqual(b.tensors.get(name)!.data, t.data, `tensor ${name} differs after resume`);
  return { whole, checkpoint: a };
}
