// The WebGPU engine in Node: a GPUDevice from the optional `webgpu` package (Google's Dawn,
// prebuilt in the npm tarball). Node only (select.ts uses it; the browser hands WebGpuEngine
// the device from navigator.gpu). Without a GPU, Dawn finds SwiftShader (a CPU Vulkan) when
// VK_ICD_FILENAMES names its ICD file, which Debian's chromium package ships: slow, but the
// same WGSL, which is how the conformance suite runs on machines without a GPU.
import { existsSync, readdirSync } from 'node:fs';
import { WebGpuEngine } from './webgpu-backend.js';

/** Where Debian's chromium package puts SwiftShader's Vulkan ICD file. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** SwiftShader's ICD file when it is installed, else undefined. */
export function swiftShaderIcd(): string | undefined {
  return existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined;
}

/** Dawn's instances: one collected by the GC takes its devices down with it (crashes, hangs). */
const instances: GPU[] = [];

/** Where the Vulkan loader looks for drivers' ICD files on Linux when no variable names them. */
function icdDirs(env: Record<string, string | undefined>): string[] {
  const config = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const data = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const home = env.HOME ? [`${env.HOME}/.local/share`] : [];
  return [...config, '/etc', ...data, ...home].filter(Boolean).map((d) => `${d}/vulkan/icd.d`);
}

/**
 * On Linux, Dawn reaches the GPU through Vulkan: a missing driver is found here, before Dawn
 * prints its own multi-line warnings about it, so the error stays one line. Else undefined.
 */
export function linuxVulkanProblem(env: Record<string, string | undefined> = process.env, platform = process.platform): string | undefined {
  if (platform !== 'linux') return undefined;
  for (const name of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES'] as const) {
    const named = env[name];
    if (!named) continue;
    const missing = named.split(':').filter((f) => f && !existsSync(f));
    return missing.length ? `${name} names ${missing.join(', ')}, which does not exist` : undefined;
  }
  if (env.VK_ADD_DRIVER_FILES) return undefined;
  const dirs = icdDirs(env);
  const hasIcd = dirs.some((d) => {
    try {
      return readdirSync(d).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
  return hasIcd ? undefined : `no Vulkan driver (no ICD file in ${dirs.join(', ')}); without a GPU, set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (SwiftShader, from Debian's chromium package; Dawn also needs libvulkan1)`;
}

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
  const problem = linuxVulkanProblem();
  if (problem) throw new Error(`webgpu engine unavailable: ${problem}`);
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
