// `npm run build:web`: the explorer as static files in dist/web/ (any static host serves them;
// `ff serve` does too) — the page built by Vite (web/vite.config.ts) and the MNIST sample it
// draws test images from and trains on: the first 5,000 training and 1,000 test images.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { loadDataset } from '../src/data/registry.js';
import { encodeSamplePack } from '../src/data/sample-pack.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { STATIC_RUN_LIST } from '../web/run-list.js';
import { STATIC_NO_SAMPLE } from '../src/serve/sample-answer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = path.join(root, 'dist', 'web');

export async function buildWeb(quiet = false): Promise<void> {
  await build({ configFile: path.join(root, 'web', 'vite.config.ts'), root: path.join(root, 'web'), logLevel: quiet ? 'warn' : 'info' });
  const mnist = await loadDataset('mnist');
  const bytes = encodeSamplePack(mnist.train, mnist.test, mnist.numClasses, 5000, 1000);
  mkdirSync(path.join(WEB_DIR, 'data'), { recursive: true });
  const file = path.join(WEB_DIR, 'data', 'mnist-sample.bin');
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
  // ff serve sends this twin to a browser that takes gzip (the 4.7 MB sample packs to 1 MB).
  writeFileAtomic(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  // A static host's answer to the page's run-list request (ff serve answers it itself).
  mkdirSync(path.join(WEB_DIR, 'api'), { recursive: true });
  writeFileAtomic(path.join(WEB_DIR, 'api', 'runs'), `${JSON.stringify(STATIC_RUN_LIST)}\n`);
  // ...and to its CIFAR-10 sample request: there is none (ff serve answers with the images).
  mkdirSync(path.join(WEB_DIR, 'api', 'samples'), { recursive: true });
  writeFileAtomic(path.join(WEB_DIR, 'api', 'samples', 'cifar-10'), `${JSON.stringify(STATIC_NO_SAMPLE)}\n`);
  if (!quiet) process.stdout.write(`build:web: wrote ${path.relative(root, WEB_DIR)}/ (MNIST sample ${(bytes.length / 2 ** 20).toFixed(1)} MiB)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb(process.argv.includes('--quiet')).catch((err: Error) => {
    process.stderr.write(`build:web: ${err.message.split('\n')[0]}\n`);
    process.exit(1);
  });
}
