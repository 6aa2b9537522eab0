// `ff serve [RUN...]`: the browser explorer (npm run build:web → dist/web/) on 127.0.0.1, with
// the given runs in its list. Loopback only: a training run's checkpoint is nobody else's
// business, and the server has no authentication. Also sends the headers that make the page
// cross-origin isolated, so its live training may use worker threads.
import { createServer, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CHECKPOINT_FILE } from '../train/checkpoint-format.js';
import { packageRoot } from '../util/package-root.js';
import { parseIntOption } from './int-option.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.bin': 'application/octet-stream', '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml',
};

interface ServeOptions {
  port: string;
  host: string;
}

/** dist/web of this package, or a one-line error saying how to build it. */
export function explorerDir(): string {
  const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
  const dir = root ? path.join(root, 'dist', 'web') : '';
  if (!dir || !existsSync(path.join(dir, 'index.html'))) throw new Error('the explorer is not built: run npm run build:web first');
  return dir;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the browser explorer on 127.0.0.1, with these runs to load')
    .argument('[runs...]', 'FF run directories (each with a checkpoint)')
    .option('--port <n>', 'port (0: any free one)', '8080')
    .option('--host <host>', 'interface: 127.0.0.1 (or localhost, ::1) only', '127.0.0.1')
    .action(async (runs: string[], o: ServeOptions) => {
      if (!LOOPBACK.has(o.host)) throw new Error(`ff serve listens on the loopback interface only (127.0.0.1, localhost, ::1), got --host ${o.host}`);
      const wanted = parseIntOption('--port', o.port, 0, 65535);
      const files = runs.map((r) => {
        const f = path.join(path.resolve(r), CHECKPOINT_FILE);
        if (!existsSync(f)) throw new Error(`${r}: not a run directory (no ${CHECKPOINT_FILE})`);
        return { name: path.basename(path.resolve(r)), file: f };
      });
      const web = explorerDir();
      const server = createServer((req, res) => {
        try {
          handle(req.method ?? 'GET', decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname), res, web, files);
        } catch {
          send(res, 400, 'text/plain; charset=utf-8', 'bad request');
        }
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'EADDRINUSE' ? `port ${wanted} is in use (try --port 0)` : err.message)));
        server.listen(wanted, o.host, resolve);
      });
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : wanted;
      const host = o.host === '::1' ? '[::1]' : o.host;
      process.stdout.write(`ff serve: the explorer is at http://${host}:${port}/ (${files.length} run${files.length === 1 ? '' : 's'}; Ctrl-C stops)\n`);
    });
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  });
  res.end(body);
}

function handle(method: string, url: string, res: ServerResponse, web: string, runs: { name: string; file: string }[]): void {
  if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET');
  if (url === '/api/runs') return send(res, 200, TYPES['.json'], JSON.stringify(runs.map((r) => ({ name: r.name }))));
  const run = /^\/api\/runs\/(\d+)\/checkpoint\.safetensors$/.exec(url);
  if (run) {
    const r = runs[Number(run[1])];
    return r ? send(res, 200, TYPES['.bin'], readFileSync(r.file)) : send(res, 404, 'text/plain; charset=utf-8', 'no such run');
  }
  const file = path.join(web, url === '/' ? 'index.html' : url);
  // Nothing outside the explorer's directory.
  if (path.relative(web, file).startsWith('..') || !existsSync(file) || !statSync(file).isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  send(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', readFileSync(file));
}
