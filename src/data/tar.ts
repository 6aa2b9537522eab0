// A minimal reader for ustar archives (regular files only), enough to unpack the official
// CIFAR-10 binary archive without a dependency. Errors name the archive and the offset.

export interface TarEntry {
  /** Path inside the archive. */
  name: string;
  data: Uint8Array;
}

function tarString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(off, end)).toString('utf8');
}

function tarNumber(b: Uint8Array, off: number, len: number, label: string, at: number): number {
  if (b[off] & 0x80) {
    // GNU base-256: big-endian, high bit of the first byte is the flag.
    let v = b[off] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
    return v;
  }
  const s = tarString(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`${label}: corrupt tar header at byte ${at}: bad number '${s}'`);
  return parseInt(s, 8);
}

/** Parses a tar archive and returns its regular files. Errors are one line naming `label`. */
export function readTar(bytes: Uint8Array, label = 'archive'): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= bytes.length) {
    const h = bytes.subarray(off, off + 512);
    if (h.every((x) => x === 0)) return entries; // end-of-archive block
    const stored = tarNumber(h, 148, 8, label, off);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (sum !== stored) throw new Error(`${label}: corrupt tar header at byte ${off} (checksum ${stored}, computed ${sum})`);
    const size = tarNumber(h, 124, 12, label, off);
    const type = String.fromCharCode(h[156]);
    const dataStart = off + 512;
    if (dataStart + size > bytes.length) {
      throw new Error(`${label}: truncated tar archive: entry at byte ${off} needs ${size} bytes, ${bytes.length - dataStart} left`);
    }
    const data = bytes.subarray(dataStart, dataStart + size);
    let name = tarString(h, 0, 100);
    if (tarString(h, 257, 5) === 'ustar') {
      const prefix = tarString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (type === 'L') {
      longName = tarString(data, 0, data.length);
    } else if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString('utf8'));
      if (m) longName = m[1];
    } else if (type === 'g') {
      // global pax header: nothing we need
    } else {
      if (type === '0' || type === '\0' || type === '7') entries.push({ name: longName ?? name, data });
      longName = undefined;
    }
    off = dataStart + Math.ceil(size / 512) * 512;
  }
  // Every tar ends with zero blocks; running out of bytes first means the archive was cut short.
  throw new Error(`${label}: truncated tar archive (no end-of-archive block after byte ${off})`);
}

// ---------------------------------------------------------------------------------------------
// Downloading

/** The part of fetch's Response used here, so tests can inject local bytes. */
