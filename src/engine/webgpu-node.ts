// The WebGPU engine in Node: a GPUDevice from the optional `webgpu` package (Google's Dawn,
// prebuilt in the npm tarball). Node only (select.ts uses it; the browser hands WebGpuEngine
// the device from navigator.gpu). Without a GPU, Dawn finds SwiftShader (a CPU Vulkan) when
// VK_ICD_FILENAMES names its ICD file, which Debian's chromium package ships: slow, but the
// same WGSL, which is how the conformance suite runs on machines without a GPU.
import { existsSync } from 'node:fs';
import { WebGpuEngine } from './webgpu-backend.js';

/** Where Debian's chromium package puts SwiftShader's Vulkan ICD file. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** SwiftShader's ICD file when it is installed, else undefined. */
export function swiftShaderIcd(): string | undefined {
  return existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined;
}

/** Dawn's instances: one collected by the GC takes its devices down with it (crashes, hangs). */
const instances: GPU[] = [];

interface WebGpuPackage {
  create(options: string[]): GPU;
}

/** Load the package, find an adapter, open a device; one-line errors "webgpu engine unavailable: …". */
export async function createNodeWebGpuEngine(): Promise<WebGpuEngine> {
  const name = 'webgpu'; // a variable, so the typecheck does not need the optional package
  let pkg: WebGpuPackage;
  try {
    pkg = (await import(name)) as WebGpuPackage;
  } catch (e) {
    throw new Error(`webgpu engine unavailable: the optional webgpu package did not load (${firstLine(e)}); npm install webgpu`);
  }
  let adapter: GPUAdapter | null;
  try {
    const instance = pkg.create([]);
    instances.push(instance);
    adapter = await instance.requestAdapter();
  } catch (e) {
    throw new Error(`webgpu engine unavailable: ${firstLine(e)}`);
  }
  if (!adapter) {
    const hint = process.env.VK_ICD_FILENAMES
      ? `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES} gave none; Dawn needs the Vulkan loader, libvulkan1`
      : `without a GPU, set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (SwiftShader, from Debian's chromium package; Dawn also needs libvulkan1)`;
    throw new Error(`webgpu engine unavailable: no WebGPU adapter (${hint})`);
  }
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxBufferSize: limits.maxBufferSize },
  });
  const info = adapter.info;
  const about = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  return new WebGpuEngine(device, about);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
