// `node --import tsx --import ./register.mjs main.mts`: runs main as in a browser, as far as
// src/ can tell: no Node built-in modules (hooks.mjs), no Buffer, no setImmediate, and reading
// `process` from a file under src/ throws. Used by test/train/node-free-core.test.ts.
import { register } from 'node:module';

const srcUrl = new URL('../../../src/', import.meta.url).href;
register('./hooks.mjs', import.meta.url, { data: { srcUrl } });

delete globalThis.Buffer;
delete globalThis.setImmediate;
delete globalThis.clearImmediate;

// `process` cannot go (Node and tsx need it), so it is refused to callers in src/ only.
const srcPath = new URL(srcUrl).pathname;
const realProcess = globalThis.process;
Object.defineProperty(globalThis, 'process', {
  configurable: true,
  get() {
    const caller = new Error().stack?.split('\n')[2] ?? '';
    if (caller.includes(srcUrl) || caller.includes(srcPath)) throw new Error(`process used by the core: ${caller.trim()}`);
    return realProcess;
  },
});
