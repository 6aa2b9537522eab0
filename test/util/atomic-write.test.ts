// writeFileAtomic renames a temporary file over its target, which would silently replace a
// device, a FIFO or a socket with a regular file (as root, `--out /dev/full` turned the device
// into a PNG). An existing target that is not a regular file is refused, in one line that names
// it and says what it is, and is left as it was.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { makeSpecialFile as make } from '../helpers/special-files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ff-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));


function refuses(target: string, what: string, isIt: (s: Stats) => boolean): void {
  assert.throws(() => writeFileAtomic(target, 'data'), (e: Error) => {
    assert.equal(e.message, `${target}: cannot write: it is ${what}, not a regular file`);
    return true;
  });
  assert.ok(isIt(statSync(target)), `${target} is still ${what}`);
  assert.deepEqual(readdirSync(path.dirname(target)).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
}

const devNull = path.join(dir, 'null-device');
const noMknod = make('mknod', [devNull, 'c', '1', '3']);
test('a character device (mknod c 1 3, like /dev/null) is refused and stays a device', { timeout: 30_000, skip: noMknod }, () => {
  refuses(devNull, 'a character device', (s) => s.isCharacterDevice());
});

const fifo = path.join(dir, 'fifo');
const noMkfifo = make('mkfifo', [fifo]);
test('a FIFO is refused and stays a FIFO', { timeout: 30_000, skip: noMkfifo }, () => {
  refuses(fifo, 'a FIFO', (s) => s.isFIFO());
});

test('a directory is refused', { timeout: 30_000 }, () => {
  const sub = path.join(dir, 'a-directory');
  mkdirSync(sub);
  refuses(sub, 'a directory', (s) => s.isDirectory());
});

test('a socket is refused', { timeout: 30_000 }, async () => {
  const sock = path.join(dir, 'socket');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    refuses(sock, 'a socket', (s) => s.isSocket());
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
