// OpenBLAS picks its kernels for the CPU once, when the library loads. A build older than the
// CPU (Debian 12's 0.3.21 on Intel Emerald Rapids, for one) does not know it and falls back to
// its generic SSE3 kernels, "Prescott": products then run 3–4× slower than the CPU allows
// (docs/results.md, "OpenBLAS on a CPU it does not know"). OPENBLAS_CORETYPE names the kernels
// to use instead, but OpenBLAS reads it only at load; so the `ff` command restarts itself with
// it set (src/cli/relaunch.ts), and the library says which value to set.
// Node only (reads /proc/cpuinfo).
import { readFileSync } from 'node:fs';

/** OpenBLAS's choice for a CPU it does not recognise. */
export const OPENBLAS_FALLBACK_CORE = 'Prescott';

/** The AVX-512 subsets OpenBLAS's SkylakeX kernels use. */
const AVX512_FOR_SKYLAKEX = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

/**
 * The OPENBLAS_CORETYPE to set when OpenBLAS fell back although the CPU has AVX2 (Haswell
 * kernels) or AVX-512 (SkylakeX), else undefined: a recognised CPU keeps OpenBLAS's own choice.
 */
export function betterBlasCore(core: string, cpuFlags: ReadonlySet<string>): string | undefined {
  if (core !== OPENBLAS_FALLBACK_CORE) return undefined;
  if (AVX512_FOR_SKYLAKEX.every((f) => cpuFlags.has(f))) return 'SkylakeX';
  if (cpuFlags.has('avx2') && cpuFlags.has('fma')) return 'Haswell';
  return undefined;
}

/** The CPU's feature flags as the kernel reports them (Linux), else an empty set. */
export function cpuFlags(cpuinfo = '/proc/cpuinfo'): Set<string> {
  let text: string;
  try {
    text = readFileSync(cpuinfo, 'utf8');
  } catch {
    return new Set();
  }
  const line = /^flags\s*:(.*)$/m.exec(text);
  return new Set(line ? line[1].trim().split(/\s+/) : []);
}

/**
 * When OpenBLAS runs its fallback kernels on a CPU that has better ones and the user has not
 * chosen (OPENBLAS_CORETYPE unset): the value to set. `blasCore` is the addon's blasCore().
 */
export function blasCoreAdvice(blasCore: string, env: NodeJS.ProcessEnv = process.env, flags: ReadonlySet<string> = cpuFlags()): string | undefined {
  if (env.OPENBLAS_CORETYPE !== undefined) return undefined;
  return betterBlasCore(blasCore, flags);
}
