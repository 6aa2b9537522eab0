// `ff serve [RUN...]`: the browser explorer (npm run build:web → dist/web/) on 127.0.0.1, with
// the given runs in its list. Loopback only: a training run's checkpoint is nobody else's
// business, and the server has no authentication; it answers only requests addressed to its
// loopback name (no DNS rebinding) and sends only regular files, never through a symbolic link
// (src/serve/).
import { closeSync, existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { servedSamples } from '../serve/image-sample.js';
import { openServedFile } from '../serve/served-file.js';
import { startServer } from '../serve/start-server.js';
import { CHECKPOINT_FILE } from '../train/checkpoint-format.js';
import { packageRoot } from '../util/package-root.js';
import { parseIntOption } from './int-option.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

interface ServeOptions {
  port: string;
  host: string;
}

/** dist/web of this package, or a one-line error saying how to build it. */
export function explorerDir(): string {
  const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
  const dir = root ? path.join(root, 'dist', 'web') : '';
  if (!dir || !existsSync(path.join(dir, 'index.html'))) throw new Error('the explorer is not built: run npm run build:web first');
  return realpathSync(dir);
}

/** A run directory as served: its real path, holding a checkpoint that is a regular file (what a request will be sent). */
function servedRun(arg: string): { name: string; dir: string } {
  let dir: string;
  try {
    dir = realpathSync(arg);
  } catch {
    throw new Error(`${arg}: not a run directory (no ${CHECKPOINT_FILE})`);
  }
  const opened = openServedFile(dir, [CHECKPOINT_FILE]);
  if (!('fd' in opened)) {
    throw new Error(opened.status === 404 ? `${arg}: not a run directory (no ${CHECKPOINT_FILE})` : `${path.join(arg, CHECKPOINT_FILE)}: ${opened.body}`);
  }
  closeSync(opened.fd);
  return { name: path.basename(dir), dir };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the browser explorer on 127.0.0.1, with these runs to load')
    .argument('[runs...]', 'run directories (each with a checkpoint)')
    .option('--port <n>', 'port (0: any free one)', '8080')
    .option('--host <host>', 'interface: 127.0.0.1 (or localhost, ::1) only', '127.0.0.1')
    .action(async (runs: string[], o: ServeOptions) => {
      if (!LOOPBACK.has(o.host)) throw new Error(`ff serve listens on the loopback interface only (127.0.0.1, localhost, ::1), got --host ${o.host}`);
      const port = parseIntOption('--port', o.port, 0, 65535);
      const served = runs.map(servedRun);
      const { url } = await startServer({ web: explorerDir(), runs: served, host: o.host, port, samples: await servedSamples() });
      process.stdout.write(`ff serve: the explorer is at ${url} (${served.length} run${served.length === 1 ? '' : 's'}; Ctrl-C stops)\n`);
    });
}
