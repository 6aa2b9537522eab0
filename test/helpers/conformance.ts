// What the conformance suites share: every backend that can run here (native and webgpu with
// the reason they are missing, which FF_REQUIRE_NATIVE / FF_REQUIRE_WEBGPU turn into failures),
// and one test per backend, each seeing the same random inputs (seeded by the test's title).
import { test } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { loadNativeEngine } from '../../src/engine/native-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { WasmEngine } from '../../src/engine/wasm-backend.js';
import { requireOrSkip, webgpuBackend } from './webgpu.js';

export interface ConformanceBackend {
  name: string;
  engine?: Engine;
  /** Why the engine is missing (empty when it is there). */
  reason: string;
}

const native = loadNativeEngine();
export const BACKENDS: ConformanceBackend[] = [
  { name: 'js', engine: new JsEngine(), reason: '' },
  { name: 'wasm', engine: new WasmEngine(), reason: '' },
  { name: 'native', engine: native.engine, reason: `native engine unavailable: ${native.reason}` },
  await webgpuBackend(),
];

/** FNV-1a of the title: the seed of the inputs every backend sees. */
export function seedOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** One test per backend, all seeing the same random inputs (seeded by the title). */
export function conformance(title: string, body: (e: Engine, rng: Rng) => void | Promise<void>): void {
  for (const b of BACKENDS) {
    test(`${b.name}: ${title}`, async (t) => {
      if (!b.engine) {
        requireOrSkip(b, (why) => t.skip(why));
        return;
      }
      await body(b.engine, new Rng(seedOf(title)));
    });
  }
}
