// Mutations of a valid file, as small JSON-able descriptions drawn by fast-check (so a seed
// reproduces them and a failure report can print them) and applied to the file's bytes here.
// Generic byte edits, plus edits that know a format's header (safetensors' length and JSON,
// float32 slots of tensor data, IDX dimensions, PNG chunks with their CRCs fixed).
import fc from 'fast-check';

/** Values that break length and size arithmetic. */
export const INTERESTING_U32 = [0, 1, 2, 3, 7, 8, 27, 28, 29, 255, 256, 0x7fff, 0xffff, 60000, 1e6, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

const pos = fc.oneof(fc.nat(64), fc.nat(4096), fc.nat());
const byteValue = fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x22, 0x5c, 0x7b, 0x7d), fc.nat(255));
const u32 = fc.oneof(fc.constantFrom(...INTERESTING_U32), fc.nat({ max: 0xffffffff }));

export type ByteEdit =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'set'; pos: number; value: number }
  | { kind: 'u32'; pos: number; value: number; littleEndian: boolean }
  | { kind: 'truncate'; pos: number }
  | { kind: 'extend'; length: number; value: number }
  | { kind: 'insert'; pos: number; bytes: number[] }
  | { kind: 'delete'; pos: number; count: number }
  | { kind: 'duplicate'; from: number; to: number; count: number };

export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), pos, bit: fc.nat(7) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), pos, value: byteValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('u32' as const), pos, value: u32, littleEndian: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), pos }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), length: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 65536 })), value: byteValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), pos, bytes: fc.array(byteValue, { minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pos, count: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), from: pos, to: pos, count: fc.integer({ min: 1, max: 256 }) }) },
);

/** The bytes with one edit applied (a new array; positions wrap around the length). */
export function applyByteEdit(bytes: Uint8Array, e: ByteEdit): Uint8Array {
  const n = bytes.length;
  const at = (p: number) => (n === 0 ? 0 : p % n);
  const out = Uint8Array.from(bytes);
  switch (e.kind) {
    case 'flip':
      if (n) out[at(e.pos)] ^= 1 << e.bit;
      return out;
    case 'set':
      if (n) out[at(e.pos)] = e.value;
      return out;
    case 'u32': {
      if (n < 4) return out;
      new DataView(out.buffer).setUint32(at(e.pos) % (n - 3), e.value, e.littleEndian);
      return out;
    }
    case 'truncate':
      return out.subarray(0, at(e.pos));
    case 'extend':
      return concat(out, new Uint8Array(e.length).fill(e.value));
    case 'insert':
      return concat(out.subarray(0, at(e.pos)), Uint8Array.from(e.bytes), out.subarray(at(e.pos)));
    case 'delete':
      return concat(out.subarray(0, at(e.pos)), out.subarray(at(e.pos) + e.count));
    case 'duplicate': {
      const piece = out.slice(at(e.from), at(e.from) + e.count);
      return concat(out.subarray(0, at(e.to)), piece, out.subarray(at(e.to)));
    }
  }
}

export function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  return edits.reduce(applyByteEdit, bytes);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---- safetensors (our checkpoints and foreign files) ----

/** A JSON value that a header field might be set to: wrong types, edge numbers, long or odd strings. */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 1.5, -0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 2 ** 32, 2 ** 31, '', 'F32', 'F16', 'F64', 'I32', 'U8', 'BF16', '{}', '[]', '\u0000', '\ud800', 'é', 'x'.repeat(1000)),
  fc.constantFrom([], [0], [-1], [1.5], ['a'], [null], [0, 0], [2 ** 31, 2 ** 31], [1e9, 1e9], [0xffffffff, 0xffffffff, 0xffffffff], {}, { a: 1 }),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(fc.nat(100), fc.integer(), fc.constantFrom(2 ** 32, 1e12)), { maxLength: 6 }),
);

/** One structural edit of a JSON document: at the `pick`-th path (depth first), set, delete, rename or add a key. */
export type JsonEdit =
  | { op: 'set'; pick: number; value: unknown }
  | { op: 'delete'; pick: number }
  | { op: 'rename'; pick: number; name: string }
  | { op: 'add'; pick: number; name: string; value: unknown }
  | { op: 'swap'; pick: number; other: number };

const keyName = fc.oneof(
  fc.constantFrom('__metadata__', '__proto__', 'constructor', 'dtype', 'shape', 'data_offsets', 'format', 'sha256', 'algo', 'config', 'state', 'layers', 'shape', 'rng', ''),
  fc.string({ maxLength: 12 }),
);

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: jsonValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rename' as const), pick: fc.nat(), name: keyName }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), pick: fc.nat(), name: keyName, value: jsonValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swap' as const), pick: fc.nat(), other: fc.nat() }) },
);

type Path = (string | number)[];

/** Every path of a JSON document, depth first (the root is []). */
export function jsonPaths(doc: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...jsonPaths(v, [...prefix, i])));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...jsonPaths(v, [...prefix, k]));
  return out;
}

function getAt(doc: unknown, path: Path): unknown {
  return path.reduce<unknown>((d, k) => (d as Record<string | number, unknown>)[k], doc);
}

/** A deep copy of `doc` with one edit (JSON-able documents only). */
export function applyJsonEdit(doc: unknown, e: JsonEdit): unknown {
  const root = { v: JSON.parse(JSON.stringify(doc)) as unknown };
  const paths = jsonPaths(root.v).map((p) => ['v', ...p]);
  const path = paths[e.pick % paths.length];
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const target = getAt(root, path);
  switch (e.op) {
    case 'set':
      parent[key] = e.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (key !== 'v') delete parent[key];
      break;
    case 'rename':
      if (!Array.isArray(parent) && key !== 'v') {
        const value = parent[key];
        delete parent[key];
        parent[e.name] = value;
      }
      break;
    case 'add':
      if (Array.isArray(target)) target.push(e.value);
      else if (target && typeof target === 'object') Object.defineProperty(target, e.name, { value: e.value, enumerable: true, writable: true, configurable: true });
      break;
    case 'swap': {
      const other = paths[e.other % paths.length];
      if (other.length > 1 && path.length > 1) {
        const otherParent = getAt(root, other.slice(0, -1)) as Record<string | number, unknown>;
        const a = parent[key];
        parent[key] = otherParent[other[other.length - 1]];
        otherParent[other[other.length - 1]] = a;
      }
      break;
    }
  }
  return root.v;
}

export type SafetensorsEdit =
  | { kind: 'bytes'; edit: ByteEdit }
  /** The 8-byte header length (a decimal string: JSON has no 64-bit integers). */
  | { kind: 'header-length'; value: string }
  /** Re-serialise the header after editing it (padding follows our encoder unless `pad` is given). */
  | { kind: 'header-json'; edit: JsonEdit; pad: number | null }
  /** An edit inside the JSON string of __metadata__.config or .state (the checksum then lies, on purpose). */
  | { kind: 'metadata-json'; field: 'config' | 'state'; edit: JsonEdit }
  /** A float32 slot of the tensor data set to a special value. */
  | { kind: 'float'; slot: number; value: number };

const headerLength = fc.oneof(
  fc.constantFrom('0', '1', '7', '8', String(2 ** 32), String(2 ** 53), String(2 ** 53 + 1), String(2n ** 63n), String(2n ** 64n - 1n), String(2n ** 63n - 1n)),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  fc.integer({ min: -16, max: 16 }).map((d) => `rel:${d}`),
);
const specialFloat = fc.constantFrom(Number.NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -0, 0);

export const safetensorsEdit: fc.Arbitrary<SafetensorsEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('bytes' as const), edit: byteEdit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('header-length' as const), value: headerLength }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('header-json' as const), edit: jsonEdit, pad: fc.option(fc.nat(17)) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('metadata-json' as const), field: fc.constantFrom('config' as const, 'state' as const), edit: jsonEdit }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('float' as const), slot: fc.nat(), value: specialFloat }) },
);

/** The header JSON and data of a safetensors file, or null when it no longer parses. */
function splitSafetensors(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } | null {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (8 + n > bytes.length) return null;
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as unknown;
    return header && typeof header === 'object' && !Array.isArray(header) ? { header: header as Record<string, unknown>, data: bytes.subarray(8 + n) } : null;
  } catch {
    return null;
  }
}

function joinSafetensors(header: unknown, data: Uint8Array, pad: number | null): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) ?? 'null');
  const spaces = pad ?? (8 - ((8 + json.length) % 8)) % 8;
  const out = new Uint8Array(8 + json.length + spaces + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length + spaces), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + json.length + spaces);
  out.set(data, 8 + json.length + spaces);
  return out;
}

export function applySafetensorsEdit(bytes: Uint8Array, e: SafetensorsEdit): Uint8Array {
  switch (e.kind) {
    case 'bytes':
      return applyByteEdit(bytes, e.edit);
    case 'header-length': {
      if (bytes.length < 8) return bytes;
      const out = Uint8Array.from(bytes);
      const view = new DataView(out.buffer);
      const value = e.value.startsWith('rel:') ? view.getBigUint64(0, true) + BigInt(e.value.slice(4)) : BigInt(e.value);
      view.setBigUint64(0, BigInt.asUintN(64, value), true);
      return out;
    }
    case 'header-json': {
      const parts = splitSafetensors(bytes);
      return parts ? joinSafetensors(applyJsonEdit(parts.header, e.edit), parts.data, e.pad) : bytes;
    }
    case 'metadata-json': {
      const parts = splitSafetensors(bytes);
      const meta = parts?.header.__metadata__ as Record<string, unknown> | undefined;
      if (!parts || !meta || typeof meta[e.field] !== 'string') return bytes;
      let doc: unknown;
      try {
        doc = JSON.parse(meta[e.field] as string);
      } catch {
        return bytes;
      }
      const header = { ...parts.header, __metadata__: { ...meta, [e.field]: JSON.stringify(applyJsonEdit(doc, e.edit)) } };
      return joinSafetensors(header, parts.data, null);
    }
    case 'float': {
      const parts = splitSafetensors(bytes);
      if (!parts || parts.data.length < 4) return bytes;
      const out = Uint8Array.from(bytes);
      const at = bytes.length - parts.data.length + 4 * (e.slot % Math.floor(parts.data.length / 4));
      new DataView(out.buffer).setFloat32(at, e.value, true);
      return out;
    }
  }
}

// ---- IDX ----

export type IdxEdit =
  | { kind: 'bytes'; edit: ByteEdit }
  /** Header byte 2 (type) or 3 (number of dimensions). */
  | { kind: 'header-byte'; at: 2 | 3; value: number }
  | { kind: 'dim'; dim: number; value: number };

export const idxEdit: fc.Arbitrary<IdxEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('bytes' as const), edit: byteEdit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('header-byte' as const), at: fc.constantFrom(2 as const, 3 as const), value: fc.oneof(fc.nat(10), fc.constantFrom(0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0xff)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('dim' as const), dim: fc.nat(3), value: u32 }) },
);

export function applyIdxEdit(bytes: Uint8Array, e: IdxEdit): Uint8Array {
  if (e.kind === 'bytes') return applyByteEdit(bytes, e.edit);
  const out = Uint8Array.from(bytes);
  if (e.kind === 'header-byte') {
    if (out.length > e.at) out[e.at] = e.value;
  } else if (out.length >= 8 + 4 * e.dim) {
    new DataView(out.buffer).setUint32(4 + 4 * e.dim, e.value, false);
  }
  return out;
}

// ---- PNG ----

export type PngEdit =
  /** A byte edit, with every chunk's CRC then recomputed (so the decoder, not the CRC check, sees it) or not. */
  | { kind: 'bytes'; edit: ByteEdit; fixCrc: boolean }
  | { kind: 'ihdr'; field: 'width' | 'height' | 'depth' | 'color' | 'compression' | 'filter' | 'interlace'; value: number }
  /** An edit of the inflated image data (filter bytes, pixels, length), deflated again. */
  | { kind: 'idat'; edit: ByteEdit; extraZeros: number }
  /** A chunk with its CRC: dropped, duplicated, or moved to the front. */
  | { kind: 'chunk'; pick: number; op: 'drop' | 'duplicate' | 'first' };

export const pngEdit: fc.Arbitrary<PngEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('bytes' as const), edit: byteEdit, fixCrc: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('ihdr' as const), field: fc.constantFrom('width' as const, 'height' as const), value: u32 }),
      fc.record({ kind: fc.constant('ihdr' as const), field: fc.constantFrom('depth' as const, 'color' as const, 'compression' as const, 'filter' as const, 'interlace' as const), value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 6, 8, 16), fc.nat(255)) }),
    ),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('idat' as const), edit: byteEdit, extraZeros: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(100_000), fc.constant(50_000_000)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('chunk' as const), pick: fc.nat(), op: fc.constantFrom('drop' as const, 'duplicate' as const, 'first' as const) }) },
);
