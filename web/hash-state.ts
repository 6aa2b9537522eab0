// The explorer's URL hash (#run=0&img=3&layers=200,200&train=2000&epochs=1&seed=1&neg=labels)
// read into checked values. A link can be edited or typed by anyone, so every field is
// validated here, in one pure function (fuzzed: fuzz/page-hash-target.ts): a field that is
// not valid, unknown or given twice is left out — the page keeps its default for it — and
// listed in `ignored`, which the page shows in one line. Only digits are numbers (no 1e3,
// 0x10 or Infinity), as on the command line.
import { messageValue } from '../src/util/message-value.js';

export type Negatives = 'labels' | 'hybrid';

/** What a link may set; each field absent unless the hash gave a valid value. */
export interface PageHash {
  /** Index of a run in the server's list (the page also checks that the run exists). */
  run?: string;
  /** Test image (the page checks it against the sample pack's count). */
  img?: number;
  /** Hidden layer widths of the live run. */
  layers?: number[];
  /** Training images of the live run. */
  train?: number;
  epochs?: number;
  seed?: number;
  neg?: Negatives;
}

export interface ParsedHash {
  state: PageHash;
  /** One short entry per field left out: `epochs=-3 (an integer in 1–100)`. */
  ignored: string[];
}

/** The ranges the live-training form accepts (the inputs' own min/max in index.html). */
export const HASH_LIMITS = {
  img: [0, 999_999],
  width: [1, 4000],
  maxLayers: 10,
  train: [100, 60_000],
  epochs: [1, 100],
  seed: [0, 2 ** 32 - 1],
  run: [0, 999_999],
} as const;

const DIGITS = /^\d{1,10}$/;

function integerIn(raw: string, [min, max]: readonly [number, number]): number | undefined {
  const s = raw.trim();
  if (!DIGITS.test(s)) return undefined;
  const v = Number(s);
  return v >= min && v <= max ? v : undefined;
}

type FieldParser = { expected: string; parse: (raw: string) => PageHash[keyof PageHash] | undefined };

const FIELDS: Record<keyof PageHash, FieldParser> = {
  run: {
    expected: 'a run number',
    parse: (raw) => (integerIn(raw, HASH_LIMITS.run) === undefined ? undefined : String(Number(raw.trim()))),
  },
  img: { expected: `an integer in ${HASH_LIMITS.img.join('–')}`, parse: (raw) => integerIn(raw, HASH_LIMITS.img) },
  layers: {
    expected: `1–${HASH_LIMITS.maxLayers} comma-separated widths, each ${HASH_LIMITS.width.join('–')}`,
    parse: (raw) => {
      const parts = raw.split(',');
      if (parts.length > HASH_LIMITS.maxLayers) return undefined;
      const widths = parts.map((p) => integerIn(p, HASH_LIMITS.width));
      return widths.every((w) => w !== undefined) ? (widths as number[]) : undefined;
    },
  },
  train: { expected: `an integer in ${HASH_LIMITS.train.join('–')}`, parse: (raw) => integerIn(raw, HASH_LIMITS.train) },
  epochs: { expected: `an integer in ${HASH_LIMITS.epochs.join('–')}`, parse: (raw) => integerIn(raw, HASH_LIMITS.epochs) },
  seed: { expected: `an integer in ${HASH_LIMITS.seed.join('–')}`, parse: (raw) => integerIn(raw, HASH_LIMITS.seed) },
  neg: { expected: 'labels or hybrid', parse: (raw) => (raw === 'labels' || raw === 'hybrid' ? raw : undefined) },
};

export const HASH_FIELDS = Object.keys(FIELDS) as (keyof PageHash)[];

/** One field's value, or why it is not one (for the form's own inputs too). */
export function parseHashField<K extends keyof PageHash>(key: K, raw: string): { value: PageHash[K] } | { expected: string } {
  const value = FIELDS[key].parse(raw) as PageHash[K] | undefined;
  return value === undefined ? { expected: FIELDS[key].expected } : { value };
}

/** `location.hash` (with or without its '#') → the valid fields and what was left out. Never throws. */
export function parsePageHash(hash: string): ParsedHash {
  const state: PageHash = {};
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash)) {
    const shown = `${messageValue(key)}=${messageValue(raw)}`;
    if (!Object.hasOwn(FIELDS, key)) {
      ignored.push(`${shown} (unknown)`);
      continue;
    }
    const k = key as keyof PageHash;
    if (seen.has(k)) {
      ignored.push(`${shown} (given twice)`);
      continue;
    }
    seen.add(k);
    if (raw === '') continue; // an empty field is an unset one (writeState drops them)
    const r = parseHashField(k, raw);
    if ('value' in r) (state as Record<string, unknown>)[k] = r.value;
    else ignored.push(`${shown} (${r.expected})`);
  }
  return { state, ignored };
}

/** The hash (without '#') that parsePageHash reads back as `state`, fields in a fixed order. */
export function formatPageHash(state: PageHash): string {
  const params = new URLSearchParams();
  for (const k of HASH_FIELDS) {
    const v = state[k];
    if (v !== undefined) params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return params.toString();
}

/** The page's one line about what a link set that was left out (empty when nothing was). */
export function ignoredMessage(ignored: readonly string[]): string {
  if (!ignored.length) return '';
  const shown = ignored.slice(0, 3).join('; ');
  const more = ignored.length > 3 ? ` and ${ignored.length - 3} more` : '';
  return `Ignored from the link: ${shown}${more}; the page's defaults are used instead.`;
}
