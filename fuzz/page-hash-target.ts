// The fuzz target for the explorer's URL hash (web/hash-state.ts): each input is a hash — a
// valid link with fields set to odd values, repeated, unknown, percent-escaped or spliced with
// stray characters. The contract: parsing never throws; every field that comes through is of
// its kind and within its range, with no other key (no prototype tricks); the state survives a
// round trip through formatPageHash; the line naming what was left out is one short line. A
// hash with fields left out counts as refused with that line as its error; a clean one, loaded.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { formatPageHash, HASH_FIELDS, HASH_LIMITS, ignoredMessage, parsePageHash, type PageHash } from '../web/hash-state.js';
import type { Seed } from './seeds.js';

const LINKS = [
  '#run=0&img=3&layers=200,200&train=2000&epochs=1&seed=1&neg=labels',
  '#img=0',
  '#layers=784,500,500&neg=hybrid',
  'epochs=100&seed=4294967295&train=60000',
  '#',
  '',
];

const KEYS = [...HASH_FIELDS, 'foo', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Epochs', ' epochs', 'epochs ', 'img[]', '', '%65pochs'];

const VALUES = [
  '', '0', '1', '-1', '-3', 'x', '1e3', '0x10', '0o7', '0b1', 'Infinity', '-Infinity', 'NaN', '1.5', '01', '007', ' 5', '5 ', '+5', '%2B5', '１２',
  '99', '100', '101', '4000', '4001', '60000', '60001', '4294967295', '4294967296', '9'.repeat(40), '200,200', '200,,200', ',200', '200,', '0,10',
  '-5', '1,1,1,1,1,1,1,1,1,1', '1,1,1,1,1,1,1,1,1,1,1', 'labels', 'hybrid', 'Hybrid', 'labels%00', '%0A', '%E2%80%A8', '%ZZ', '%', '<script>', '../../x',
  '\u{1F600}', 'a'.repeat(3000),
];

type Edit =
  | { kind: 'set'; key: string; value: string }
  | { kind: 'splice'; at: number; remove: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...KEYS), value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VALUES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), remove: fc.nat(4), text: fc.oneof(fc.constantFrom('&', '=', '#', '%', '+', '&&', '=&=', ',', '%26', '%3D', '\u0000', '\n'), fc.string({ maxLength: 6 })) }) },
);

function applyEdit(hash: string, e: Edit): string {
  if (e.kind === 'set') return `${hash}${hash.length > 1 ? '&' : ''}${e.key}=${e.value}`;
  const at = hash.length ? e.at % (hash.length + 1) : 0;
  return hash.slice(0, at) + e.text + hash.slice(at + e.remove);
}

const isInt = (v: unknown, [min, max]: readonly [number, number]) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Why a parsed state breaks the contract, or null. */
function stateProblem(state: PageHash): string | null {
  if (Object.getPrototypeOf(state) !== Object.prototype) return 'the state has another prototype';
  const extra = Reflect.ownKeys(state).filter((k) => typeof k !== 'string' || !(HASH_FIELDS as string[]).includes(k));
  if (extra.length) return `unexpected key ${String(extra[0])}`;
  const { run, img, layers, train, epochs, seed, neg } = state;
  if (run !== undefined && !(typeof run === 'string' && /^(0|[1-9]\d*)$/.test(run) && isInt(Number(run), HASH_LIMITS.run))) return `run ${JSON.stringify(run)}`;
  if (img !== undefined && !isInt(img, HASH_LIMITS.img)) return `img ${img}`;
  if (layers !== undefined && !(Array.isArray(layers) && layers.length >= 1 && layers.length <= HASH_LIMITS.maxLayers && layers.every((w) => isInt(w, HASH_LIMITS.width)))) return `layers ${JSON.stringify(layers)}`;
  if (train !== undefined && !isInt(train, HASH_LIMITS.train)) return `train ${train}`;
  if (epochs !== undefined && !isInt(epochs, HASH_LIMITS.epochs)) return `epochs ${epochs}`;
  if (seed !== undefined && !isInt(seed, HASH_LIMITS.seed)) return `seed ${seed}`;
  if (neg !== undefined && neg !== 'labels' && neg !== 'hybrid') return `neg ${JSON.stringify(neg)}`;
  return null;
}

type HashPlan = { seed: number; edits: Edit[] };

export const pageHashTarget = {
  name: 'page-hash',
  fileName: 'explorer-link#hash',
  seeds: async (): Promise<Seed[]> => LINKS.map((l) => ({ name: l || '(empty)', bytes: Buffer.from(l, 'utf8') })),
  plan: fc.record({ seed: fc.nat(), edits: fc.array(edit, { minLength: 0, maxLength: 5 }) }) as fc.Arbitrary<unknown>,
  build(plan: unknown, seeds: Seed[]) {
    const p = plan as HashPlan;
    const seed = p.seed % seeds.length;
    return { seed, bytes: Buffer.from(p.edits.reduce(applyEdit, Buffer.from(seeds[seed].bytes).toString('utf8')), 'utf8') };
  },
  async run(bytes: Uint8Array, name: string): Promise<{ kind: 'oracle'; detail: string } | null> {
    const hash = Buffer.from(bytes).toString('utf8');
    const { state, ignored } = parsePageHash(hash);
    const problem = stateProblem(state);
    if (problem) return { kind: 'oracle', detail: `came through invalid: ${problem}` };
    const again = parsePageHash(formatPageHash(state));
    if (again.ignored.length || !isDeepStrictEqual(again.state, state)) {
      return { kind: 'oracle', detail: `round trip changed the state: ${JSON.stringify(state)} → ${formatPageHash(state)} → ${JSON.stringify(again)}` };
    }
    if (ignored.some((x) => x.includes('\n') || x.length > 300)) return { kind: 'oracle', detail: 'an ignored field is named in more than one short line' };
    if (ignored.length) throw new Error(`${name}: ${ignoredMessage(ignored)}`);
    return null;
  },
};
