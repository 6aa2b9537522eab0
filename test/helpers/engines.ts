// Both engines where the native one is built (the js reference always), for tests that must
// hold on every backend.
import type { Engine } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { loadNativeEngine } from '../../src/engine/native-backend.js';
import { webgpuBackend } from './webgpu.js';

const webgpu = await webgpuBackend();

export function engines(): Engine[] {
  const out: Engine[] = [new JsEngine()];
  const native = loadNativeEngine().engine;
  if (native) out.push(native);
  return out;
}

/**
 * engines() and the WebGPU engine where it starts (SwiftShader here: slow, so for the small
 * finite-difference checks of the FF step, which must hold on every backend).
 */
export function enginesWithWebGpu(): Engine[] {
  return webgpu.engine ? [...engines(), webgpu.engine] : engines();
}
