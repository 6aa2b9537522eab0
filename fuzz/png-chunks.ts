// PNG files as chunks, for the fuzzer: a small encoder for seed images pngjs cannot write
// (palette, interlaced), and the PNG-aware mutations (IHDR fields, inflated image data, whole
// chunks), each leaving valid CRCs so the decoder itself is exercised.
import { constants as zlibConstants, crc32, deflateSync, inflateSync } from 'node:zlib';
import { zlibWithZeros } from './bombs.js';
import { applyByteEdit, concat, type PngEdit } from './mutations.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface Chunk {
  type: string;
  data: Uint8Array;
}

export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, false);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)), false);
  return out;
}

export function joinPng(chunks: Chunk[]): Uint8Array {
  return concat(SIGNATURE, ...chunks.map((c) => chunk(c.type, c.data)));
}

/** The chunks of PNG bytes (CRCs dropped), or null when they do not split cleanly. */
export function splitPng(bytes: Uint8Array): Chunk[] | null {
  if (bytes.length < 8 || !SIGNATURE.every((b, i) => bytes[i] === b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  for (let at = 8; at < bytes.length; ) {
    if (at + 12 > bytes.length) return null;
    const length = view.getUint32(at, false);
    if (at + 12 + length > bytes.length) return null;
    chunks.push({ type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)), data: bytes.slice(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

/** Samples per pixel of each PNG colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * A PNG from raw samples (one byte or 16-bit value per sample, row-major, channels interleaved),
 * filter type 0 on every row; Adam7 when `interlaced`.
 */
export function encodeRawPng(opts: { width: number; height: number; color: number; depth: 8 | 16; interlaced: boolean; samples: number[]; palette?: Uint8Array }): Uint8Array {
  const { width, height, color, depth, interlaced, samples } = opts;
  const ch = CHANNELS[color];
  const bytesPerSample = depth / 8;
  const row = (y: number, xs: number[]) => {
    const out = new Uint8Array(1 + xs.length * ch * bytesPerSample);
    let o = 1;
    for (const x of xs) {
      for (let c = 0; c < ch; c++) {
        const v = samples[(y * width + x) * ch + c];
        if (depth === 16) out[o++] = v >> 8;
        out[o++] = v & 0xff;
      }
    }
    return out;
  };
  const rows: Uint8Array[] = [];
  const passes = interlaced
    ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]
    : [[0, 0, 1, 1]];
  for (const [x0, y0, dx, dy] of passes) {
    const xs: number[] = [];
    for (let x = x0; x < width; x += dx) xs.push(x);
    if (!xs.length) continue;
    for (let y = y0; y < height; y += dy) rows.push(row(y, xs));
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width, false);
  view.setUint32(4, height, false);
  ihdr.set([depth, color, 0, 0, interlaced ? 1 : 0], 8);
  const chunks: Chunk[] = [{ type: 'IHDR', data: ihdr }];
  if (opts.palette) chunks.push({ type: 'PLTE', data: opts.palette });
  chunks.push({ type: 'IDAT', data: deflateSync(concat(...rows)) }, { type: 'IEND', data: new Uint8Array(0) });
  return joinPng(chunks);
}

const IHDR_FIELDS = { width: [0, 4], height: [4, 4], depth: [8, 1], color: [9, 1], compression: [10, 1], filter: [11, 1], interlace: [12, 1] } as const;

export function applyPngEdit(bytes: Uint8Array, e: PngEdit): Uint8Array {
  if (e.kind === 'bytes') {
    const edited = applyByteEdit(bytes, e.edit);
    const chunks = e.fixCrc ? splitPng(edited) : null;
    return chunks ? joinPng(chunks) : edited;
  }
  const chunks = splitPng(bytes);
  if (!chunks) return bytes;
  switch (e.kind) {
    case 'ihdr': {
      const ihdr = chunks.find((c) => c.type === 'IHDR');
      if (!ihdr || ihdr.data.length < 13) return bytes;
      const [at, size] = IHDR_FIELDS[e.field];
      if (size === 4) new DataView(ihdr.data.buffer, ihdr.data.byteOffset).setUint32(at, e.value, false);
      else ihdr.data[at] = e.value & 0xff;
      return joinPng(chunks);
    }
    case 'idat': {
      const idats = chunks.filter((c) => c.type === 'IDAT');
      if (!idats.length) return bytes;
      let raw: Uint8Array;
      try {
        raw = inflate(concat(...idats.map((c) => c.data)));
      } catch {
        return bytes;
      }
      const edited = applyByteEdit(raw, e.edit);
      const data = e.extraZeros ? zlibWithZeros(edited, e.extraZeros) : deflateSync(edited);
      const first = chunks.indexOf(idats[0]);
      const rest = chunks.filter((c) => c.type !== 'IDAT');
      rest.splice(first, 0, { type: 'IDAT', data });
      return joinPng(rest);
    }
    case 'chunk': {
      const i = e.pick % chunks.length;
      if (e.op === 'drop') chunks.splice(i, 1);
      else if (e.op === 'duplicate') chunks.splice(i, 0, chunks[i]);
      else chunks.unshift(...chunks.splice(i, 1));
      return joinPng(chunks);
    }
  }
}

function inflate(data: Uint8Array): Uint8Array {
  return inflateSync(data, { maxOutputLength: 64 << 20, finishFlush: zlibConstants.Z_SYNC_FLUSH });
}
