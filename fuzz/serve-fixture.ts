// The files the serve fuzz target's server is given: an explorer directory and run directories
// with everything a request must not reach next to what it may — a secret file outside them,
// links to it (a file, a directory, a run's checkpoint, a run directory), a hidden file, a
// FIFO checkpoint, a directory where a checkpoint should be and a run that is gone; gzip twins
// (`x.gz`, sent to a client that takes gzip): a real one, and one that is a link. Built once
// per version in the temporary directory and reused (the fuzzer's worker is killed, never told
// to clean up), atomically: a finished fixture appears by rename.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const SECRET = 'FF-FUZZ-SECRET: this file is outside every served directory\n';

/** Files the server may send, by path under the fixture (their bytes are what a 200 may carry). */
const SERVABLE: Record<string, string> = {
  'web/index.html': '<!doctype html><title>fuzz</title>index\n',
  'web/assets/app.js': 'console.log("app");\n',
  'web/assets/style.css': 'body { margin: 0 }\n',
  'web/data/net.json': '{"layers":[12,8]}\n',
  'web/sub/inner.txt': 'inner\n',
  'web/empty.txt': '',
  'runs/good/checkpoint.safetensors': `CHECKPOINT ${'0123456789abcdef'.repeat(64)}\n`,
};

/** Run directories in list order: only the first has a checkpoint that may be sent. */
export const RUN_DIRS = ['good', 'linked', 'dir', 'fifo', 'gone', 'via-link'];

export interface ServeFixture {
  web: string;
  runs: { name: string; dir: string }[];
  /** Every body a 200 answer may carry but the run list (which the server writes), gzip decoded. */
  servable: Buffer[];
  /** The sizes a gzip-encoded 200 may have (Content-Length of a HEAD). */
  gzipSizes: number[];
}

function build(root: string): void {
  for (const [rel, text] of Object.entries(SERVABLE)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  writeFileSync(path.join(root, 'secret.txt'), SECRET);
  writeFileSync(path.join(root, 'web/.hidden'), SECRET);
  mkdirSync(path.join(root, 'secret-run'));
  writeFileSync(path.join(root, 'secret-run/checkpoint.safetensors'), SECRET);
  symlinkSync('../secret.txt', path.join(root, 'web/link.js'));
  symlinkSync('..', path.join(root, 'web/linkdir'));
  symlinkSync(path.join(root, 'secret.txt'), path.join(root, 'web/assets/absolute-link.css'));
  for (const run of RUN_DIRS.slice(1, 4)) mkdirSync(path.join(root, 'runs', run));
  symlinkSync('../../secret.txt', path.join(root, 'runs/linked/checkpoint.safetensors'));
  mkdirSync(path.join(root, 'runs/dir/checkpoint.safetensors'));
  try {
    execFileSync('mkfifo', [path.join(root, 'runs/fifo/checkpoint.safetensors')], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // No mkfifo here: that run is one more that is gone.
  }
  symlinkSync('../secret-run', path.join(root, 'runs/via-link'));
  writeFileSync(path.join(root, 'web/index.html.gz'), gzipSync(SERVABLE['web/index.html']));
  symlinkSync('../../secret.txt', path.join(root, 'web/assets/app.js.gz'));
}

/** The fixture's directories (built now unless an earlier worker did). */
export function serveFixture(): ServeFixture {
  const root = path.join(realpathSync(tmpdir()), `ff-fuzz-serve-v2-${process.getuid?.() ?? 'user'}`);
  if (!exists(root)) {
    const tmp = mkdtempSync(`${root}.tmp-`);
    build(tmp);
    try {
      renameSync(tmp, root);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another worker's fixture got there first
    }
  }
  return {
    web: path.join(root, 'web'),
    runs: RUN_DIRS.map((name) => ({ name, dir: path.join(root, 'runs', name) })),
    servable: Object.values(SERVABLE).map((t) => Buffer.from(t)),
    gzipSizes: [statSync(path.join(root, 'web/index.html.gz')).size],
  };
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
