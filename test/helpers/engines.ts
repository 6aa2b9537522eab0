// Both engines where the native one is built (the js reference always), for tests that must
// hold on every backend.
import type { Engine } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { loadNativeEngine } from '../../src/engine/native-backend.js';

export function engines(): Engine[] {
  const out: Engine[] = [new JsEngine()];
  const native = loadNativeEngine().engine;
  if (native) out.push(native);
  return out;
}
