// The safetensors file format (8-byte little-endian header length, JSON header, raw data),
// float32 only, on plain Uint8Arrays (no Buffer: the core runs in browsers too). Small enough
// to own; the reader validates everything it is given.
import { messageValue as quote } from '../util/message-value.js';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export function encodeSafetensors(tensors: Map<string, NamedTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - ((8 + json.length) % 8)) % 8; // spaces that align the data to 8 bytes
  const headerLength = json.length + pad;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let p = 8 + headerLength;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(buf: Uint8Array, what: string): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  const bad = (why: string) => new Error(`${what}: not a valid safetensors file (${why})`);
  if (buf.length < 8) throw bad('too short');
  const n = Number(new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true));
  if (n <= 0 || 8 + n > buf.length) throw bad('header length out of range');
  let text: string;
  try {
    // fatal: a damaged byte must not turn silently into U+FFFD inside a name or a config value.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    throw bad('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw bad('header is not JSON');
  }
  if (!isObject(header)) throw bad('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      // The format allows only string values here; other tools may write none at all.
      if (!isObject(entry) || Object.values(entry).some((v) => typeof v !== 'string')) throw bad('__metadata__ is not a map of strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const tensor = `tensor ${quote(name)}`;
    if (!isObject(entry)) throw bad(`${tensor} has no dtype, shape and offsets`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== 'F32') throw bad(`${tensor} has dtype ${quote(dtype)}, expected F32`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`${tensor} has a bad shape`);
    const [a, b] = Array.isArray(offsets) ? offsets : [];
    const count = shape.reduce((x: number, y: number) => x * y, 1);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > dataLen || b - a !== count * 4) {
      throw bad(`${tensor} has bad offsets or shape`);
    }
    // Copy out so the tensor is aligned and independent of the file buffer.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(buf.subarray(dataStart + a, dataStart + b));
    tensors.set(name, { shape: shape as number[], data });
  }
  return { tensors, metadata };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
