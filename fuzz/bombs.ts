// Compressed streams that expand to a lot of zeros, built without holding the zeros: deflate
// lets the same block of a compressed MiB of zeros follow itself any number of times. The
// fuzzer and the decompression-bomb tests use these to check that a size is refused before
// (not after) a stream is decompressed.
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { concat } from './mutations.js';

const MIB = 1 << 20;
const SYNC = { finishFlush: zlibConstants.Z_SYNC_FLUSH };
let zeroMiB: Uint8Array | undefined;
let zeroMiBBlock: Uint8Array | undefined;

/** Raw deflate data (RFC 1951, final) of `content` followed by `zeros` zero bytes. */
export function deflateWithZeros(content: Uint8Array, zeros: number): Uint8Array {
  zeroMiBBlock ??= deflateRawSync(new Uint8Array(MIB), SYNC);
  const parts: Uint8Array[] = [deflateRawSync(content, SYNC)];
  for (let i = 0; i < Math.floor(zeros / MIB); i++) parts.push(zeroMiBBlock);
  if (zeros % MIB) parts.push(deflateRawSync(new Uint8Array(zeros % MIB), SYNC));
  parts.push(deflateRawSync(new Uint8Array(0))); // an empty final block
  return concat(...parts);
}

/** A gzip file (RFC 1952) of `content` followed by `zeros` zero bytes, with a correct CRC and length. */
export function gzipWithZeros(content: Uint8Array, zeros: number): Uint8Array {
  zeroMiB ??= new Uint8Array(MIB);
  let crc = crc32(content);
  for (let i = 0; i < Math.floor(zeros / MIB); i++) crc = crc32(zeroMiB, crc);
  crc = crc32(zeroMiB.subarray(0, zeros % MIB), crc);
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc, true);
  view.setUint32(4, (content.length + zeros) % 2 ** 32, true);
  return concat(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3), deflateWithZeros(content, zeros), trailer);
}

/** A zlib stream (RFC 1950, as in a PNG's IDAT) of `content` followed by `zeros` zero bytes. */
export function zlibWithZeros(content: Uint8Array, zeros: number): Uint8Array {
  const trailer = new Uint8Array(4);
  new DataView(trailer.buffer).setUint32(0, adler32(content, zeros), false);
  return concat(Uint8Array.of(0x78, 0x9c), deflateWithZeros(content, zeros), trailer);
}

function adler32(content: Uint8Array, zeros: number): number {
  let a = 1;
  let b = 0;
  for (const v of content) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  b = (b + ((a * (zeros % 65521)) % 65521)) % 65521; // each zero adds a to b
  return ((b << 16) | a) >>> 0;
}
