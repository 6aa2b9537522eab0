// The parsers under fuzz: for each, its seed files, the mutation plans fast-check draws, how a
// plan becomes bytes, and how the bytes are parsed in-process with the oracle that checks what
// loaded. `run` throws when the parser rejects the input (the child checks that the error is
// clear) and returns a finding when what loaded breaks the contract.
import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkCifarBatch, decodeRecords } from '../src/data/cifar10.js';
import { parseIdx } from '../src/data/idx.js';
import { parseMnistImages, parseMnistLabels } from '../src/data/mnist.js';
import { predictInputsFromBytes } from '../src/cli/predict-input.js';
import { getEngine } from '../src/engine/select.js';
import { rebuildRun } from '../src/experiments/load-run.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../src/train/checkpoint-format.js';
import { decodeSafetensors } from '../src/train/safetensors.js';
import { gzipWithZeros } from './bombs.js';
import {
  applyByteEdits, applyIdxEdit, applyJsonEdit, applySafetensorsEdit, byteEdit, idxEdit, jsonEdit, pngEdit, safetensorsEdit,
  type ByteEdit, type IdxEdit, type JsonEdit, type PngEdit, type SafetensorsEdit,
} from './mutations.js';
import { applyPngEdit } from './png-chunks.js';
import { serveTarget } from './serve-target.js';
import { pageHashTarget } from './page-hash-target.js';
import { RUN_FILE_TARGETS } from './run-file-targets.js';
import { checkpointSeeds, cifarSeeds, idxSeeds, pngSeeds, safetensorsSeeds, type Seed } from './seeds.js';

export type FailureKind = 'crash' | 'hang' | 'memory' | 'unclear error' | 'non-finite values' | 'changed content verified' | 'oracle';

export interface Finding {
  kind: FailureKind;
  detail: string;
}

export interface Built {
  bytes: Uint8Array;
  seed: number;
  /** What a load must reproduce, when the plan knows (the config target's edited content). */
  expect?: unknown;
}

export interface FuzzTarget {
  name: string;
  /** The file name the parser is given; every error must name it. */
  fileName: string;
  seeds(): Promise<Seed[]>;
  plan: fc.Arbitrary<unknown>;
  build(plan: unknown, seeds: Seed[]): Built;
  run(bytes: Uint8Array, name: string, seed: Seed, expect: unknown): Promise<Finding | null>;
}

const edits = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 4 });

// ---- oracles shared by several targets ----

function nonFinite(what: string, data: ArrayLike<number>): Finding | null {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) return { kind: 'non-finite values', detail: `${what}[${i}] = ${data[i]}` };
  }
  return null;
}

function unitRange(what: string, data: Float32Array, count: number): Finding | null {
  if (data.length !== count) return { kind: 'oracle', detail: `${what}: ${data.length} values, expected ${count}` };
  const bad = nonFinite(what, data);
  if (bad) return bad;
  const i = data.findIndex((v) => v < 0 || v > 1);
  return i < 0 ? null : { kind: 'oracle', detail: `${what}[${i}] = ${data[i]}, outside [0, 1]` };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Where two checkpoints' algo, config, state or tensors differ (JSON semantics; tensors bit for bit), or null. */
function checkpointDifference(got: Checkpoint, want: Pick<Checkpoint, 'algo' | 'config' | 'state' | 'tensors'>): string | null {
  if (got.algo !== want.algo) return `algo ${JSON.stringify(got.algo)} ≠ ${JSON.stringify(want.algo)}`;
  for (const key of ['config', 'state'] as const) {
    if (!jsonEqual(got[key], JSON.parse(JSON.stringify(want[key])))) return `${key} differs`;
  }
  const names = [...want.tensors.keys()].sort();
  if (JSON.stringify([...got.tensors.keys()].sort()) !== JSON.stringify(names)) return 'tensor names differ';
  for (const name of names) {
    const [g, w] = [got.tensors.get(name)!, want.tensors.get(name)!];
    if (JSON.stringify(g.shape) !== JSON.stringify(w.shape)) return `tensor ${name} shape [${g.shape}] ≠ [${w.shape}]`;
    if (!sameBytes(new Uint8Array(g.data.buffer, g.data.byteOffset, g.data.byteLength), new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength))) return `tensor ${name} data differs`;
  }
  return null;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Decode, check what loaded (finite tensors; a verified file holds exactly what was written),
 * rebuild the model as `ff eval` does and run it on two blank images.
 */
async function loadCheckpointModel(bytes: Uint8Array, name: string, want: Pick<Checkpoint, 'algo' | 'config' | 'state' | 'tensors'>): Promise<Finding | null> {
  const ck = decodeCheckpoint(bytes, name);
  for (const [tname, t] of ck.tensors) {
    const bad = nonFinite(`tensor ${tname}`, t.data);
    if (bad) return bad;
  }
  if (ck.verified) {
    const diff = checkpointDifference(ck, want);
    if (diff) return { kind: 'changed content verified', detail: diff };
  }
  const run = rebuildRun(getEngine(), ck);
  const { height, width, channels, numClasses } = run.shape;
  let predictions: Uint8Array;
  try {
    ({ predictions } = await run.model.predict(new Float32Array(2 * height * width * channels), 2, run.model.classifiers[0]));
  } catch (e) {
    return { kind: 'oracle', detail: `the rebuilt model fails to predict: ${(e as Error).name}: ${(e as Error).message}` };
  }
  const i = predictions.findIndex((p) => p >= numClasses);
  return i < 0 ? null : { kind: 'oracle', detail: `prediction ${predictions[i]} for ${numClasses} classes` };
}

// ---- the targets ----

type SafetensorsPlan = { seed: number; edits: SafetensorsEdit[] };

const safetensors: FuzzTarget = {
  name: 'safetensors',
  fileName: 'fuzz-input.safetensors',
  seeds: safetensorsSeeds,
  plan: fc.record({ seed: fc.nat(), edits: edits(safetensorsEdit) }),
  build(plan, seeds) {
    const p = plan as SafetensorsPlan;
    const seed = p.seed % seeds.length;
    return { seed, bytes: p.edits.reduce(applySafetensorsEdit, seeds[seed].bytes) };
  },
  async run(bytes, name) {
    // The container only: NaN is a valid float32 here; checkpoints refuse it (next target).
    const { tensors, metadata } = decodeSafetensors(bytes, name);
    if (Object.values(metadata).some((v) => typeof v !== 'string')) return { kind: 'oracle', detail: 'a metadata value is not a string' };
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }>;
    for (const [tname, t] of tensors) {
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== count) return { kind: 'oracle', detail: `tensor ${tname}: ${t.data.length} values for shape [${t.shape}]` };
      const [a, b] = header[tname].data_offsets;
      if (!sameBytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), bytes.subarray(8 + n + a, 8 + n + b))) {
        return { kind: 'oracle', detail: `tensor ${tname}: data is not the file's bytes ${a}..${b}` };
      }
    }
    return null;
  },
};

const checkpoint: FuzzTarget = {
  name: 'checkpoint',
  fileName: 'fuzz-run/checkpoint.safetensors',
  seeds: checkpointSeeds,
  plan: fc.record({ seed: fc.nat(), edits: edits(safetensorsEdit) }),
  build: safetensors.build,
  run: (bytes, name, seed) => loadCheckpointModel(bytes, name, seed.checkpoint!),
};

type ConfigPlan = { seed: number; algo: string | null; edits: JsonEdit[] };

/** Edits of a checkpoint's config and state, written with a correct checksum: the loader must judge the content itself. */
const checkpointConfig: FuzzTarget = {
  name: 'checkpoint-config',
  fileName: 'fuzz-config-run/checkpoint.safetensors',
  seeds: checkpointSeeds,
  plan: fc.record({ seed: fc.nat(), algo: fc.option(fc.constantFrom('ff', 'bp', 'xx', '', 'FF'), { freq: 8 }), edits: edits(jsonEdit) }),
  build(plan, seeds) {
    const p = plan as ConfigPlan;
    const seed = p.seed % seeds.length;
    const ck = seeds[seed].checkpoint!;
    const edited = p.edits.reduce(applyJsonEdit, { config: ck.config, state: ck.state });
    // An edit may replace the whole document (by null, a number…): then both are missing.
    const doc = (edited !== null && typeof edited === 'object' ? edited : {}) as { config?: unknown; state?: unknown };
    const content = { algo: p.algo ?? ck.algo, config: doc.config, state: doc.state, tensors: ck.tensors };
    return { seed, bytes: encodeCheckpoint(content as Checkpoint), expect: { algo: content.algo, config: doc.config, state: doc.state } };
  },
  run(bytes, name, seed, expect) {
    return loadCheckpointModel(bytes, name, { ...(expect as Pick<Checkpoint, 'algo' | 'config' | 'state'>), tensors: seed.checkpoint!.tensors });
  },
};

type IdxPlan = { seed: number; edits: IdxEdit[]; gzip: boolean; zeros: number; gzEdits: ByteEdit[] };

const idxPlan = fc.record({
  seed: fc.nat(),
  edits: fc.array(idxEdit, { maxLength: 3 }),
  gzip: fc.boolean(),
  zeros: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(1 << 20) }, { weight: 1, arbitrary: fc.constantFrom(60_000 - 3, 64 << 20, 300 << 20) }),
  gzEdits: fc.array(byteEdit, { maxLength: 2 }),
});

function buildIdx(plan: unknown, seeds: Seed[]): Built {
  const p = plan as IdxPlan;
  const seed = p.seed % seeds.length;
  const content = p.edits.reduce(applyIdxEdit, seeds[seed].bytes);
  if (!p.gzip) return { seed, bytes: content };
  const gz = p.zeros ? gzipWithZeros(content, p.zeros) : gzipSync(content);
  return { seed, bytes: applyByteEdits(gz, p.gzEdits) };
}

const idx: FuzzTarget = {
  name: 'idx',
  fileName: 'fuzz-input-idx3-ubyte',
  seeds: async () => idxSeeds(),
  plan: idxPlan,
  build: buildIdx,
  async run(bytes, name) {
    const { dims, data } = parseIdx(bytes, name);
    if (dims.length < 1 || dims.length > 8) return { kind: 'oracle', detail: `${dims.length} dimensions` };
    const total = dims.reduce((a, b) => a * b, 1);
    if (data.length !== total) return { kind: 'oracle', detail: `${data.length} data bytes for dimensions ${dims.join('×')}` };
    // Verified content: the data is what the (bounded) stream really holds after the header.
    const headerLen = 4 + 4 * dims.length;
    const content = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: headerLen + total + 1 }) : bytes;
    return sameBytes(data, content.subarray(headerLen)) ? null : { kind: 'oracle', detail: 'data differs from the file content' };
  },
};

const mnist: FuzzTarget = {
  name: 'mnist',
  fileName: 'fuzz-train-idx-ubyte',
  seeds: async () => idxSeeds().filter((s) => s.count !== undefined),
  plan: idxPlan,
  build: buildIdx,
  async run(bytes, name, seed) {
    const count = seed.count!;
    if (seed.name === 'labels') {
      const labels = parseMnistLabels(bytes, name, count);
      const i = labels.findIndex((l) => l > 9);
      if (labels.length !== count) return { kind: 'oracle', detail: `${labels.length} labels, expected ${count}` };
      return i < 0 ? null : { kind: 'oracle', detail: `label ${i} is ${labels[i]}` };
    }
    return unitRange('pixels', parseMnistImages(bytes, name, count), count * 784);
  },
};

type CifarPlan = { seed: number; edits: ByteEdit[]; expected: number | null };

const cifar: FuzzTarget = {
  name: 'cifar',
  fileName: 'fuzz_batch.bin',
  seeds: async () => cifarSeeds(),
  plan: fc.record({ seed: fc.nat(), edits: edits(byteEdit), expected: fc.option(fc.constantFrom(0, 1, 2, 3, 4, 10000)) }),
  build(plan, seeds) {
    const p = plan as CifarPlan;
    const seed = p.seed % seeds.length;
    return { seed, bytes: applyByteEdits(seeds[seed].bytes, p.edits), expect: p.expected };
  },
  async run(bytes, name, _seed, expect) {
    const n = checkCifarBatch(bytes, name, (expect as number | null) ?? undefined);
    if (n * 3073 !== bytes.length) return { kind: 'oracle', detail: `${n} records in ${bytes.length} bytes` };
    const images = new Float32Array(n * 3072);
    const labels = new Uint8Array(n);
    decodeRecords(bytes, n, images, labels, 0);
    const i = labels.findIndex((l) => l > 9);
    if (i >= 0) return { kind: 'oracle', detail: `record ${i} has label ${labels[i]}` };
    return unitRange('pixels', images, n * 3072);
  },
};

type PngPlan = { seed: number; edits: PngEdit[] };

const png: FuzzTarget = {
  name: 'png',
  fileName: 'fuzz-input.png',
  seeds: async () => pngSeeds(),
  plan: fc.record({ seed: fc.nat(), edits: edits(pngEdit) }),
  build(plan, seeds) {
    const p = plan as PngPlan;
    const seed = p.seed % seeds.length;
    return { seed, bytes: p.edits.reduce(applyPngEdit, seeds[seed].bytes) };
  },
  async run(bytes, name) {
    const inputs = predictInputsFromBytes(bytes, name, { height: 28, width: 28, channels: 1, numClasses: 10 }, true);
    if (inputs.length !== 1) return { kind: 'oracle', detail: `${inputs.length} images from one PNG` };
    return unitRange('pixels', inputs[0].pixels, 784);
  },
};

export const TARGETS: readonly FuzzTarget[] = [safetensors, checkpoint, checkpointConfig, idx, mnist, cifar, png, serveTarget, ...RUN_FILE_TARGETS, pageHashTarget];

export function getTarget(name: string): FuzzTarget {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown parser '${name}' (choose ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}
