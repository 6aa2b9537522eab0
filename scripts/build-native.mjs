// Builds the optional native engine (N-API + system CBLAS) during `npm ci`. A failed build
// must never fail the install: everything still runs on the WebAssembly engine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.FF_SKIP_NATIVE === '1' || !existsSync(path.join(root, 'binding.gyp'))) process.exit(0);

// Prefer the node-gyp that ships with npm (on PATH inside npm scripts), else npm's own copy.
function nodeGypCommand() {
  const fromNpm = process.env.npm_execpath
    ? path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
    : '';
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, [fromNpm]];
  // Run directly (not from npm): the node-gyp bundled with the npm next to this node.
  const bundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) return [process.execPath, [bundled]];
  try {
    const req = createRequire(import.meta.url);
    return [process.execPath, [req.resolve('node-gyp/bin/node-gyp.js')]];
  } catch {
    return ['node-gyp', []];
  }
}

// Offline machines: use the Node headers installed with Node itself instead of downloading.
const env = { ...process.env };
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';

const [cmd, pre] = nodeGypCommand();
const r = spawnSync(cmd, [...pre, 'rebuild'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status === 0) {
  console.log('forward-forward: native engine built (CBLAS).');
} else {
  const log = path.join(root, 'build', 'native-build.log');
  try {
    const fs = await import('node:fs');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, `${r.stdout ?? ''}\n${r.stderr ?? ''}\n${r.error ?? ''}`);
  } catch {}
  console.warn(
    'forward-forward: the native engine could not be built; ff will use the WebAssembly engine (about half its speed).\n' +
      '  For the fast engine install a CBLAS (Debian/Ubuntu: apt-get install libopenblas-dev pkg-config;\n' +
      `  macOS: Xcode command-line tools) and run \`npm rebuild forward-forward\`. Build log: ${log}`,
  );
}
