// Small valid files the fuzzer mutates, built through the library (no training, no disk):
// checkpoints of tiny FF and BP nets, safetensors files as another tool writes them, IDX files
// of a few 28×28 images, a few CIFAR records, and 28×28 PNGs of every colour type.
import { PNG } from 'pngjs';
import { BPModel } from '../src/bp/bp-model.js';
import { BP_DEFAULTS } from '../src/bp/config.js';
import { encodeIdx } from '../src/data/idx.js';
import { getEngine } from '../src/engine/select.js';
import { FF_DEFAULTS } from '../src/ff/config.js';
import { FFModel } from '../src/ff/ff-model.js';
import { encodeCheckpoint, type Checkpoint } from '../src/train/checkpoint-format.js';
import { encodeSafetensors } from '../src/train/safetensors.js';
import { foreignSafetensors } from '../test/train/foreign-safetensors.js';
import { encodeRawPng } from './png-chunks.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** What a checkpoint seed holds (the oracle compares a verified load with it). */
  checkpoint?: Checkpoint;
  /** For loaders that take an expected count: the records, images or labels the seed holds. */
  count?: number;
}

/** Deterministic bytes (a linear congruential generator), so every run builds the same seeds. */
function pseudoRandomBytes(n: number, seed: number, max = 256): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16) % max);
}

export async function checkpointSeeds(): Promise<Seed[]> {
  const engine = getEngine();
  const gray = { height: 6, width: 6, channels: 1, numClasses: 10 };
  const colour = { height: 4, width: 4, channels: 3, numClasses: 10 };
  const models = [
    { name: 'ff-small', model: new FFModel(engine, { ...FF_DEFAULTS, layers: [12, 8] }, gray) },
    { name: 'ff-adam-centred', model: new FFModel(engine, { ...FF_DEFAULTS, layers: [10], optimizer: 'adam', center: 'channel-mean' }, colour, new Float32Array(48).fill(0.25)) },
    { name: 'bp-small', model: new BPModel(engine, { ...BP_DEFAULTS, layers: [9, 7] }, gray) },
  ];
  const seeds: Seed[] = [];
  for (const { name, model } of models) {
    const checkpoint = await model.toCheckpoint();
    seeds.push({ name, bytes: encodeCheckpoint(checkpoint), checkpoint });
  }
  return seeds;
}

export async function safetensorsSeeds(): Promise<Seed[]> {
  const tensors = new Map([
    ['a.weight', { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5) }],
    ['a.bias', { shape: [4], data: Float32Array.of(1, -1, 0.5, 0) }],
    ['empty', { shape: [0, 5], data: new Float32Array(0) }],
  ]);
  return [
    { name: 'ours', bytes: encodeSafetensors(tensors, { note: 'fuzz seed', format: 'x' }) },
    { name: 'foreign', bytes: foreignSafetensors([...tensors].map(([name, t]) => ({ name, ...t }))) },
    ...(await checkpointSeeds()).slice(0, 1),
  ];
}

export function idxSeeds(): Seed[] {
  return [
    { name: 'images', bytes: encodeIdx([3, 28, 28], pseudoRandomBytes(3 * 784, 1)), count: 3 },
    { name: 'labels', bytes: encodeIdx([3], pseudoRandomBytes(3, 2, 10)), count: 3 },
    { name: 'cube', bytes: encodeIdx([2, 3, 4], pseudoRandomBytes(24, 3)) },
  ];
}

export function cifarSeeds(): Seed[] {
  const records = pseudoRandomBytes(3 * 3073, 4);
  for (let r = 0; r < 3; r++) records[r * 3073] = r * 4; // labels 0, 4, 8
  return [{ name: 'three-records', bytes: records, count: 3 }];
}

export function pngSeeds(): Seed[] {
  const side = 28;
  const digit = (x: number, y: number) => (x >= 12 && x <= 15 && y >= 4 && y <= 23 ? 0 : 255); // a black "1" on white
  const rgba = new PNG({ width: side, height: side });
  for (let i = 0; i < side * side; i++) rgba.data.set([digit(i % side, (i / side) | 0), 40, 200, i % 3 ? 255 : 128], 4 * i);
  const samples = (ch: number, max: number) =>
    Array.from({ length: side * side * ch }, (_, k) => Math.round((digit((k / ch) % side | 0, (k / ch / side) | 0) / 255) * max));
  const palette = Uint8Array.of(0, 0, 0, 255, 255, 255);
  return [
    { name: 'rgba8', bytes: PNG.sync.write(rgba) },
    { name: 'gray8', bytes: encodeRawPng({ width: side, height: side, color: 0, depth: 8, interlaced: false, samples: samples(1, 255) }) },
    { name: 'gray16-interlaced', bytes: encodeRawPng({ width: side, height: side, color: 0, depth: 16, interlaced: true, samples: samples(1, 65535) }) },
    { name: 'rgba8-interlaced', bytes: encodeRawPng({ width: side, height: side, color: 6, depth: 8, interlaced: true, samples: samples(4, 255) }) },
    { name: 'palette8', bytes: encodeRawPng({ width: side, height: side, color: 3, depth: 8, interlaced: false, samples: samples(1, 1), palette }) },
  ];
}
