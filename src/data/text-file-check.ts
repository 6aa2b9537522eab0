// Whether a file given as English text (the fables) is text at all: UTF-16 (what some Windows
// editors save), a binary file or a disk image would otherwise "load" — decoded as UTF-8, every
// other byte or most of them become spaces — and train on noise with only the generic warning
// that the file is not the expected one. Plain text never holds a NUL byte, and holds few
// control characters or invalid UTF-8 sequences (a Latin-1 accent here and there is fine).

/** Share of bytes that may be control characters or invalid UTF-8 before a file counts as binary. */
const MAX_ODD_SHARE = 0.05;

/** Why `bytes` are not UTF-8 (or ASCII) text, in a few words, or undefined when they are. */
export function notTextBecause(bytes: Uint8Array): string | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return `looks like UTF-16 (byte-order mark ${hex(bytes[0])} ${hex(bytes[1])}); save it as UTF-8`;
  }
  let nul = 0;
  let nulOdd = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      nul++;
      nulOdd += i & 1;
    }
  }
  if (nul) {
    // UTF-16 English: every other byte is NUL, all at even or all at odd positions.
    const utf16 = nul >= bytes.length / 4 && (nulOdd >= 0.9 * nul || nulOdd <= 0.1 * nul);
    return utf16 ? `looks like UTF-16 (${nul} NUL bytes in ${bytes.length}); save it as UTF-8` : `looks like a binary file, not text (${nul} NUL byte${nul > 1 ? 's' : ''} in ${bytes.length})`;
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  let odd = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) odd++;
  }
  if (odd > MAX_ODD_SHARE * Math.max(1, text.length)) {
    return `looks like a binary file, not text (${odd} of its ${text.length} characters are control characters or invalid UTF-8)`;
  }
  return undefined;
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
