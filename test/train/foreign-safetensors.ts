// Writes a safetensors file by hand, the way another tool (Python's safetensors) lays one out:
// `__metadata__` only when given, tensors sorted by name, header padded with spaces to a
// multiple of 8 bytes. Deliberately independent of src/train/safetensors.ts.
import { readFileSync, writeFileSync } from 'node:fs';

export interface ForeignTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export function foreignSafetensors(tensors: ForeignTensor[], metadata?: Record<string, string>): Buffer {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : 1));
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of sorted) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let p = 8 + head.length;
  for (const t of sorted) {
    for (const v of t.data) p = out.writeFloatLE(v, p);
  }
  return out;
}

/** The tensors and metadata of a safetensors file, read by hand (for re-writing it). */
export function readForeignSafetensors(file: string): { tensors: ForeignTensor[]; metadata: Record<string, string> } {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { shape: number[]; data_offsets: [number, number] }>;
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const tensors: ForeignTensor[] = [];
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = e.data_offsets;
    const data = new Float32Array((b - a) / 4);
    for (let i = 0; i < data.length; i++) data[i] = buf.readFloatLE(8 + n + a + 4 * i);
    tensors.push({ name, shape: e.shape, data });
  }
  return { tensors, metadata };
}

export function writeForeignSafetensors(file: string, tensors: ForeignTensor[], metadata?: Record<string, string>): void {
  writeFileSync(file, foreignSafetensors(tensors, metadata));
}
