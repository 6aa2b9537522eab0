// Runs every test/**/*.test.ts with Node's own test runner (TypeScript loaded by tsx).
// Node 20's runner cannot glob .ts files itself, so we list them here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length ? only : find('test')).sort();
// OpenBLAS on a CPU it does not know runs its slow fallback kernels; the tests run on the ones
// the ff command would restart itself with (src/cli/relaunch.ts), and without its notice.
const PROBE = "const { blasRelaunchEnv } = await import('./src/cli/relaunch.ts'); const e = blasRelaunchEnv() ?? {}; " +
  "process.stdout.write(JSON.stringify({ OPENBLAS_CORETYPE: e.OPENBLAS_CORETYPE, FF_OPENBLAS_FALLBACK: e.FF_OPENBLAS_FALLBACK }));";
const probe = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
const blasEnv = probe.status === 0 ? JSON.parse(probe.stdout) : {};
const env = { ...process.env, ...Object.fromEntries(Object.entries(blasEnv).filter(([, v]) => v !== undefined)) };
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
