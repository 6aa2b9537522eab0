// `ff export` as a command: a run directory becomes an .onnx file ONNX Runtime runs, with
// the run's config as metadata; a bad run directory, an unsupported run kind, an unwritable
// --out and an unknown --format are one line each and a non-zero exit, leaving no file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { getEngine } from '../../src/engine/select.js';
import { FF_DEFAULTS } from '../../src/ff/config.js';
import { FFModel } from '../../src/ff/ff-model.js';
import { decodeModel, IR_VERSION, OPSET } from '../../src/export/onnx-proto.js';
import { exportOnnx } from '../../src/export/export-onnx.js';
import { classNamesOf } from '../../src/export/class-names.js';
import { oneLine } from '../helpers/one-line-error.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { runOnnx } from '../helpers/onnx-roundtrip.js';

const root = mkdtempSync(path.join(tmpdir(), 'ff-export-'));
const run = path.join(root, 'run');
const boxed = path.join(root, 'boxed');
const shape = { height: 28, width: 28, channels: 1, numClasses: 10 };

before(async () => {
  // Untrained runs are enough for the command: what the graph computes is tested elsewhere.
  const engine = getEngine();
  saveCheckpoint(run, await new FFModel(engine, { ...FF_DEFAULTS, layers: [24, 16] }, shape).toCheckpoint());
  saveCheckpoint(boxed, await new FFModel(engine, { ...FF_DEFAULTS, layers: [12, 12], boxAfter: 1 }, shape).toCheckpoint());
});
after(() => rmSync(root, { recursive: true, force: true }));

/** `ff ARGS` in this process: exit code and what it wrote. */
async function ff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((s: string) => ((out.stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((out.stderr += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'ff', ...args]);
    return { code, ...out };
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
}

test('ff export writes a model ONNX Runtime runs, with the run config as metadata', () => {
  const file = path.join(root, 'out', 'model.onnx');
  // The real command line once (a child process, as a user runs it).
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'export', run, '--format', 'onnx', '--out', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /model\.onnx: ff feed-forward \(dense\) run as ONNX \(opset \d+\), outputs softmax, goodness, [\d.]+ MiB\n$/);
  const bytes = readFileSync(file);
  const model = decodeModel(bytes);
  assert.equal(model.ir_version, IR_VERSION);
  assert.deepEqual(model.opset_import.map((o) => o.version), [OPSET]);
  const meta = Object.fromEntries(model.metadata_props.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta['forward-forward.config']).layers, [24, 16]);
  assert.equal(meta['forward-forward.algo'], 'ff');
  assert.deepEqual(JSON.parse(meta['forward-forward.class_names']), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  return runOnnx(bytes, new Float32Array(2 * 784).fill(0.5), 2).then((out) => {
    assert.equal(out.softmax.length, 20);
    assert.ok(Math.abs(out.softmax.subarray(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });
});

test('a bad run directory, an unsupported run kind, an unwritable --out and a bad --format: one line, exit 1', async () => {
  const out = path.join(root, 'x.onnx');
  const dirAsOut = path.join(root, 'a-directory');
  mkdirSync(dirAsOut);
  const notADir = path.join(root, 'file');
  writeFileSync(notADir, 'x');
  const cases: [string[], RegExp][] = [
    [['export', path.join(root, 'missing'), '--out', out], /missing/],
    [['export', boxed, '--out', out], /^ff: cannot export an FF run with a black box or a simulated analog chip to ONNX/],
    [['export', run, '--out', dirAsOut], /a-directory: cannot write: it is a directory/],
    [['export', run, '--out', path.join(notADir, 'model.onnx')], /file\/model\.onnx: cannot write/],
    [['export', run, '--format', 'tflite', '--out', out], /^ff: --format must be one of onnx, got tflite$/m],
    [['export', run], /required option '--out <file>'/],
  ];
  for (const [args, re] of cases) {
    const r = await ff(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run '));
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], re);
  }
  assert.equal(existsSync(out), false, 'no file written');
});

test('a net whose dense-equivalent weights exceed what one ONNX file holds is refused before they are made', async () => {
  // 128×128×3 locally-connected maps (1×1 windows: 147,456 weights) are 49,152² dense values (9 GiB).
  const shape = { height: 128, width: 128, channels: 3, numClasses: 10 };
  const cfg = { ...FF_DEFAULTS, connectivity: 'local' as const, window: 1, mapChannels: 3, layers: [49152], center: 'none' as const };
  const model = new FFModel(getEngine(), cfg, shape);
  const run = { model, config: { ...cfg }, state: {}, shape, warnings: [] };
  await assert.rejects(exportOnnx(run), (e) => oneLine(e, /^the ff feed-forward \(local\) net's weights take 9\.0 GiB as dense matrices, more than one ONNX file holds \(2 GiB\)$/));
});

test('kinds the graphs do not know (another connectivity, another algorithm) are refused in one line', async () => {
  const model = new FFModel(getEngine(), { ...FF_DEFAULTS, layers: [8] }, shape);
  const base = { model, config: { ...FF_DEFAULTS }, state: {}, shape, warnings: [] };
  await assert.rejects(exportOnnx({ ...base, config: { connectivity: 'conv' } }), (e) => oneLine(e, /^cannot export a run with --connectivity conv to ONNX$/));
  const other = Object.assign(Object.create(null), { algo: 'hebb', engine: getEngine() });
  await assert.rejects(exportOnnx({ ...base, model: other }), (e) => oneLine(e, /^cannot export a hebb run to ONNX$/));
});

test("the metadata's class names come from the dataset's name: Aesop's symbols, CIFAR-10's names, else indices", () => {
  assert.equal(classNamesOf('aesop', 30).join(''), 'abcdefghijklmnopqrstuvwxyz ,;.');
  assert.equal(classNamesOf('cifar-10', 10)[9], 'truck');
  assert.deepEqual(classNamesOf('synthetic', 3), ['0', '1', '2']);
  assert.deepEqual(classNamesOf('cifar-10', 4), ['0', '1', '2', '3'], 'a class count that does not match: indices');
  assert.deepEqual(classNamesOf('constructor', 2), ['0', '1'], 'no inherited keys');
});
