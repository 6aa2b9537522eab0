// The sequence experiment's text pipeline on synthetic text: alphabet, cutting, split, windows,
// n-gram baselines, and finding / checking aesop-fables.txt. The real book: aesop.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeSymbols, encodeText, normaliseText, SPACE_SYMBOL, symbolIndex, TEXT_ALPHABET_SIZE, TEXT_SYMBOLS } from '../../src/data/text-alphabet.js';
import { cutStrings, splitStrings } from '../../src/data/text-strings.js';
import { makeWindows, oneHotContext } from '../../src/data/char-windows.js';
import { fitBigram, fitUnigram, scoreNextChar } from '../../src/data/char-ngram-baseline.js';
import { AESOP_FILE, aesopDir, loadAesop } from '../../src/data/aesop.js';
import { cachedDatasetDir } from '../../src/data/data-home.js';
import { PACKAGE_ROOT } from '../helpers/optional.js';
import { oneLine } from '../helpers/one-line-error.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-text-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));


/** Runs fn with some environment variables set (undefined = unset), then restores them. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) if (x === undefined) delete process.env[k];
    else process.env[k] = x;
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

test('alphabet: 30 symbols in the paper\'s order, a=0 … z=25, space=26, comma, semicolon, full stop', () => {
  assert.equal(TEXT_ALPHABET_SIZE, 30);
  assert.equal(TEXT_SYMBOLS, 'abcdefghijklmnopqrstuvwxyz ,;.');
  assert.deepEqual(['a', 'z', ' ', ',', ';', '.'].map(symbolIndex), [0, 25, 26, 27, 28, 29]);
  assert.equal(SPACE_SYMBOL, 26);
  for (let k = 0; k < 30; k++) {
    assert.equal(symbolIndex(TEXT_SYMBOLS[k]), k);
    assert.equal(decodeSymbols(encodeText(TEXT_SYMBOLS[k])), TEXT_SYMBOLS[k]);
  }
  assert.equal(decodeSymbols(encodeText(TEXT_SYMBOLS)), TEXT_SYMBOLS);
  for (const ch of ['A', ':', '\n', 'ab', '']) assert.equal(symbolIndex(ch), -1);
});

test('normalisation: lower-case, everything else → space, runs collapsed, ends kept', () => {
  assert.equal(normaliseText('Hello, World!'), 'hello, world ');
  assert.equal(normaliseText('“You feed in my\npasture.” Wolf’s; end'), ' you feed in my pasture. wolf s; end');
  assert.equal(normaliseText('a\r\n\r\n\tb  -- c?!d'), 'a b c d');
  assert.equal(normaliseText('Æsop 1912: K\u212A İ'), ' sop k '); // only ASCII letters survive
  assert.equal(normaliseText(''), '');
  assert.equal(normaliseText('   '), ' ');
  const n = normaliseText('Any TEXT at all — even 😀 emoji; yes.');
  assert.equal(n, 'any text at all even emoji; yes.');
  assert.ok(!n.includes('  '));
  assert.throws(() => encodeText('ab:c'), (e) => oneLine(e, /U\+003a at 2 is not one of the 30 symbols/));
  assert.throws(() => decodeSymbols([0, 30]), (e) => oneLine(e, /30 at 1 is not a symbol index 0–29/));
});

test('cutting: aligned non-overlapping pieces, evenly spaced when the text gives more than asked', () => {
  const text = new Uint8Array(1050).map((_, i) => i % 30);
  const all = cutStrings(text, 10, 100); // 10 pieces exactly: 0, 100, …, 900
  assert.deepEqual(all.map((s) => s.offset), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  const few = cutStrings(text, 4, 100); // pieces 0, 2, 5, 7 of 10
  assert.deepEqual(few.map((s) => s.offset), [0, 200, 500, 700]);
  for (const s of few) {
    assert.equal(s.symbols.length, 100);
    assert.deepEqual([...s.symbols], [...text.subarray(s.offset, s.offset + 100)]);
  }
  assert.throws(() => cutStrings(text, 11, 100), (e) => oneLine(e, /1050 symbols, only 10 strings of 100; 11 were asked for/));
  assert.throws(() => cutStrings(text, 0, 100), (e) => oneLine(e, /count must be/));
});

test('split: whole strings, the last of every group of testEvery to test', () => {
  const strings = cutStrings(new Uint8Array(2000), 20, 100);
  const s = splitStrings(strings, 8);
  assert.deepEqual(s.testIndex, [7, 15]);
  assert.equal(s.trainIndex.length, 18);
  assert.deepEqual([...s.trainIndex, ...s.testIndex].sort((a, b) => a - b), [...Array(20).keys()]);
  assert.equal(s.test[0], strings[7]);
  assert.throws(() => splitStrings(strings, 1), (e) => oneLine(e, /testEvery must be/));
});

test('windows: one-hot rows of the 10 previous symbols, target = symbol t, 90 per 100-symbol string', () => {
  const a = encodeText(normaliseText('the quick brown fox jumps over the lazy dog; then, it sleeps.'));
  const b = encodeText('abcdefghijklmnopqrstuvwxyz');
  const w = makeWindows([a, b]);
  assert.equal(w.count, a.length - 10 + b.length - 10);
  assert.equal(w.inputs.length, w.count * 300);
  for (let n = 0; n < w.count; n++) {
    const s = w.stringIndex[n] === 0 ? a : b;
    const t = w.position[n];
    assert.equal(w.targets[n], s[t]);
    let sum = 0;
    for (let k = 0; k < 10; k++) {
      assert.equal(w.contexts[n * 10 + k], s[t - 10 + k]);
      let row = 0;
      for (let c = 0; c < 30; c++) row += w.inputs[n * 300 + k * 30 + c];
      assert.equal(row, 1);
      assert.equal(w.inputs[n * 300 + k * 30 + s[t - 10 + k]], 1);
      sum += row;
    }
    assert.equal(sum, 10);
  }
  // The first window of b: context 'abcdefghij', target 'k'.
  const first = w.stringIndex.indexOf(1);
  assert.equal(decodeSymbols(w.contexts.subarray(first * 10, first * 10 + 10)), 'abcdefghij');
  assert.equal(decodeSymbols([w.targets[first]]), 'k');
  assert.equal(makeWindows([new Uint8Array(100)]).count, 90);
  assert.equal(makeWindows([new Uint8Array(5)]).count, 0);
  const out = new Float32Array(300).fill(7);
  oneHotContext(b, 10, out);
  assert.equal(out.reduce((x, y) => x + y, 0), 10);
  assert.throws(() => oneHotContext(b, 9, out), (e) => oneLine(e, /position 9 has no full 10-symbol context/));
});

test('baselines: add-one unigram and bigram probabilities, accuracy and bits per character', () => {
  // Alphabet of 3: training text "aab" repeated: unigram counts a=2k, b=k.
  const train = [new Uint8Array([0, 0, 1, 0, 0, 1])];
  const uni = fitUnigram(train, 3);
  assert.deepEqual([...uni.distribution(0)], [5 / 9, 3 / 9, 1 / 9]);
  const bi = fitBigram(train, 3);
  // pairs: aa, ab, ba, aa, ab → after a: a 2, b 2, c 0 (row 4); after b: a 1 (row 1); after c: none.
  assert.deepEqual([...bi.distribution(0)], [3 / 7, 3 / 7, 1 / 7]);
  assert.deepEqual([...bi.distribution(1)], [2 / 4, 1 / 4, 1 / 4]);
  assert.deepEqual([...bi.distribution(2)], [1 / 3, 1 / 3, 1 / 3]);
  for (const m of [uni, bi]) for (let b = 0; b < 3; b++) assert.ok(Math.abs(m.distribution(b).reduce((x, y) => x + y, 0) - 1) < 1e-12);
  // Windows with a 1-symbol context: (a→b), (b→a).
  const w = makeWindows([new Uint8Array([0, 1, 0])], 1, 3);
  const su = scoreNextChar(uni, w);
  assert.equal(su.count, 2);
  assert.equal(su.accuracy, 0.5); // always predicts a
  assert.ok(Math.abs(su.bitsPerChar - -(Math.log2(3 / 9) + Math.log2(5 / 9)) / 2) < 1e-12);
  const sb = scoreNextChar(bi, w);
  assert.equal(sb.accuracy, 0.5); // after a: a and b tie, the lower index (a) is predicted, wrong; after b: a, right
  assert.ok(Math.abs(sb.bitsPerChar - -(Math.log2(3 / 7) + Math.log2(2 / 4)) / 2) < 1e-12);
  assert.throws(() => fitUnigram([new Uint8Array([3])], 3), (e) => oneLine(e, /fitUnigram: symbol 3 is outside 0–2/));
  assert.throws(() => scoreNextChar(uni, makeWindows([new Uint8Array(2)], 1, 4)), (e) => oneLine(e, /unigram has 3 symbols, the windows 4/));
});

test('aesopDir: --data-dir (D/aesop, else D), then FF_AESOP_DIR, then FF_DATA_DIR, then the data cache', () => {
  const withSub = path.join(tmp, 'with-sub');
  mkdirSync(path.join(withSub, 'aesop'), { recursive: true });
  const flat = path.join(tmp, 'flat');
  mkdirSync(flat, { recursive: true });
  const own = path.join(tmp, 'own');
  withEnv({ FF_AESOP_DIR: own, FF_DATA_DIR: flat }, () => {
    assert.equal(aesopDir(withSub), path.join(withSub, 'aesop'));
    assert.equal(aesopDir(flat), flat);
    assert.equal(aesopDir(), own);
  });
  withEnv({ FF_AESOP_DIR: undefined, FF_DATA_DIR: withSub }, () => assert.equal(aesopDir(), path.join(withSub, 'aesop')));
  withEnv({ FF_AESOP_DIR: '', FF_DATA_DIR: undefined }, () => assert.equal(aesopDir(), cachedDatasetDir('aesop')));
});

/** English-like filler: seeded words with punctuation, long enough for 248 strings. */
function syntheticText(chars: number): string {
  const words = ['The', 'fox', 'and', 'grapes', 'wolf', 'lamb', 'said', 'to', 'him,', 'her;', 'away.', '“No!”'];
  let s = '';
  let x = 12345;
  while (s.length < chars) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += words[x % words.length] + (x % 7 === 0 ? '\n' : ' ');
  }
  return s;
}

test('loadAesop: another file loads with one warning line; missing, a folder, or too short: one-line errors', async () => {
  const dir = path.join(tmp, 'other');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, AESOP_FILE), syntheticText(40000));
  const warnings: string[] = [];
  const c = await loadAesop({ dataDir: dir, warn: (l) => warnings.push(l) });
  assert.equal(c.verified, false);
  assert.equal(warnings.length, 1);
  assert.ok(!warnings[0].includes('\n'));
  assert.match(warnings[0], new RegExp(`${AESOP_FILE}: not the expected fables text`));
  assert.deepEqual(c.warnings, warnings);
  assert.equal(c.strings.length, 248);
  assert.equal(c.train.length + c.test.length, 248);
  assert.equal(c.trainWindows.count, c.train.length * 90);

  const empty = path.join(tmp, 'empty');
  mkdirSync(empty, { recursive: true });
  await assert.rejects(loadAesop({ dataDir: empty }), (e) => oneLine(e, new RegExp(`${path.join(empty, AESOP_FILE)}: file not found: set FF_AESOP_DIR or pass --data-dir`)));
  const asDir = path.join(tmp, 'as-dir');
  mkdirSync(path.join(asDir, AESOP_FILE), { recursive: true });
  await assert.rejects(loadAesop({ dataDir: asDir }), (e) => oneLine(e, /is a directory, not the fables text/));
  const short = path.join(tmp, 'short');
  mkdirSync(short, { recursive: true });
  writeFileSync(path.join(short, AESOP_FILE), 'A fable too short.');
  await assert.rejects(loadAesop({ dataDir: short, warn: () => {} }), (e) => oneLine(e, /too short for the sequence experiment: the text has 18 symbols, only 0 strings of 100; 248 were asked for/));
});

test('CLI: ff data info aesop warns once for another file; a missing file is one error line naming it', () => {
  const dir = path.join(tmp, 'cli-other');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, AESOP_FILE), syntheticText(30000));
  const ff = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'info', 'aesop'], { cwd: PACKAGE_ROOT, encoding: 'utf8', env: { ...process.env, FF_DEBUG: '', FF_DATA_DIR: '', ...env }, timeout: 60_000 });
  const ok = ff({ FF_AESOP_DIR: dir });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /NOT the expected file/);
  assert.match(ok.stdout, /217 strings, 19530 windows × 300 one-hot values/);
  assert.equal(ok.stderr.split('\n').filter(Boolean).length, 1, ok.stderr);
  assert.match(ok.stderr, /^ff: warning: .*aesop-fables\.txt: not the expected fables text/);
  const missing = ff({ FF_AESOP_DIR: path.join(tmp, 'nowhere') });
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.split('\n').filter(Boolean).length, 1, missing.stderr);
  assert.match(missing.stderr, /nowhere\/aesop-fables\.txt: file not found: set FF_AESOP_DIR/);
});
