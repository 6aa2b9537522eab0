// For assert.rejects / assert.throws: the error is one line matching `re` (every user-facing
// error of ff is one line naming what is wrong).
import assert from 'node:assert/strict';

export function oneLine(e: unknown, re: RegExp): boolean {
  assert.ok(e instanceof Error);
  assert.ok(!e.message.includes('\n'), `one line: ${JSON.stringify(e.message)}`);
  assert.match(e.message, re);
  return true;
}
