// The quoting of generated job files (util/control-characters.ts, shell-quote.ts, sbatch-word.ts,
// yaml-scalar.ts): bash reads every quoted word back as the string it was, a comment runs
// nothing, YAML reads every scalar back as its string, and a value with a line break is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hasControlCharacter, refuseControlCharacters } from '../../src/util/control-characters.js';
import { sbatchWord, slurmLiteralPath } from '../../src/util/sbatch-word.js';
import { hashComment, shellLine, shellWord } from '../../src/util/shell-quote.js';
import { yamlScalar } from '../../src/util/yaml-scalar.js';

/** Strings that mean something to bash, sbatch or YAML, and some that mean nothing. */
const TRICKY = [
  '', ' ', 'plain', 'a b', "it's", "''", '"', '\\', '\\\'', '$HOME', '${x:-y}', '$(touch x)', '`touch x`', '; rm -rf x', 'a&&b', '|', '>x', '<x',
  '*', '?', '[a]', '~', '~root', '#', 'a #b', '!', '!!', '{a,b}', '%a %j %%', 'a, b}', 'key: value', '- x', '? x', '&anchor', '*alias', '!!str',
  'yes', 'no', 'null', '~', '1e3', '0x10', '0o7', '.inf', '@at', 'ünïcödé ✓ 𝄞', '-n', '--', '=', 'a=b', '\u00a0nbsp',
];

/** A few hundred more: printable ASCII and some non-ASCII, from a fixed seed. */
function randomStrings(n: number): string[] {
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é', '€', '𝄞', '\u00a0'];
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

const LINE_BREAKS = ['a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\u2028b', 'a\u2029b', '\ud800', 'a\udc00'];

test('control characters: line breaks, tabs, C0/C1 controls, U+2028/9 and lone surrogates are found; others are not', () => {
  for (const s of LINE_BREAKS) assert.equal(hasControlCharacter(s), true, JSON.stringify(s));
  for (const s of [...TRICKY, '😀', '\ud83d\ude00']) assert.equal(hasControlCharacter(s), false, JSON.stringify(s));
  assert.throws(() => refuseControlCharacters('--out', '/a\ntouch x'), { message: '--out must not hold a newline or other control character, got "/a\\ntouch x"' });
  assert.equal(refuseControlCharacters('--out', '/a b'), '/a b');
});

test('shellWord: bash reads each word back as the string it was; plain words stay unquoted', () => {
  const words = [...TRICKY, ...randomStrings(300)];
  const r = spawnSync('bash', ['-c', `printf '%s\\0' ${shellLine(words)}`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), words);
  assert.equal(shellWord('/runs/quick-s1'), '/runs/quick-s1');
  assert.equal(shellWord("it's"), `'it'\\''s'`);
  for (const s of LINE_BREAKS) assert.throws(() => shellWord(s), /must not hold a newline or other control character/);
});

test('hashComment: a comment line runs nothing, whatever it says', () => {
  const script = [...TRICKY, ...randomStrings(100)].map(hashComment).join('\n');
  const r = spawnSync('bash', ['-c', `${script}\nprintf done`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done');
  assert.throws(() => hashComment('title\ntouch x'), /must not hold a newline/);
});

test('sbatchWord: one double-quoted word, " and \\ escaped; slurmLiteralPath doubles % and refuses \\', () => {
  assert.equal(sbatchWord('/a b/logs/%a.log'), '"/a b/logs/%a.log"');
  assert.equal(sbatchWord(`it's "x" #y \\z`), `"it's \\"x\\" #y \\\\z"`);
  assert.throws(() => sbatchWord('a\nb'), /must not hold a newline/);
  assert.equal(slurmLiteralPath('/runs/100%/x%j'), '/runs/100%%/x%%j');
  assert.throws(() => slurmLiteralPath('/runs/a\\b'), /backslash/);
});

test('yamlScalar: a double-quoted scalar that reads back as the string (as JSON, and as YAML where PyYAML is installed)', () => {
  const values = [...TRICKY, ...randomStrings(300)];
  for (const v of values) assert.equal(JSON.parse(yamlScalar(v)), v);
  for (const s of LINE_BREAKS) assert.throws(() => yamlScalar(s), /must not hold a newline/);
  const doc = values.map((v) => `- ${yamlScalar(v)}`).join('\n');
  const py = spawnSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: doc, encoding: 'utf8', timeout: 30_000 });
  if (py.status === 0) assert.deepEqual(JSON.parse(py.stdout), values);
});
