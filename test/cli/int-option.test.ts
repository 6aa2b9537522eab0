// The one integer-option rule of the ff commands (src/cli/int-option.ts): digits only (spaces
// around allowed), inside the option's range, one message naming the option and quoting the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';

import { intArg, MAX_INT_OPTION, optionalIntOption, parseIntOption } from '../../src/cli/int-option.js';

test('digits in range are the number; spaces around them are allowed', () => {
  assert.equal(parseIntOption('--n', '7', 1), 7);
  assert.equal(parseIntOption('--n', ' 12 ', 0, 12), 12);
  assert.equal(parseIntOption('--n', '0', 0), 0);
  assert.equal(parseIntOption('--seed', String(MAX_INT_OPTION), 0), MAX_INT_OPTION);
  assert.equal(optionalIntOption('--n', undefined, 1), undefined);
  assert.equal(optionalIntOption('--n', '3', 1), 3);
});

test("what Number() would read but a count is not, and values out of range: one line naming the option", () => {
  for (const raw of ['0x10', '1e1', '1.0', '1.5', '-1', '+1', '', ' ', 'Infinity', 'NaN', '1_000', '١٢'])
    assert.throws(() => parseIntOption('--n', raw, 0), { message: `--n must be an integer ≥ 0, got '${raw}'` }, raw);
  assert.throws(() => parseIntOption('--n', '0', 1), { message: "--n must be an integer ≥ 1, got '0'" });
  assert.throws(() => parseIntOption('--port', '65536', 0, 65535), { message: "--port must be an integer in 0..65535, got '65536'" });
  // An unbounded option names its bound only to a value past it.
  assert.throws(() => parseIntOption('--seed', String(MAX_INT_OPTION + 1), 0), { message: "--seed must be an integer in 0..4294967295, got '4294967296'" });
});

test('intArg: the same rule for Commander, which adds the option and the value', () => {
  assert.equal(intArg(1, 100)('100'), 100);
  assert.throws(() => intArg(1, 100)('101'), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'must be an integer in 1..100');
  assert.throws(() => intArg(1)('2.5'), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'must be an integer ≥ 1');
});
