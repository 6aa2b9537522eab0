// The 30 symbols of the paper's sequence experiment (SPEC §6) and the normalisation that maps
// any text onto them.
//
// Index order is the order the paper lists them: 'a'=0 … 'z'=25, space=26, comma=27,
// semicolon=28, full stop=29 (so a letter's index is its distance from 'a').
//
// Normalisation (shared/data/README.md, aesop/): lower-case, every other character → space,
// runs of spaces collapsed to one. "Every other character" includes newlines (a line break
// inside a sentence is a word gap, so space is the right reading), tabs, digits, apostrophes,
// straight and curly quotes, colons, dashes, '?', '!' and every non-ASCII character. Only ASCII
// A–Z are lower-cased: String#toLowerCase would turn e.g. the Kelvin sign into 'k' and 'İ' into
// 'i' plus a combining mark, letting look-alikes leak into the alphabet. Leading and trailing
// spaces are kept (not trimmed), so the text is exactly what the rule above says.

/** The symbols in index order. */
export const TEXT_SYMBOLS = 'abcdefghijklmnopqrstuvwxyz ,;.';
export const TEXT_ALPHABET_SIZE = TEXT_SYMBOLS.length; // 30
export const SPACE_SYMBOL = TEXT_SYMBOLS.indexOf(' ');

const CODE_A = 97;
const CODE_Z = 122;
const CODE_UPPER_A = 65;
const CODE_UPPER_Z = 90;

/** The index of `ch` in TEXT_SYMBOLS, or -1 when `ch` is not one of the 30 symbols. */
export function symbolIndex(ch: string): number {
  return ch.length === 1 ? TEXT_SYMBOLS.indexOf(ch) : -1;
}

/** `raw` mapped onto the 30 symbols: ASCII lower-case, everything else → space, runs of spaces → one. */
export function normaliseText(raw: string): string {
  const out: string[] = [];
  let lastWasSpace = false;
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i);
    if (c >= CODE_UPPER_A && c <= CODE_UPPER_Z) c += CODE_A - CODE_UPPER_A;
    const ch = String.fromCharCode(c);
    const keep = (c >= CODE_A && c <= CODE_Z) || ch === ',' || ch === ';' || ch === '.';
    if (keep) {
      out.push(ch);
      lastWasSpace = false;
    } else if (!lastWasSpace) {
      out.push(' ');
      lastWasSpace = true;
    }
  }
  return out.join('');
}

/** Symbol indices of already normalised text; a character outside the alphabet is a one-line error. */
export function encodeText(normalised: string): Uint8Array {
  const out = new Uint8Array(normalised.length);
  for (let i = 0; i < normalised.length; i++) {
    const k = symbolIndex(normalised[i]);
    if (k < 0) {
      const code = normalised.charCodeAt(i).toString(16).padStart(4, '0');
      throw new Error(`encodeText: character U+${code} at ${i} is not one of the 30 symbols (normalise the text first)`);
    }
    out[i] = k;
  }
  return out;
}

/** The text of a sequence of symbol indices (inverse of encodeText). */
export function decodeSymbols(symbols: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < symbols.length; i++) {
    const k = symbols[i];
    if (!Number.isInteger(k) || k < 0 || k >= TEXT_ALPHABET_SIZE) throw new Error(`decodeSymbols: ${k} at ${i} is not a symbol index 0–${TEXT_ALPHABET_SIZE - 1}`);
    s += TEXT_SYMBOLS[k];
  }
  return s;
}

