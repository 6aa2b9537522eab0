// OpenBLAS on a CPU it does not know runs its fallback kernels (Prescott), 3–4× slower; `ff`
// then starts itself again with OPENBLAS_CORETYPE set (src/cli/relaunch.ts). Tested here:
// which CPUs get which kernels, the restart itself (arguments, exit code, signals), and `ff
// engine` on this machine, which must never report the fallback on a CPU with AVX2.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { betterBlasCore, blasCoreAdvice, cpuFlags } from '../../src/engine/blas-kernels.js';
import { loadNativeEngine } from '../../src/engine/native-backend.js';

const AVX2 = new Set(['sse3', 'avx', 'avx2', 'fma']);
const AVX512 = new Set([...AVX2, 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl']);

test('the fallback on an AVX-512 CPU gets SkylakeX, on an AVX2 one Haswell; anything else keeps its kernels', () => {
  assert.equal(betterBlasCore('Prescott', AVX512), 'SkylakeX');
  assert.equal(betterBlasCore('Prescott', AVX2), 'Haswell');
  assert.equal(betterBlasCore('Prescott', new Set(['avx512f', 'avx2'])), undefined, 'AVX-512F alone and AVX2 without FMA: no better kernels known');
  assert.equal(betterBlasCore('Prescott', new Set(['sse3'])), undefined, 'a CPU that is Prescott-class');
  for (const core of ['Haswell', 'SkylakeX', 'Zen', 'Cooperlake', ''])
    assert.equal(betterBlasCore(core, AVX512), undefined, `OpenBLAS's own choice ${core || '(not OpenBLAS)'} stays`);
});

test("a user's OPENBLAS_CORETYPE is never overridden, even Prescott", () => {
  assert.equal(blasCoreAdvice('Prescott', {}, AVX512), 'SkylakeX');
  assert.equal(blasCoreAdvice('Prescott', { OPENBLAS_CORETYPE: 'Prescott' }, AVX512), undefined);
  assert.equal(blasCoreAdvice('Prescott', { OPENBLAS_CORETYPE: '' }, AVX512), undefined);
});

test('cpuFlags reads the flags line of /proc/cpuinfo (the first CPU), and is empty without one', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-cpuinfo-'));
  try {
    const file = path.join(dir, 'cpuinfo');
    writeFileSync(file, 'processor\t: 0\nmodel\t\t: 207\nflags\t\t: fpu sse3 avx2 fma avx512f\nbugs\t\t: spectre\n\nprocessor\t: 1\nflags\t\t: fpu\n');
    assert.deepEqual([...cpuFlags(file)], ['fpu', 'sse3', 'avx2', 'fma', 'avx512f']);
    assert.equal(cpuFlags(path.join(dir, 'missing')).size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const CHILD = ['--import', 'tsx', 'test/helpers/relaunch-child.ts'];

test('relaunch: the second process gets the same arguments and the new variable; its exit code is the first one\'s', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, [...CHILD, '7', 'two words', '--flag'], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 7, r.stderr);
  const line = JSON.parse(r.stdout.trim().split('\n')[0]) as { args: string[]; pid: number };
  assert.deepEqual(line.args, ['two words', '--flag']);
  assert.equal(spawnSync(process.execPath, [...CHILD, '0'], { encoding: 'utf8', timeout: 50_000 }).status, 0);
});

test('relaunch: SIGTERM to the first process reaches the second, which stops as it would have', { timeout: 60_000 }, async () => {
  const p = spawn(process.execPath, [...CHILD, 'wait'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.setEncoding('utf8');
  const started = new Promise<void>((resolve) => p.stdout.on('data', (d: string) => ((out += d), out.includes('\n') && resolve())));
  await started;
  const secondPid = (JSON.parse(out.split('\n')[0]) as { pid: number }).pid;
  assert.notEqual(secondPid, p.pid, 'a second process');
  p.kill('SIGTERM');
  const [code] = (await new Promise((resolve) => p.on('close', (...a) => resolve(a)))) as [number | null];
  assert.match(out, /second process got SIGTERM/);
  assert.equal(code, 143);
  assert.throws(() => process.kill(secondPid, 0), /ESRCH/, 'the second process is gone');
});

test('relaunch: a second process killed by a signal kills the first with the same signal', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, [...CHILD, 'die'], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.signal, 'SIGKILL');
});

const native = loadNativeEngine().engine;
const openblas = typeof native?.addon.blasCore === 'function' && native.addon.blasCore() !== '';

function ffEngine(env: NodeJS.ProcessEnv) {
  const clean = { ...process.env };
  for (const k of ['OPENBLAS_CORETYPE', 'FF_OPENBLAS_FALLBACK', 'FF_ENGINE', 'FF_NATIVE_PATH']) delete clean[k];
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'engine'], { encoding: 'utf8', timeout: 60_000, env: { ...clean, ...env } });
}

test('ff engine here: never the fallback kernels on a CPU with AVX2 (ff starts again with better ones)', { timeout: 90_000, skip: !openblas && 'no native engine on OpenBLAS' }, () => {
  const r = ffEngine({});
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^native engine: OpenBLAS [\d.]+, \w+ kernels/);
  const flags = cpuFlags();
  if (flags.has('avx2') && flags.has('fma')) assert.doesNotMatch(r.stdout, /Prescott kernels/);
  assert.equal(r.stderr, '', 'the restart is silent');
});

test('ff engine with OPENBLAS_CORETYPE set: those kernels, no restart', { timeout: 90_000, skip: !openblas && 'no native engine on OpenBLAS' }, () => {
  const r = ffEngine({ OPENBLAS_CORETYPE: 'Prescott' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /, Prescott kernels \(OPENBLAS_CORETYPE=Prescott\), /);
  assert.equal(ffEngine({ FF_ENGINE: 'js' }).stdout.trim(), 'js engine');
});
