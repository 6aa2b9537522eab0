// The fuzz target for ff serve's request handling: the real server (src/serve/start-server.ts)
// runs in the fuzzer's worker on a fixture (serve-fixture.ts), and each input is one raw
// request — a mutated path, a method, Host, Origin, Accept-Encoding and If-None-Match headers —
// sent over loopback. The contract: an answer always comes, with a status the server means
// (200; 304 with no body, only to an If-None-Match; or 400, 403, 404, 405, 421, 431 with a short
// plain body; 405 says Allow), a 200 carries exactly one of the servable files or the run list
// (gzip-encoded only when the client took gzip; never the secret next to them, nor a gzip twin
// that is a link), and a foreign Host or Origin is never answered 200 or 304. A refusal counts
// as a clear rejection; a 200 or 304 as a load.
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { ALLOWED_METHODS } from '../src/serve/request-route.js';
import { startServer } from '../src/serve/start-server.js';
import { exchange, parseResponse } from './http-exchange.js';
import { RUN_DIRS, SECRET, serveFixture, type ServeFixture } from './serve-fixture.js';
import type { Seed } from './seeds.js';

/** Request targets the mutations start from: each route, each kind of file that must be refused. */
const PATHS = [
  '/', '/index.html', '/assets/app.js', '/assets/style.css', '/data/net.json', '/empty.txt', '/sub/inner.txt', '/sub', '/sub/',
  '/api/runs', ...RUN_DIRS.map((_, i) => `/api/runs/${i}/checkpoint.safetensors`), '/api/runs/6/checkpoint.safetensors',
  '/link.js', '/linkdir/secret.txt', '/assets/absolute-link.css', '/.hidden', '/../secret.txt', '/%2e%2e/secret.txt',
];

const FRAGMENTS = [
  '..', '../', '/..', '%2e%2e', '%2E%2e%2F', '%2f', '%5c', '\\', '//', '/./', '.', '%00', '%2500', '\0', '?x=1', '#top', '%', '%zz',
  '%c0%ae%c0%ae', 'ü', '%C3%BC', '~', ' ', '%20', ';', '\t', '/secret.txt', '/../secret.txt', 'link.js', 'linkdir/', '.hidden',
  'api/runs/', 'checkpoint.safetensors', '0', '00', '-1', '+1', '4294967296', '1e3', '5', '6', 'index.html', 'assets/', '/sub/',
  '/secret-run/', 'runs/../../secret.txt', '%2e/', 'http://evil.example',
];

const METHODS = ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'BREW', 'GET\0'];
/** Host headers the server answers ("{PORT}" becomes its port in the worker). */
const GOOD_HOSTS = ['127.0.0.1:{PORT}', 'localhost:{PORT}', '[::1]:{PORT}', 'LocalHost:{PORT}'];
const BAD_HOSTS = [
  'evil.example:{PORT}', 'evil.example', '127.0.0.1', '127.0.0.1:1', 'localhost.:{PORT}', '127.0.0.2:{PORT}', '0.0.0.0:{PORT}',
  '[::ffff:127.0.0.1]:{PORT}', 'localhost:{PORT}.evil.example', 'user@localhost:{PORT}', '', ' ', 'localhost:0{PORT}',
];
const GOOD_ORIGINS = ['http://127.0.0.1:{PORT}', 'http://localhost:{PORT}', 'HTTP://LOCALHOST:{PORT}'];
const BAD_ORIGINS = ['http://evil.example', 'http://evil.example:{PORT}', 'null', 'https://127.0.0.1:{PORT}', 'http://127.0.0.1:{PORT}/', 'http://localhost:{PORT}.evil.example', ''];

type PathEdit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'char'; at: number; code: number }
  | { op: 'repeat'; text: string; times: number };

const pathEdit: fc.Arbitrary<PathEdit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('char' as const), at: fc.nat(), code: fc.integer({ min: 0x21, max: 0x7e }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), text: fc.constantFrom('../', '%2e%2e/', 'a/', '/'), times: fc.integer({ min: 1, max: 6000 }) }) },
);

function applyPathEdit(p: string, e: PathEdit): string {
  if (e.op === 'repeat') return p + e.text.repeat(e.times);
  const at = e.at % (p.length + 1);
  if (e.op === 'insert') return p.slice(0, at) + e.text + p.slice(at);
  if (e.op === 'delete') return p.slice(0, at) + p.slice(at + e.length);
  return p.slice(0, at) + String.fromCharCode(e.code) + p.slice(at + 1);
}

type Choice = { good: boolean; value: string } | null;
const choose = (good: string[], bad: string[], goodWeight: number, badWeight: number, noneWeight: number): fc.Arbitrary<Choice> =>
  fc.oneof(
    { weight: goodWeight, arbitrary: fc.constantFrom(...good).map((value) => ({ good: true, value })) },
    { weight: badWeight, arbitrary: fc.constantFrom(...bad).map((value) => ({ good: false, value })) },
    { weight: noneWeight, arbitrary: fc.constant(null) },
  );

/** Accept-Encoding values and whether each admits gzip (RFC 9110 §12.5.3), written out rather than asked of the server's parser. */
const ACCEPT_ENCODINGS: Record<string, boolean> = {
  gzip: true, 'gzip, deflate, br': true, 'x-gzip': true, '*': true, 'deflate;q=1, *;q=0.5': true, 'GZIP;q=0.001': true,
  'gzip;q=0': false, identity: false, br: false, 'gzip;q=x': false, '*;q=0': false, 'gzip;q=0, *': false,
};
const IF_NONE_MATCH = ['*', '"bogus"', 'W/"bogus"', '"a", "b"', '', '"', 'W/'];

type ServePlan = { seed: number; edits: PathEdit[]; method: string; host: Choice; origin: Choice; acceptEncoding: string | null; ifNoneMatch: string | null };

/** What the plan's headers make of a request: whether the server may answer it at all, and how. */
interface ServeExpect {
  hostOk: boolean;
  originOk: boolean;
  /** If-None-Match is `*`: a 304 may answer (no other value the plan sends names a real tag). */
  conditional: boolean;
  /** Accept-Encoding admits gzip (a gzip twin may be sent). */
  gzip: boolean;
}

let server: Promise<{ port: number; fixture: ServeFixture }> | undefined;

function served(): Promise<{ port: number; fixture: ServeFixture }> {
  server ??= (async () => {
    const fixture = serveFixture();
    const { port } = await startServer({ web: fixture.web, runs: fixture.runs, host: '127.0.0.1', port: 0 });
    return { port, fixture };
  })();
  return server;
}

const REFUSALS = new Set([400, 403, 404, 405, 421, 431]);

/** The contract's verdict on one answer: a finding, or why it is a refusal (thrown by the caller), or null for a good 200. */
function judge(bytes: Buffer, method: string, expect: ServeExpect, fixture: ServeFixture): { finding: string } | { refused: string } | null {
  const r = parseResponse(bytes);
  if (!r) return { finding: `no HTTP answer (${bytes.length} bytes: ${JSON.stringify(bytes.subarray(0, 80).toString('latin1'))})` };
  if ((r.status === 200 || r.status === 304) && (!expect.hostOk || !expect.originOk)) return { finding: `${r.status} for a foreign ${expect.hostOk ? 'Origin' : 'Host'}` };
  if (r.status === 304) {
    if (!expect.conditional) return { finding: '304 to a request whose If-None-Match names no tag of the file' };
    return r.body.length ? { finding: `304 with ${r.body.length} body bytes` } : null;
  }
  // CONNECT never reaches the request handler: refused whatever its headers say.
  if (method === 'CONNECT' && ![400, 405, 431].includes(r.status)) return { finding: `status ${r.status} for CONNECT (405 expected)` };
  if (method === 'CONNECT' && r.status === 405) return r.headers.allow === ALLOWED_METHODS ? { refused: 'HTTP 405 (CONNECT)' } : { finding: 'CONNECT: 405 without Allow' };
  if (!expect.hostOk && ![400, 421, 431].includes(r.status)) return { finding: `status ${r.status} for a foreign Host (421 expected)` };
  if (expect.hostOk && !expect.originOk && ![400, 403, 431].includes(r.status)) return { finding: `status ${r.status} for a foreign Origin (403 expected)` };
  if (r.status === 405 && r.headers.allow !== ALLOWED_METHODS) return { finding: `405 with Allow ${JSON.stringify(r.headers.allow)}` };
  if (r.body.includes(SECRET.slice(0, 14))) return { finding: `status ${r.status} carries the secret file` };
  if (r.status !== 200) {
    if (!REFUSALS.has(r.status)) return { finding: `unexpected status ${r.status}` };
    if (r.body.length > 200) return { finding: `a ${r.status} refusal of ${r.body.length} bytes` };
    return { refused: `HTTP ${r.status} ${JSON.stringify(r.body.toString('utf8'))}` };
  }
  const length = Number(r.headers['content-length']);
  const runList = Buffer.from(JSON.stringify(fixture.runs.map((x) => ({ name: x.name }))));
  const bodies = [...fixture.servable, runList];
  const gzipped = r.headers['content-encoding'] === 'gzip';
  if (gzipped && !expect.gzip) return { finding: 'gzip-encoded 200 to a client that did not take gzip' };
  if (r.headers['content-encoding'] !== undefined && !gzipped) return { finding: `Content-Encoding ${JSON.stringify(r.headers['content-encoding'])}` };
  if (method === 'HEAD') {
    if (r.body.length) return { finding: `HEAD answered with ${r.body.length} body bytes` };
    const sizes = gzipped ? fixture.gzipSizes : bodies.map((b) => b.length);
    return sizes.includes(length) ? null : { finding: `HEAD: Content-Length ${length} is no servable file's size` };
  }
  if (length !== r.body.length) return { finding: `Content-Length ${length} for ${r.body.length} bytes` };
  let body = r.body;
  if (gzipped) {
    try {
      body = gunzipSync(r.body);
    } catch {
      return { finding: 'a gzip-encoded 200 that does not decode' };
    }
    if (body.includes(SECRET.slice(0, 14))) return { finding: 'a gzip-encoded 200 carries the secret file' };
  }
  return bodies.some((b) => b.equals(body)) ? null : { finding: `200 with a body that is no servable file: ${JSON.stringify(body.subarray(0, 60).toString('latin1'))}` };
}

export const serveTarget = {
  name: 'serve',
  fileName: 'fuzz-request.http',
  seeds: async (): Promise<Seed[]> => PATHS.map((p) => ({ name: p, bytes: Buffer.from(p, 'utf8') })),
  plan: fc.record({
    seed: fc.nat(),
    // A third unedited: the routes and the refusals of the seed paths themselves, under every method and header.
    edits: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(pathEdit, { minLength: 1, maxLength: 4 }) }),
    method: fc.oneof({ weight: 6, arbitrary: fc.constant('GET') }, { weight: 2, arbitrary: fc.constant('HEAD') }, { weight: 2, arbitrary: fc.constantFrom(...METHODS) }),
    host: choose(GOOD_HOSTS, BAD_HOSTS, 7, 2, 1),
    origin: choose(GOOD_ORIGINS, BAD_ORIGINS, 2, 2, 6),
    acceptEncoding: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...Object.keys(ACCEPT_ENCODINGS)) }),
    ifNoneMatch: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...IF_NONE_MATCH) }),
  }) as fc.Arbitrary<unknown>,
  build(plan: unknown, seeds: Seed[]) {
    const p = plan as ServePlan;
    const seed = p.seed % seeds.length;
    const target = p.edits.reduce(applyPathEdit, Buffer.from(seeds[seed].bytes).toString('utf8'));
    // The target may hold any byte but CR and LF (those would make another header, not another path).
    const head = [`${p.method} ${target.replace(/[\r\n]/g, '')} HTTP/1.1`];
    if (p.host) head.push(`Host: ${p.host.value}`);
    if (p.origin) head.push(`Origin: ${p.origin.value}`);
    if (p.acceptEncoding !== null) head.push(`Accept-Encoding: ${p.acceptEncoding}`);
    if (p.ifNoneMatch !== null) head.push(`If-None-Match: ${p.ifNoneMatch}`);
    const expect: ServeExpect = {
      hostOk: p.host?.good ?? false,
      originOk: p.origin?.good ?? true,
      conditional: p.ifNoneMatch?.trim() === '*',
      gzip: p.acceptEncoding !== null && ACCEPT_ENCODINGS[p.acceptEncoding] === true,
    };
    return { seed, bytes: Buffer.from(`${head.join('\r\n')}\r\nConnection: close\r\n\r\n`, 'utf8'), expect };
  },
  async run(bytes: Uint8Array, name: string, _seed: Seed, expect: unknown): Promise<{ kind: 'oracle'; detail: string } | null> {
    const { port, fixture } = await served();
    const request = Buffer.from(Buffer.from(bytes).toString('latin1').replaceAll('{PORT}', String(port)), 'latin1');
    const method = request.toString('latin1').split(' ')[0];
    const verdict = judge(await exchange(port, request), method, expect as ServeExpect, fixture);
    if (verdict && 'refused' in verdict) throw new Error(`${name}: ${verdict.refused}`);
    return verdict && { kind: 'oracle', detail: verdict.finding };
  },
};
