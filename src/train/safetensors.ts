// The safetensors file format (8-byte little-endian header length, JSON header, raw data),
// float32 only. Small enough to own; the reader validates everything it is given.

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export function encodeSafetensors(tensors: Map<string, NamedTensor>, metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let p = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, p);
    p += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(buf: Buffer, what: string): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  const bad = (why: string) => new Error(`${what}: not a valid safetensors file (${why})`);
  if (buf.length < 8) throw bad('too short');
  const n = Number(buf.readBigUInt64LE(0));
  if (n <= 0 || 8 + n > buf.length) throw bad('header length out of range');
  let header: unknown;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
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
    if (!isObject(entry)) throw bad(`tensor ${name} has no dtype, shape and offsets`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== 'F32') throw bad(`tensor ${name} has dtype ${String(dtype)}, expected F32`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`tensor ${name} has a bad shape`);
    const [a, b] = Array.isArray(offsets) ? offsets : [];
    const count = shape.reduce((x: number, y: number) => x * y, 1);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > dataLen || b - a !== count * 4) {
      throw bad(`tensor ${name} has bad offsets or shape`);
    }
    // Copy out so the tensor is aligned and independent of the file buffer.
    const data = new Float32Array(count);
    Buffer.from(data.buffer).set(buf.subarray(dataStart + a, dataStart + b));
    tensors.set(name, { shape: shape as number[], data });
  }
  return { tensors, metadata };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
