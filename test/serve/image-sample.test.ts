// ff serve's CIFAR-10 test sample (src/serve/image-sample.ts): the first test records as a
// sample pack the explorer decodes (pixels and labels as in the batch), gzipped to a browser
// that takes gzip, with an ETag answered by 304; and when the data are absent, a JSON answer
// saying why in one line (the page shows it; a 404 would be logged by the browser as an error).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeSamplePack } from '../../src/data/sample-pack.js';
import { cifarTestSample, type ImageSample } from '../../src/serve/image-sample.js';
import { routeRequest } from '../../src/serve/request-route.js';
import { startServer } from '../../src/serve/start-server.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-sample-'));
const servers: Server[] = [];

after(() => {
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** `n` CIFAR records: record r has label r % 10 and pixel p = (r·7 + p) mod 256. */
function records(n: number): Uint8Array {
  const out = new Uint8Array(n * 3073);
  for (let r = 0; r < n; r++) {
    out[r * 3073] = r % 10;
    for (let p = 0; p < 3072; p++) out[r * 3073 + 1 + p] = (r * 7 + p) % 256;
  }
  return out;
}

function fetchRaw(port: number, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('the sample holds the first test records as they are in the batch (at most the count asked for)', async () => {
  const dir = path.join(tmp, 'cifar');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'test_batch.first1000.bin'), records(12));
  const sample = (await cifarTestSample(dir, 5)) as ImageSample;
  assert.equal(typeof sample, 'object');
  const pack = decodeSamplePack(sample.bytes);
  assert.deepEqual([pack.train.count, pack.test.count, pack.test.height, pack.test.width, pack.test.channels, pack.numClasses], [0, 5, 32, 32, 3, 10]);
  assert.deepEqual([...pack.test.labels], [0, 1, 2, 3, 4]);
  assert.equal(Math.round(pack.test.images[3 * 3072 + 100] * 255), (3 * 7 + 100) % 256);
  assert.deepEqual(gunzipSync(sample.gzip), Buffer.from(sample.bytes));
  assert.ok(sample.gzip.length < sample.bytes.length);
});

test('no test batch: the reason in one line naming FF_CIFAR_DIR', async () => {
  const why = await cifarTestSample(path.join(tmp, 'nothing-here'));
  assert.equal(typeof why, 'string');
  assert.match(why as string, /^no CIFAR-10 test images: ff serve found no test_batch\.bin in .*nothing-here \(set FF_CIFAR_DIR\)$/);
  assert.ok((why as string).length < 200);
});

test('routes: api/samples/NAME by name only', () => {
  const route = (url: string) => routeRequest({ method: 'GET', url, host: '127.0.0.1:8080', origin: undefined }, new Set(['127.0.0.1:8080']), 1);
  assert.deepEqual(route('/api/samples/cifar-10'), { kind: 'sample', name: 'cifar-10' });
  for (const bad of ['/api/samples/', '/api/samples/..', '/api/samples/%2e%2e', '/api/samples/Cifar', '/api/samples/cifar-10/x', '/api/samples/-x']) assert.equal(route(bad).kind, 'refused', bad);
});

test('served: gzip to a client that takes it, identity otherwise, 304 on its ETag; absent samples are JSON saying why', async () => {
  const bytes = new Uint8Array(4000).map((_, i) => i % 7);
  const sample: ImageSample = { bytes, gzip: new Uint8Array(gzipSync(bytes)), madeMs: 1_700_000_000_000 };
  const web = path.join(tmp, 'web');
  mkdirSync(web);
  const samples = new Map<string, ImageSample | string>([['cifar-10', sample], ['other', 'no other test images: none here (set FF_OTHER_DIR)']]);
  const { server, port } = await startServer({ web, runs: [], host: '127.0.0.1', port: 0, samples });
  servers.push(server);
  const gz = await fetchRaw(port, '/api/samples/cifar-10', { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(gz.body), Buffer.from(bytes));
  assert.equal(gz.headers['cache-control'], 'no-cache');
  const plain = await fetchRaw(port, '/api/samples/cifar-10');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(plain.body, Buffer.from(bytes));
  assert.notEqual(plain.headers.etag, gz.headers.etag);
  const again = await fetchRaw(port, '/api/samples/cifar-10', { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag! });
  assert.deepEqual([again.status, again.body.length], [304, 0]);
  const other = await fetchRaw(port, '/api/samples/other');
  assert.deepEqual([other.status, other.headers['content-type'], JSON.parse(other.body.toString())], [200, 'application/json', { sample: false, why: 'no other test images: none here (set FF_OTHER_DIR)' }]);
  const none = await fetchRaw(port, '/api/samples/mnist');
  assert.deepEqual([none.status, none.body.toString()], [404, 'no such sample']);
});
