// The explorer's URL hash is validated field by field (web/hash-state.ts): before, every value
// was copied into the page as typed (`#layers=x&epochs=-3` filled the form with x and -3, and
// writing the state back kept them in the URL). Invalid, unknown and repeated fields are left
// out and named in one line; valid ones come back typed and survive a round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPageHash, ignoredMessage, parseHashField, parsePageHash } from '../../web/hash-state.js';

test('a valid link sets every field, typed', () => {
  const { state, ignored } = parsePageHash('#run=0&img=3&layers=200,200&train=2000&epochs=1&seed=1&neg=hybrid');
  assert.deepEqual(state, { run: '0', img: 3, layers: [200, 200], train: 2000, epochs: 1, seed: 1, neg: 'hybrid' });
  assert.deepEqual(ignored, []);
  assert.equal(ignoredMessage(ignored), '');
  assert.deepEqual(parsePageHash(`#${formatPageHash(state)}`), { state, ignored: [] });
  assert.deepEqual(parsePageHash(''), { state: {}, ignored: [] });
});

test('#layers=x&epochs=-3: both left out, named in one line', () => {
  const { state, ignored } = parsePageHash('#layers=x&epochs=-3&seed=7');
  assert.deepEqual(state, { seed: 7 });
  assert.deepEqual(ignored, ['layers=x (1–10 comma-separated widths, each 1–4000)', 'epochs=-3 (an integer in 1–100)']);
  assert.equal(ignoredMessage(ignored), "Ignored from the link: layers=x (1–10 comma-separated widths, each 1–4000); epochs=-3 (an integer in 1–100); the page's defaults are used instead.");
});

test('every field refuses what is not its kind or outside its range', () => {
  for (const bad of [
    'img=-1', 'img=1e3', 'img=0x10', 'img=Infinity', 'img=1.5', 'img=99999999999',
    'layers=0', 'layers=4001', 'layers=200,,200', 'layers=200,-5', 'layers=1,1,1,1,1,1,1,1,1,1,1', 'layers=',
    'train=99', 'train=60001', 'epochs=0', 'epochs=101', 'epochs=NaN', 'seed=4294967296', 'seed=-1',
    'neg=Hybrid', 'neg=labels ', 'run=-1', 'run=a', 'run=../../x',
  ]) {
    const { state, ignored } = parsePageHash(`#${bad}`);
    assert.deepEqual(state, {}, bad);
    // An empty value is an unset field, not an error.
    assert.equal(ignored.length, bad.endsWith('=') ? 0 : 1, bad);
  }
  assert.deepEqual(parsePageHash('#layers=+200,+200+').state, { layers: [200, 200] }, "'+' is a space in a query string");
  assert.deepEqual(parsePageHash('#run=007').state, { run: '7' });
});

test('unknown and repeated fields are ignored and named; odd text cannot break the line', () => {
  const { state, ignored } = parsePageHash('#epochs=2&epochs=50&__proto__=1&constructor=x&foo=%0Abar');
  assert.deepEqual(state, { epochs: 2 });
  assert.deepEqual(ignored, ['epochs=50 (given twice)', '__proto__=1 (unknown)', 'constructor=x (unknown)', 'foo="\\nbar" (unknown)']);
  const message = ignoredMessage(ignored);
  assert.ok(!message.includes('\n'));
  assert.match(message, / and 1 more; /);
  const long = parsePageHash(`#img=${'9'.repeat(5000)}`);
  assert.ok(long.ignored[0].length < 200, long.ignored[0]);
});

test('the form uses the same field rules', () => {
  assert.deepEqual(parseHashField('epochs', '3'), { value: 3 });
  assert.deepEqual(parseHashField('epochs', '-3'), { expected: 'an integer in 1–100' });
  assert.deepEqual(parseHashField('layers', ' 200, 100 '), { value: [200, 100] });
});
