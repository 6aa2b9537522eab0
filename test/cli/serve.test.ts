// ff serve's server (src/serve/), in this process on a temporary explorer and run directories,
// spoken to with raw requests: it answers only its loopback names (DNS rebinding) and
// same-site pages, never sends a file through a symbolic link or anything but a regular file,
// streams a big checkpoint with flat memory (in a child process, to measure it), answers 404 for
// a run deleted since it started, HEAD without reading, and 405 with Allow.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { exchange, parseResponse, rawRequest, type RawResponse } from '../../fuzz/http-exchange.js';
import { routeRequest } from '../../src/serve/request-route.js';
import { startServer } from '../../src/serve/start-server.js';
import { makeSpecialFile } from '../helpers/special-files.js';

const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'ff-serve-')));
const web = path.join(tmp, 'web');
const SECRET = 'the secret outside every served directory\n';
const CHECKPOINT = 'checkpoint.safetensors';
const HUGE = 8 * 2 ** 30; // sparse: no disk, but more than a Buffer may hold
/** name → what its directory gets; the list order is the run index. */
const RUNS = ['good', 'linked', 'via-link', 'fifo', 'vanishing', 'huge'] as const;
let fifoSkip: string | undefined;
let server: Server;
let port = 0;

function run(name: string): string {
  return path.join(tmp, 'runs', name);
}

before(async () => {
  mkdirSync(path.join(web, 'assets'), { recursive: true });
  writeFileSync(path.join(web, 'index.html'), '<!doctype html>explorer\n');
  writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1);\n');
  writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
  symlinkSync('../secret.txt', path.join(web, 'link.js'));
  symlinkSync('..', path.join(web, 'up'));
  for (const name of RUNS) mkdirSync(run(name), { recursive: true });
  writeFileSync(path.join(run('good'), CHECKPOINT), 'CKPT-bytes');
  symlinkSync(path.join(tmp, 'secret.txt'), path.join(run('linked'), CHECKPOINT));
  // A run directory replaced by a link after the server started: the link in a directory above the file.
  mkdirSync(path.join(tmp, 'elsewhere'));
  writeFileSync(path.join(tmp, 'elsewhere', CHECKPOINT), SECRET);
  rmSync(run('via-link'), { recursive: true });
  symlinkSync(path.join(tmp, 'elsewhere'), run('via-link'));
  fifoSkip = makeSpecialFile('mkfifo', [path.join(run('fifo'), CHECKPOINT)]);
  writeFileSync(path.join(run('vanishing'), CHECKPOINT), 'CKPT');
  writeFileSync(path.join(run('huge'), CHECKPOINT), '');
  truncateSync(path.join(run('huge'), CHECKPOINT), HUGE);
  ({ server, port } = await startServer({ web, runs: RUNS.map((name) => ({ name, dir: run(name) })), host: '127.0.0.1', port: 0 }));
});

after(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function ask(method: string, target: string, headers: Record<string, string> = { Host: `127.0.0.1:${port}` }): Promise<RawResponse> {
  const r = parseResponse(await exchange(port, rawRequest(method, target, headers)));
  assert.ok(r, `no HTTP answer to ${method} ${target}`);
  return r;
}

function assertRefused(r: RawResponse, status: number, body: RegExp): void {
  assert.equal(r.status, status, r.body.toString());
  assert.match(r.headers['content-type'], /^text\/plain/);
  assert.match(r.body.toString(), body);
  assert.ok(!r.body.toString().includes(SECRET.trim()) && !r.body.includes('CKPT'), 'a refusal carries nothing served');
}

test('a request for any other host name is refused: a rebound DNS name cannot read the runs', async () => {
  for (const host of ['evil.example:' + port, 'evil.example', '127.0.0.1:1', `127.0.0.1:${port}.evil.example`, `localhost.:${port}`, '']) {
    assertRefused(await ask('GET', '/api/runs/0/checkpoint.safetensors', { Host: host }), 421, /Host header refused/);
  }
  const none = await ask('GET', '/api/runs', {}); // HTTP/1.1 requires a Host header: Node refuses before the handler
  assert.equal(none.status, 400);
  assert.ok(!none.body.toString().includes('good'));
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
    const r = await ask('GET', '/api/runs', { Host: host });
    assert.equal(r.status, 200, host);
    assert.deepEqual(JSON.parse(r.body.toString()), RUNS.map((name) => ({ name })));
  }
});

test('a request from another site (Origin) is refused; the page itself is answered', async () => {
  for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://127.0.0.1:${port}`]) {
    assertRefused(await ask('GET', '/api/runs/0/checkpoint.safetensors', { Host: `127.0.0.1:${port}`, Origin: origin }), 403, /Origin/);
  }
  for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
    const r = await ask('GET', '/api/runs/0/checkpoint.safetensors', { Host: `127.0.0.1:${port}`, Origin: origin });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'CKPT-bytes');
  }
});

test('a checkpoint or file that is a symbolic link, reached through one, or no regular file is refused', async (t) => {
  assertRefused(await ask('GET', '/api/runs/1/checkpoint.safetensors'), 403, /symbolic link/);
  assertRefused(await ask('GET', '/api/runs/2/checkpoint.safetensors'), 403, /symbolic link/);
  assertRefused(await ask('GET', '/link.js'), 403, /symbolic link/);
  assertRefused(await ask('GET', '/up/secret.txt'), 403, /symbolic link/);
  for (const target of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets%2f..%2f..%2fsecret.txt']) {
    assertRefused(await ask('GET', target), 404, /not found/);
  }
  // ff serve itself refuses such a run when it starts (the explorer need not be built for that).
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', run('linked'), '--port', '0'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0, r.stdout);
  assert.match(r.stderr, /checkpoint\.safetensors: not served: a symbolic link$/m);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  if (fifoSkip) return t.skip(fifoSkip);
  assertRefused(await ask('GET', '/api/runs/3/checkpoint.safetensors'), 403, /FIFO/); // at once: no wait for a writer
});

test('a run deleted after the server started answers 404', async () => {
  rmSync(run('vanishing'), { recursive: true });
  assertRefused(await ask('GET', '/api/runs/4/checkpoint.safetensors'), 404, /not found/);
  assertRefused(await ask('HEAD', '/api/runs/4/checkpoint.safetensors'), 404, /^$/);
});

test('HEAD answers the headers with the file size and reads nothing (an 8 GiB checkpoint)', async () => {
  const started = Date.now();
  const r = await ask('HEAD', '/api/runs/5/checkpoint.safetensors');
  assert.equal(r.status, 200);
  assert.equal(Number(r.headers['content-length']), HUGE);
  assert.equal(r.body.length, 0);
  assert.ok(Date.now() - started < 5000, 'no read of the file');
  const index = await ask('HEAD', '/');
  assert.equal(Number(index.headers['content-length']), readFileSync(path.join(web, 'index.html')).length);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.body.length, 0);
});

test('a method other than GET and HEAD answers 405 with Allow', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT']) {
    const r = await ask(method, '/api/runs');
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD', method);
  }
});

test('the route decision: dot segments, encoded separators, bad escapes and odd run indices', () => {
  const hosts = new Set(['127.0.0.1:8080']);
  const route = (url: string) => routeRequest({ method: 'GET', url, host: '127.0.0.1:8080', origin: undefined }, hosts, 2);
  assert.deepEqual(route('/'), { kind: 'file', segments: ['index.html'] });
  assert.deepEqual(route('/assets/app.js?v=1#x'), { kind: 'file', segments: ['assets', 'app.js'] });
  assert.deepEqual(route('/api/runs/1/checkpoint.safetensors'), { kind: 'checkpoint', run: 1 });
  for (const url of ['/a/../b', '/%2e%2e/x', '/a%2fb', '/a%5cb', '/.git/config', '/a//b', '/x%00', '/api/runs/01/checkpoint.safetensors', '/api/runs/2/checkpoint.safetensors', '/api/x']) {
    const r = route(url);
    assert.equal(r.kind === 'refused' && r.status, 404, url);
  }
  for (const url of ['/%', '/%zz', '*', 'http://127.0.0.1:8080/']) assert.equal((route(url) as { status: number }).status, 400, url);
});

test("a 200 MB checkpoint is streamed: the server's memory grows far less than the file", { skip: existsSync('/proc/self/status') ? false : 'no /proc here' }, async (t) => {
  const size = 200 * 2 ** 20;
  const big = path.join(tmp, 'big-run');
  mkdirSync(big);
  writeFileSync(path.join(big, CHECKPOINT), '');
  truncateSync(path.join(big, CHECKPOINT), size); // sparse: cheap to make, costly only to hold
  const script = `const { startServer } = await import(${JSON.stringify(pathToFileURL(path.resolve('src/serve/start-server.ts')).href)});
    const { port } = await startServer({ web: ${JSON.stringify(web)}, runs: [{ name: 'big', dir: ${JSON.stringify(big)} }], host: '127.0.0.1', port: 0 });
    process.stdout.write(port + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const childPort = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    });
    const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
    const before = peak();
    let length = '';
    const received = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port: childPort, path: '/api/runs/0/checkpoint.safetensors' }, (res) => {
        length = res.headers['content-length'] ?? '';
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(received, size);
    const growth = peak() - before;
    t.diagnostic(`peak memory growth ${(growth / 2 ** 20).toFixed(0)} MB`);
    assert.ok(growth < size / 2, `the server's peak memory grew by ${(growth / 2 ** 20).toFixed(0)} MB for a ${size / 2 ** 20} MB file`);
    assert.equal(Number(length), size, 'Content-Length');
  } finally {
    child.kill();
  }
});
