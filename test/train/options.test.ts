// Option values are plain decimals: what Number() also reads (0x10, 0o7, 0b1, Infinity, '',
// ' ') is refused with the option's name; range errors name the limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FF_OPTION_SPECS } from '../../src/ff/options.js';
import { parseOptionValue, RUN_OPTION_SPECS } from '../../src/train/options.js';

const specs = { ...RUN_OPTION_SPECS, ...FF_OPTION_SPECS };
const parse = (key: string, raw: string) => parseOptionValue(key, raw, specs);

test('numbers: decimals with an optional exponent are read', { timeout: 10_000 }, () => {
  assert.equal(parse('lr', '1e-3'), 0.001);
  assert.equal(parse('lr', '0.02'), 0.02);
  assert.equal(parse('lr', '.5'), 0.5);
  assert.equal(parse('lr', '2.'), 2);
  assert.equal(parse('lr', '+3E1'), 30);
  assert.equal(parse('lr', ' 0.1 '), 0.1);
  assert.equal(parse('epochs', '12'), 12);
  assert.equal(parse('seed', '007'), 7);
  assert.deepEqual(parse('layers', '500, 500,10'), [500, 500, 10]);
});

test('numbers: hex, octal, binary, Infinity, NaN and empty values are refused', { timeout: 10_000 }, () => {
  for (const raw of ['0x10', '0o17', '0b101', 'Infinity', '-Infinity', 'NaN', '', ' ', '1e', 'e3', '1_000', '--1', '1.2.3', '٣']) {
    assert.throws(() => parse('lr', raw), { message: `--lr must be a decimal number, got '${raw.trim()}'` }, `--lr ${raw}`);
  }
  for (const raw of ['0x10', '1e2', '1.0', '12.5', '+3', 'Infinity', '']) {
    assert.throws(() => parse('epochs', raw), { message: `--epochs must be an integer (digits only), got '${raw.trim()}'` }, `--epochs ${raw}`);
  }
  for (const raw of ['0x10,1e2', '1e2', '100,0x10', '10,,10', '', '10,', '+5', '1.0']) {
    assert.throws(() => parse('layers', raw), { message: `--layers must be a comma-separated list of integers in 1..100,000 (digits only), got '${raw.trim()}'` }, `--layers ${raw}`);
  }
});

test('--layers beyond 100,000 names the limit', { timeout: 10_000 }, () => {
  assert.throws(() => parse('layers', '1000000'), { message: "--layers must be a comma-separated list of integers in 1..100,000 (digits only), got '1000000'" });
  assert.throws(() => parse('layers', '500,0'), { message: /in 1\.\.100,000/ });
  assert.deepEqual(parse('layers', '100000'), [100000]);
});
