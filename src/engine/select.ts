// Picks a backend: 'auto' takes the native engine when its addon loaded, else the
// pure-TypeScript one with a single notice saying how to get the fast engine.
// Node only (the addon loader, $FF_ENGINE, stderr): the core never imports this file; it is
// handed an Engine (the CLI and index.ts select one here; a browser constructs JsEngine).
import type { Engine } from './engine.js';
import { JsEngine } from './js-backend.js';
import { loadNativeEngine } from './native-backend.js';

export type EngineKind = 'auto' | 'native' | 'js';
export const ENGINE_KINDS: readonly EngineKind[] = ['auto', 'native', 'js'];

let noticeShown = false;
const cache = new Map<string, Engine>();

/** kind defaults to $FF_ENGINE, then 'auto'. Throws a one-line error for 'native' without the addon. */
export function getEngine(kind: string = process.env.FF_ENGINE || 'auto'): Engine {
  if (!ENGINE_KINDS.includes(kind as EngineKind)) {
    throw new Error(`unknown engine '${kind}' (choose ${ENGINE_KINDS.join(', ')})`);
  }
  const cached = cache.get(kind);
  if (cached) return cached;
  let engine: Engine;
  if (kind === 'js') {
    engine = new JsEngine();
  } else {
    const loaded = loadNativeEngine();
    if (loaded.engine) {
      engine = loaded.engine;
    } else if (kind === 'native') {
      throw new Error(`native engine unavailable: ${loaded.reason}`);
    } else {
      if (!noticeShown) {
        noticeShown = true;
        process.stderr.write(
          `forward-forward: using the pure-TypeScript engine (${loaded.reason}). ` +
            'For the fast engine: apt-get install libopenblas-dev pkg-config && npm rebuild forward-forward\n',
        );
      }
      engine = new JsEngine();
    }
  }
  cache.set(kind, engine);
  return engine;
}
