import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { saveCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { divergingColor } from '../../src/viz/colormap.js';
import { fieldWeightsFromCheckpoint, GAP_COLOR, orderUnits, renderFields } from '../../src/viz/fields.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ff-fields-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** A checkpoint-like object whose layer1.weight is [H·W inputs, units], input i → unit j at i·units + j. */
function fakeCheckpoint(algo: string, H: number, W: number, units: number, N: number, weight: (i: number, j: number) => number): Checkpoint {
  const D = H * W;
  const data = new Float32Array(D * units);
  for (let i = 0; i < D; i++) for (let j = 0; j < units; j++) data[i * units + j] = weight(i, j);
  const tensors: Checkpoint['tensors'] = new Map();
  tensors.set('layer1.weight', { shape: [D, units], data });
  tensors.set('layer1.peer_mean', { shape: [1, units], data: Float32Array.from({ length: units }, (_, j) => j / units) });
  return { algo, config: { dataset: 'mnist' }, state: { shape: { height: H, width: W, channels: 1, numClasses: N } }, tensors };
}

/** A sign pattern with no structure the renderer could get right by accident. */
const signOf = (i: number, j: number) => (((i * 7 + j * 3) % 5) % 2 === 0 ? 1 : -1);
const weightOf = (i: number, j: number) => signOf(i, j) * (0.05 + ((i * 13 + j) % 11) / 10);

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const o = (y * png.width + x) * 4;
  return [png.data[o], png.data[o + 1], png.data[o + 2]];
}

test('the PNG decodes to the expected size for a number of units', () => {
  const ck = fakeCheckpoint('ff', 28, 28, 150, 10, weightOf);
  const fw = fieldWeightsFromCheckpoint(ck);
  // 100 units, scale 3: 10 × 10 tiles of 84 × (84 + 3 + 9) px, 3-px gaps around and between.
  let png = PNG.sync.read(renderFields(fw, { units: 100 }).png);
  assert.equal(png.width, 3 + 10 * (84 + 3));
  assert.equal(png.height, 3 + 10 * (84 + 3 + 9 + 3));
  // 7 units at scale 2: 3 columns (⌈√7⌉) × 3 rows of 56 × (56 + 2 + 6).
  png = PNG.sync.read(renderFields(fw, { units: 7, scale: 2 }).png);
  assert.equal(png.width, 2 + 3 * (56 + 2));
  assert.equal(png.height, 2 + 3 * (56 + 2 + 6 + 2));
  // A backprop checkpoint has no label strip: tiles are square.
  const bp = fieldWeightsFromCheckpoint(fakeCheckpoint('bp', 28, 28, 150, 10, weightOf));
  assert.equal(bp.labelPixels, 0);
  png = PNG.sync.read(renderFields(bp, { units: 16, scale: 2 }).png);
  assert.equal(png.width, 2 + 4 * (56 + 2));
  assert.equal(png.height, 2 + 4 * (56 + 2));
});

test('each tile pixel is red for a positive weight and blue for a negative one; label cells too', () => {
  const H = 6;
  const W = 5;
  const N = 3;
  const U = 7;
  const ck = fakeCheckpoint('ff', H, W, U, N, weightOf);
  const { png: bytes, layout } = renderFields(fieldWeightsFromCheckpoint(ck), { units: 5, sort: 'index', scale: 3, columns: 3 });
  const png = PNG.sync.read(bytes);
  assert.equal(png.width, layout.imageWidth);
  assert.equal(png.height, layout.imageHeight);
  assert.deepEqual(layout.units, [0, 1, 2, 3, 4]);
  // The geometry by hand for one pixel: tile 0 starts at the 3-px gap; (row 2, col 3) is 3 px per weight.
  assert.deepEqual(layout.pixel(0, 0, 2, 3), { x: 3 + 3 * 3, y: 3 + 2 * 3 });
  // Tile 4 is in row 1, column 1 of a 3-column grid.
  const tileH = H * 3 + 3 + 3 * 3;
  assert.deepEqual(layout.pixel(4, 0, 0, 0), { x: 3 + (W * 3 + 3), y: 3 + (tileH + 3) });

  for (let tile = 0; tile < 5; tile++) {
    const j = layout.units[tile];
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const i = r * W + c;
        const { x, y } = layout.pixel(tile, 0, r, c);
        const [R, G, B] = pixel(png, x + 1, y + 1);
        if (i < N) {
          assert.deepEqual([R, G, B], GAP_COLOR, `label pixel ${i} is blanked in tile ${tile}`);
        } else if (signOf(i, j) > 0) {
          assert.ok(R > B, `unit ${j} pixel ${i}: positive weight drawn reddish, got ${R},${G},${B}`);
        } else {
          assert.ok(B > R, `unit ${j} pixel ${i}: negative weight drawn bluish, got ${R},${G},${B}`);
        }
      }
    }
    for (let k = 0; k < N; k++) {
      const cell = layout.labelCell(tile, k)!;
      const [R, , B] = pixel(png, cell.x + Math.floor(cell.w / 2), cell.y + 1);
      assert.ok(signOf(k, j) > 0 ? R > B : B > R, `unit ${j} label ${k}`);
    }
  }
  // The largest |weight| of a unit's image gets the map's end colour.
  const j = layout.units[0];
  let best = N;
  for (let i = N; i < H * W; i++) if (Math.abs(weightOf(i, j)) > Math.abs(weightOf(best, j))) best = i;
  const at = layout.pixel(0, 0, Math.floor(best / W), best % W);
  assert.deepEqual(pixel(png, at.x, at.y), divergingColor(Math.sign(weightOf(best, j))));
});

test('weights stored [units, inputs] are transposed; sorting; one-line errors', () => {
  const ck = fakeCheckpoint('ff', 4, 4, 3, 2, weightOf);
  const t = ck.tensors.get('layer1.weight')!;
  const transposed = new Float32Array(t.data.length);
  for (let i = 0; i < 16; i++) for (let j = 0; j < 3; j++) transposed[j * 16 + i] = t.data[i * 3 + j];
  const ck2: Checkpoint = { ...ck, tensors: new Map([['layer1.weight', { shape: [3, 16], data: transposed }]]) };
  assert.deepEqual(Array.from(fieldWeightsFromCheckpoint(ck2).data), Array.from(t.data));

  const fw = fieldWeightsFromCheckpoint(ck);
  assert.deepEqual(orderUnits(fw, 'index'), [0, 1, 2]);
  assert.deepEqual(orderUnits(fw, 'peer'), [2, 1, 0]); // peer means j/units: most active first
  const rms = orderUnits(fw, 'rms');
  const ss = (j: number) => Array.from({ length: 16 }, (_, i) => weightOf(i, j) ** 2).reduce((a, b) => a + b);
  assert.ok(ss(rms[0]) >= ss(rms[1]) && ss(rms[1]) >= ss(rms[2]));

  const oneLine = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof Error && !e.message.includes('\n') && re.test(e.message));
  oneLine(() => fieldWeightsFromCheckpoint(ck, 2), /only layer 1/);
  oneLine(() => renderFields(fw, { units: 4 }), /only 3 units/);
  oneLine(() => renderFields(fw, { units: 0 }), /positive integer/);
  oneLine(() => renderFields({ ...fw, peerMeans: undefined }, { sort: 'peer' }), /peer/);
});

test('ff show-fields: writes the PNG; one-line errors for a missing dir, bad --units, --layer 2', () => {
  const dir = path.join(tmp, 'run');
  saveCheckpoint(dir, fakeCheckpoint('ff', 28, 28, 40, 10, weightOf));
  const ff = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'show-fields', ...args], { cwd: ROOT, encoding: 'utf8' });

  const out = path.join(tmp, 'fields.png');
  const ok = ff(dir, '--units', '9', '--out', out, '--sort', 'peer');
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(existsSync(out));
  const png = PNG.sync.read(readFileSync(out));
  assert.equal(png.width, 3 + 3 * (84 + 3));
  // Without --out the picture goes beside the checkpoint, not into the current directory.
  const beside = ff(dir, '--units', '4');
  assert.equal(beside.status, 0, beside.stderr);
  assert.ok(existsSync(path.join(dir, 'fields.png')));
  assert.match(beside.stdout, /^wrote .*run\/fields\.png: 4 of 40/);

  const errors: [string[], RegExp][] = [
    [[path.join(tmp, 'nope')], /no such run directory/],
    [[dir, '--units', 'many'], /--units must be an integer/],
    [[dir, '--units', '0'], /--units must be an integer ≥ 1, got '0'/],
    [[dir, '--units', '41'], /only 40 units/],
    [[dir, '--layer', '2'], /only layer 1 has image-shaped receptive fields/],
  ];
  for (const [args, re] of errors) {
    const r = ff(...args, '--out', path.join(tmp, 'x.png'));
    assert.equal(r.status, 1, `${args.join(' ')}: exit 1`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], re);
  }
});
