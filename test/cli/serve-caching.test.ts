// ff serve's caching and compression of the explorer's files (issue 36): before, the 4.7 MB
// MNIST sample went uncompressed with Cache-Control: no-store on every reload. Now a file
// the build left a .gz twin for goes gzipped to a client that takes gzip, every explorer file
// has an ETag and may be kept if revalidated (304 on If-None-Match), and checkpoints are
// still never stored nor compressed. The twin obeys the same rules as any served file (no link).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { exchange, parseResponse, rawRequest, type RawResponse } from '../../fuzz/http-exchange.js';
import { acceptsGzip, entityTag, notModified } from '../../src/serve/conditional-get.js';
import { startServer } from '../../src/serve/start-server.js';

const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'ff-serve-cache-')));
const web = path.join(tmp, 'web');
const run = path.join(tmp, 'run');
const SAMPLE = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i % 784 < 200 ? 0 : i % 251)));
let server: Server;
let port = 0;

before(async () => {
  mkdirSync(path.join(web, 'data'), { recursive: true });
  mkdirSync(run);
  writeFileSync(path.join(web, 'index.html'), '<!doctype html>explorer\n');
  writeFileSync(path.join(web, 'data', 'sample.bin'), SAMPLE);
  writeFileSync(path.join(web, 'data', 'sample.bin.gz'), gzipSync(SAMPLE));
  // A twin that is a link is not followed: the file itself goes instead.
  writeFileSync(path.join(web, 'data', 'linked.bin'), 'plain bytes');
  writeFileSync(path.join(tmp, 'secret.gz'), gzipSync('the secret'));
  symlinkSync(path.join(tmp, 'secret.gz'), path.join(web, 'data', 'linked.bin.gz'));
  writeFileSync(path.join(run, 'checkpoint.safetensors'), 'CKPT-bytes');
  writeFileSync(path.join(run, 'checkpoint.safetensors.gz'), gzipSync('CKPT-bytes'));
  ({ server, port } = await startServer({ web, runs: [{ name: 'run', dir: run }], host: '127.0.0.1', port: 0 }));
});

after(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function ask(method: string, target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const r = parseResponse(await exchange(port, rawRequest(method, target, { Host: `127.0.0.1:${port}`, ...headers })));
  assert.ok(r, `no HTTP answer to ${method} ${target}`);
  return r;
}

test('the sample goes gzipped to a client that takes gzip, with an ETag; as it is to one that does not', async () => {
  const gz = await ask('GET', '/data/sample.bin', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < SAMPLE.length / 2, `${gz.body.length} bytes sent for ${SAMPLE.length}`);
  assert.deepEqual(gunzipSync(gz.body), SAMPLE);
  assert.equal(gz.headers['cache-control'], 'no-cache');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.match(gz.headers.etag, /^"[0-9a-f]+-[0-9a-f]+-gz"$/);
  assert.equal(gz.headers['cross-origin-embedder-policy'], 'require-corp', 'the isolation headers stay');

  const plain = await ask('GET', '/data/sample.bin');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(plain.body, SAMPLE);
  assert.notEqual(plain.headers.etag, gz.headers.etag, 'two encodings, one tag');
  for (const refusing of ['gzip;q=0', 'identity', 'br', '*;q=0, br']) {
    assert.equal((await ask('GET', '/data/sample.bin', { 'Accept-Encoding': refusing })).headers['content-encoding'], undefined, refusing);
  }
  assert.equal((await ask('GET', '/data/sample.bin', { 'Accept-Encoding': '*' })).headers['content-encoding'], 'gzip');
  // No twin: the file as it is, still with a tag.
  const index = await ask('GET', '/', { 'Accept-Encoding': 'gzip' });
  assert.equal(index.headers['content-encoding'], undefined);
  assert.match(index.headers.etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
});

test('If-None-Match naming the tag answers 304 without a body; another tag, or a changed file, answers 200', async () => {
  const etag = (await ask('GET', '/data/sample.bin', { 'Accept-Encoding': 'gzip' })).headers.etag;
  for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    for (const method of ['GET', 'HEAD']) {
      const r = await ask(method, '/data/sample.bin', { 'Accept-Encoding': 'gzip', 'If-None-Match': inm });
      assert.equal(r.status, 304, `${method} If-None-Match: ${inm}`);
      assert.equal(r.body.length, 0);
      assert.equal(r.headers.etag, etag);
      assert.equal(r.headers['content-length'], undefined);
    }
  }
  assert.equal((await ask('GET', '/data/sample.bin', { 'Accept-Encoding': 'gzip', 'If-None-Match': '"other"' })).status, 200);
  // The identity bytes' tag does not match the gzip answer's.
  assert.equal((await ask('GET', '/data/sample.bin', { 'If-None-Match': etag })).status, 200);
  // A rebuilt sample (new time): the old tag is stale.
  const later = new Date(Date.now() + 60_000);
  utimesSync(path.join(web, 'data', 'sample.bin.gz'), later, later);
  const fresh = await ask('GET', '/data/sample.bin', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
  assert.equal(fresh.status, 200);
  assert.notEqual(fresh.headers.etag, etag);
});

test('checkpoints are never stored, tagged or compressed; a twin that is a link is not sent', async () => {
  const ck = await ask('GET', '/api/runs/0/checkpoint.safetensors', { 'Accept-Encoding': 'gzip', 'If-None-Match': '*' });
  assert.equal(ck.status, 200);
  assert.equal(ck.body.toString(), 'CKPT-bytes');
  assert.equal(ck.headers['cache-control'], 'no-store');
  assert.equal(ck.headers.etag, undefined);
  assert.equal(ck.headers['content-encoding'], undefined);
  const linked = await ask('GET', '/data/linked.bin', { 'Accept-Encoding': 'gzip' });
  assert.equal(linked.headers['content-encoding'], undefined);
  assert.equal(linked.body.toString(), 'plain bytes');
});

test('the header decisions', () => {
  for (const yes of ['gzip', 'GZIP', 'deflate, gzip;q=0.5', 'x-gzip', '*', 'br, *;q=0.1', 'gzip;q=1.0']) assert.equal(acceptsGzip(yes), true, yes);
  for (const no of [undefined, '', 'identity', 'gzip;q=0', 'gzip;q=0.000', '*;q=0', 'gzip;q=0, *', 'gzip;q=x', 'gzipx']) assert.equal(acceptsGzip(no), false, String(no));
  const tag = entityTag(4_710_032, 1_765_000_000_123.7, 'gzip');
  assert.equal(tag, '"47de90-19af232b27b-gz"');
  assert.equal(notModified(undefined, tag), false);
  assert.equal(notModified('"47de90-19af232b27b"', tag), false);
  assert.equal(notModified(` W/${tag} `, tag), true);
  assert.equal(notModified('"a,b", ' + tag, tag), true);
});
