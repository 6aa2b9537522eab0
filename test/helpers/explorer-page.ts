// What the explorer's browser tests share: the page built afresh, tiny runs trained in seconds,
// `ff serve` (or a plain static host, as GitHub Pages would be: no run list, no COOP/COEP) in a
// child process, Debian's Chromium driven by playwright-core, and the page's errors collected.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WEB_DIR } from '../../scripts/build-web.js';
import { CHROMIUM } from './optional.js';

export { WEB_DIR };

/** `ff ARGS` in a child process (`env`: variables to change for it); its stdout, or the test fails with its stderr. */
export function ff(args: string[], timeout = 300_000, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `ff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const TINY = ['--layers', '50,50', '--epochs', '1', '--train-subset', '500', '--eval-subset', '100', '--no-progress'];

/** A few-second run of each kind the page must handle: FF (quick), unsupervised and BP. */
export function trainTinyRuns(dir: string): { quick: string; unsupervised: string; bp: string } {
  const runs = { quick: path.join(dir, 'quick'), unsupervised: path.join(dir, 'unsupervised'), bp: path.join(dir, 'bp') };
  ff(['train', '--preset', 'quick', '--seed', '2', ...TINY, '--out', runs.quick]);
  ff(['train', '--preset', 'unsupervised-quick', '--seed', '3', ...TINY, '--out', runs.unsupervised]);
  ff(['train', '--preset', 'quick', '--algo', 'bp', '--seed', '4', ...TINY, '--out', runs.bp]);
  return runs;
}

/** The extra run kinds of trainTinyRuns(dir, { extra: true }); CIFAR and Aesop runs only where their data are (else absent). */
export interface ExtraRuns {
  recurrent: string;
  mnistConv: string;
  cifarLocal?: string;
  cifarConv?: string;
  aesop?: string;
}

/** Smaller conv nets than the presets' (two layers of 10 and 20 channels), for a few seconds' training. */
const TINY_CONV = ['--layers', '10,20', '--pool-after', '1', '--goodness-layers', '1,2', '--softmax-layers', '2', '--epochs', '1', '--eval-subset', '100', '--no-progress'];
const TINY_CIFAR = ['--epochs', '1', '--train-subset', '200', '--eval-subset', '100', '--no-progress'];

/**
 * One tiny run of every other kind the explorer has a view for: recurrent FF, FF conv on MNIST,
 * and where the data are ($FF_CIFAR_DIR, $FF_AESOP_DIR) the locally-connected recurrent and conv
 * CIFAR-10 nets and an Aesop net.
 */
export function trainExtraRuns(dir: string, have: { cifar: boolean; aesop: boolean }): ExtraRuns {
  const at = (name: string) => path.join(dir, name);
  ff(['train', '--preset', 'recurrent-quick', '--seed', '5', ...TINY, '--out', at('recurrent')]);
  ff(['train', '--preset', 'mnist-conv-quick', '--seed', '6', ...TINY_CONV, '--train-subset', '300', '--out', at('mnist-conv')]);
  const runs: ExtraRuns = { recurrent: at('recurrent'), mnistConv: at('mnist-conv') };
  if (have.cifar) {
    ff(['train', '--preset', 'cifar-ff-2', '--seed', '7', ...TINY_CIFAR, '--out', at('cifar-local')]);
    ff(['train', '--preset', 'cifar-conv-quick', '--seed', '8', ...TINY_CONV, '--train-subset', '200', '--out', at('cifar-conv')]);
    Object.assign(runs, { cifarLocal: at('cifar-local'), cifarConv: at('cifar-conv') });
  }
  if (have.aesop) {
    ff(['train', '--preset', 'aesop-quick', '--seed', '9', '--layers', '50,50', ...TINY_CIFAR, '--out', at('aesop')]);
    runs.aesop = at('aesop');
  }
  return runs;
}

export interface Host {
  url: string;
  close(): void;
}

/** `ff serve RUNS --port 0` until it prints its address (`env`: variables to change for it, e.g. FF_CIFAR_DIR). */
export async function startServe(runs: string[], env: Record<string, string> = {}): Promise<Host> {
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...runs, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ff serve printed no address: ${out}`)), 60_000);
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    server.on('exit', (code) => reject(new Error(`ff serve exited (${code}): ${out}`)));
  });
  return { url, close: () => server.kill() };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

/** dist/web as a plain static host serves it: files only, 404 otherwise, no cross-origin isolation headers. */
export async function startStaticHost(root = WEB_DIR): Promise<Host> {
  const server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(root, rel);
    if (!file.startsWith(root + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

/** Headless Chromium; `webgpu`: with navigator.gpu on SwiftShader (Vulkan on the CPU), else with no GPU at all. */
export async function launchChromium(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const gpu = opts.webgpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : ['--disable-gpu'];
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', ...gpu, '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

/** Console errors and uncaught page errors, as they happen (the list a test asserts is empty). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}

/** A full-page screenshot in test-artifacts/web/ (or $FF_ARTIFACTS_DIR/web), for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.join(process.env.FF_ARTIFACTS_DIR ?? 'test-artifacts', 'web');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Open the page at URL (with its hash) and wait until it has started. */
export async function openExplorer(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
}
