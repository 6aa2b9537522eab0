// The WebGPU engine for the suites that must hold on every backend: in Node on whatever adapter
// Dawn finds, and on machines without one on SwiftShader when its ICD file is installed
// (Debian's chromium package). Without one the webgpu tests skip with the reason, unless
// FF_REQUIRE_WEBGPU=1 (CI) makes that a failure.
import assert from 'node:assert/strict';
import type { Engine } from '../../src/engine/engine.js';
import { createNodeWebGpuEngine, swiftShaderIcd } from '../../src/engine/webgpu-node.js';

export interface OptionalBackend {
  name: string;
  engine?: Engine;
  reason: string;
}

let started: Promise<OptionalBackend> | undefined;

/** The engine, started once per process: on the machine's own driver, else on SwiftShader where its ICD file exists. */
export function webgpuBackend(): Promise<OptionalBackend> {
  const start = async (): Promise<OptionalBackend> => ({ name: 'webgpu', engine: await createNodeWebGpuEngine(), reason: '' });
  const failed = (e: unknown): OptionalBackend => ({ name: 'webgpu', reason: e instanceof Error ? e.message : String(e) });
  started ??= start().catch(async (first: unknown) => {
    const icd = swiftShaderIcd();
    if (process.env.VK_ICD_FILENAMES || !icd) return failed(first);
    process.env.VK_ICD_FILENAMES = icd; // a fresh Dawn instance reads it
    return start().catch(failed);
  });
  return started;
}

/** In a test for an unavailable backend: fail under FF_REQUIRE_<NAME>=1, else say why it skips. */
export function requireOrSkip(b: OptionalBackend, skip: (why: string) => void): void {
  const flag = `FF_REQUIRE_${b.name.toUpperCase()}`;
  assert.notEqual(process.env[flag], '1', `${flag}=1 but ${b.reason}`);
  skip(b.reason);
}
