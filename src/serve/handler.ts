// ff serve's request handler: routes a request (request-route.ts), then answers the run list
// or streams one file. Files are streamed from the descriptor they were checked on, with the
// fstat size as Content-Length: memory stays flat however big a checkpoint is and however
// slowly it is read, and a HEAD request reads nothing. The explorer's own files may be cached
// if revalidated (ETag, 304) and come gzipped where the build left a .gz beside them (the 4.7 MB
// MNIST sample goes as 1 MB), as may the CIFAR-10 test sample held in memory (image-sample.ts);
// checkpoints, which training rewrites, are never stored.
import { closeSync, createReadStream } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import path from 'node:path';
import { CHECKPOINT_FILE } from '../train/checkpoint-format.js';
import { acceptsGzip, entityTag, notModified } from './conditional-get.js';
import { routeRequest } from './request-route.js';
import type { ImageSample, ServedSamples } from './image-sample.js';
import type { NoSample } from './sample-answer.js';
import { openServedFile } from './served-file.js';

/** A run in the list: its name for the page and its directory (a real path). */
export interface ServedRun {
  name: string;
  dir: string;
}

export interface ServedSite {
  /** The explorer's files (a real path). */
  web: string;
  runs: readonly ServedRun[];
  /** Host header values this server answers (allowed-hosts.ts). */
  allowedHosts: ReadonlySet<string>;
  /** Test-image samples by name (CIFAR-10's), or why each is absent. */
  samples?: ServedSamples;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.bin': 'application/octet-stream', '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
};
const TEXT = 'text/plain; charset=utf-8';

/** Sent with every answer: no caching of runs that change (unless `extra` says how), the page cross-origin isolated (its live training uses worker threads), nothing embeddable elsewhere. */
function headers(type: string, length: number, extra: Record<string, string> = {}): OutgoingHttpHeaders {
  return {
    'Content-Type': type,
    'Content-Length': length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...extra,
  };
}

function sendText(res: ServerResponse, status: number, type: string, body: string, extra?: Record<string, string>): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, headers(type, bytes.length, extra));
  res.end(bytes); // Node sends no body for HEAD
}

export function createServeHandler(site: ServedSite): RequestListener {
  return (req, res) => {
    const route = routeRequest({ method: req.method, url: req.url, host: req.headers.host, origin: req.headers.origin }, site.allowedHosts, site.runs.length);
    switch (route.kind) {
      case 'refused':
        return sendText(res, route.status, TEXT, route.body, route.headers);
      case 'runs':
        return sendText(res, 200, TYPES['.json'], JSON.stringify(site.runs.map((r) => ({ name: r.name }))));
      case 'checkpoint':
        return sendFile(req, res, site.runs[route.run].dir, [CHECKPOINT_FILE], false);
      case 'file':
        return sendFile(req, res, site.web, route.segments, true);
      case 'sample':
        return sendSample(req, res, site.samples?.get(route.name));
    }
  };
}

/** The gzip twin the build left beside a file (`x.bin.gz`), opened under the same rules, when the client takes gzip. */
function gzipTwin(req: IncomingMessage, root: string, segments: string[]) {
  if (!acceptsGzip(req.headers['accept-encoding'])) return null;
  const twin = openServedFile(root, [...segments.slice(0, -1), `${segments[segments.length - 1]}.gz`]);
  return 'fd' in twin ? twin : null;
}

function sendFile(req: IncomingMessage, res: ServerResponse, root: string, segments: string[], cacheable: boolean): void {
  const type = TYPES[path.extname(segments[segments.length - 1])] ?? 'application/octet-stream';
  let file = openServedFile(root, segments);
  if (!('fd' in file)) return sendText(res, file.status, TEXT, file.body);
  let extra: Record<string, string> = {};
  if (cacheable) {
    const twin = gzipTwin(req, root, segments);
    if (twin) {
      closeSync(file.fd);
      file = twin;
    }
    const etag = entityTag(file.size, file.mtimeMs, twin ? 'gzip' : 'identity');
    // no-cache: kept, but asked about each time (a rebuilt page is seen at once); Vary: a cache keys on the encoding.
    extra = { 'Cache-Control': 'no-cache', ETag: etag, Vary: 'Accept-Encoding', ...(twin ? { 'Content-Encoding': 'gzip' } : {}) };
    if (notModified(req.headers['if-none-match'], etag)) {
      closeSync(file.fd);
      const head = headers(type, 0, extra);
      delete head['Content-Length']; // a 304 has no body, and its length is not the file's
      res.writeHead(304, head);
      res.end();
      return;
    }
  }
  const { fd, size } = file;
  res.writeHead(200, headers(type, size, extra));
  if (req.method === 'HEAD' || size === 0) {
    closeSync(fd);
    res.end();
    return;
  }
  // Exactly the fstat size: a file that grows is cut there; one that shrank ends the connection
  // (a response shorter than its Content-Length must not look complete).
  const stream = createReadStream('', { fd, start: 0, end: size - 1 });
  let sent = 0;
  stream.on('data', (chunk) => (sent += chunk.length));
  stream.pipe(res, { end: false });
  stream.on('end', () => (sent === size ? res.end() : res.destroy()));
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy()); // a reader that left: the descriptor closes
}

/** A sample held in memory, gzipped when the client takes it, with an ETag; absent: why, as JSON (sample-answer.ts). */
function sendSample(req: IncomingMessage, res: ServerResponse, sample: ImageSample | string | undefined): void {
  if (sample === undefined) return sendText(res, 404, TEXT, 'no such sample');
  if (typeof sample === 'string') return sendText(res, 200, TYPES['.json'], JSON.stringify({ sample: false, why: sample } satisfies NoSample));
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  const body = gzip ? sample.gzip : sample.bytes;
  const etag = entityTag(body.length, sample.madeMs, gzip ? 'gzip' : 'identity');
  const extra: Record<string, string> = { 'Cache-Control': 'no-cache', ETag: etag, Vary: 'Accept-Encoding', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) };
  if (notModified(req.headers['if-none-match'], etag)) {
    const head = headers(TYPES['.bin'], 0, extra);
    delete head['Content-Length'];
    res.writeHead(304, head);
    res.end();
    return;
  }
  res.writeHead(200, headers(TYPES['.bin'], body.length, extra));
  res.end(body); // Node sends no body for HEAD
}
