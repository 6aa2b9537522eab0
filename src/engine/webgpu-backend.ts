/// <reference types="@webgpu/types" />
// The WebGPU engine: every Engine kernel as a WGSL compute shader (src/engine/webgpu/), on a
// GPUDevice from the browser's navigator.gpu or Node's `webgpu` package (webgpu-node.ts).
// Kernels are only recorded and submitted; `read` is the one place that waits for the GPU.
//
// WGSL has no double. Where a CPU engine sums or scales in double and rounds once, this engine
// works in f32, so results agree to float32 accuracy, not to the bit:
//   perturb      the hash draws are the same integers; the noise is scaled and applied in f32:
//                |got − js| ≤ 4·2⁻²⁴·(|x|·(1 + |mul·n1|) + |add·n2|)  (PERTURB_TOLERANCE)
//   smoothApply  float32 operations as specified, but a shader compiler may fuse a·b + c:
//                |got − js| ≤ 2⁻²³·(|w| + |lr|·(|state| + |weightCost·w|))
//   softmaxRows  WGSL's f32 exp is within (3 + 2|x|) ulp: |got − ref| ≤ (1e-6 + (4 + 2|x − max|)·2⁻²³)·|ref|
//   reductions   (rowPowerSum, normalizeRows, colSum, GroupNorm, the LC kernels) f32 sums in
//                another order: within the conformance suite's 1e-6·Σ|terms| on these sizes.
//   step maths   (crossEntropyGrad, rowCoefficients, groupCoefficients, peerPush; step-wgsl.ts)
//                the same operations in f32, exp/log to WGSL's accuracy; a tally sums in f32.
//   drawLabels   the same host-drawn 32-bit numbers, u = f32(draw)/2³² (24 bits): a label may
//                differ from the CPU engines' where u·total lands within f32 rounding of a
//                boundary between two labels' weights.
// col2im and the pooling kernels add in the CPU engines' order and give their bits.
import {
  checkLocalShapes,
  checkPerturbOptions,
  checkShape,
  gemmShape,
  type AdamStepOptions,
  type ChannelCopy,
  type Engine,
  type GemmOptions,
  type GroupNormGeometry,
  type LocalGeometry,
  type Mat,
  type MomentumStepOptions,
  type PatchGeometry,
  type PerturbOptions,
  type PoolGeometry,
  type RowNorm,
  type ScaleOptions,
  type SmoothStepOptions,
  type DrawLabelsOptions,
  type LabelUnits,
  type PeerOptions,
  type RowObjectiveOptions,
  type Tally,
  type DropoutOptions,
} from './engine.js';
import { dropoutScale, dropoutThreshold } from './dropout-mask.js';
import { streamKey } from './counter-hash.js';
import { checkCrossEntropyGrad, checkDropout, checkDrawLabels, checkGroupCoefficients, checkLabelUnits, checkPeerPush, checkRowCoefficients, checkTallySize, checkTallySlots } from './step-shapes.js';
import { checkMatShape } from './cpu-mat.js';
import { checkChannelCopy, checkChannelShapes, checkGroupNormEps, checkGroupNormShapes, checkPatchShapes, checkPoolShapes } from './conv-shapes.js';
import { patchOutHeight, patchOutWidth, poolOutHeight, poolOutWidth } from './conv-geometry.js';
import { GpuRunner, grid1d, gridOf, type Param, type Region } from './webgpu/gpu-runner.js';
import { fmix32, GOLDEN } from './js-backend.js';
import * as E from './webgpu/elementwise-wgsl.js';
import * as R from './webgpu/rows-wgsl.js';
import * as L from './webgpu/local-wgsl.js';
import * as C from './webgpu/conv-wgsl.js';
import { GEMM, TILE } from './webgpu/gemm-wgsl.js';
import * as S from './webgpu/step-wgsl.js';

/** perturb on this engine against the js engine's double-precision bits: relative to |x|·(1 + |mul·n1|) + |add·n2|. */
export const PERTURB_TOLERANCE = 4 * 2 ** -24;

/** A matrix in a GPU buffer: a row view or reshape shares its parent's buffer at an element offset. */
export class GpuMat implements Mat, Region {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly buffer: GPUBuffer,
    readonly offset: number,
    /** Whether dispose frees the buffer (views never do). */
    readonly owner: boolean,
  ) {}
  get length(): number {
    return this.rows * this.cols;
  }
}

function gpu(m: Mat): GpuMat {
  if (!(m instanceof GpuMat)) throw new Error('matrix belongs to a different engine');
  return m;
}

/** conv-shapes.ts's checkDisjoint for GPU matrices: the same one-line error when out and input overlap. */
function checkDisjoint(what: string, outName: string, out: Mat, inName: string, input: Mat): void {
  const o = gpu(out);
  const x = gpu(input);
  if (o.length && x.length && o.buffer === x.buffer && o.offset < x.offset + x.length && x.offset < o.offset + o.length) {
    throw new Error(`${what}: the output ${outName} must not share memory with ${inName}`);
  }
}
/** Whether two matrices start at the same element of the same buffer (an allowed in-place call). */
const same = (a: Mat, b: Mat) => gpu(a).buffer === gpu(b).buffer && gpu(a).offset === gpu(b).offset;

const u = (v: number): Param => ['u', v];
const i = (v: number): Param => ['i', v];
const f = (v: number): Param => ['f', v];

export class WebGpuEngine implements Engine {
  readonly name: string = 'webgpu';
  private readonly run: GpuRunner;

  /** @param adapter what the device runs on, for notices ("google swiftshader …"). */
  constructor(readonly device: GPUDevice, readonly adapter = '') {
    this.run = new GpuRunner(device);
  }

  zeros(rows: number, cols: number): Mat {
    checkMatShape(rows, cols);
    return new GpuMat(rows, cols, this.run.storage(rows * cols), 0, true);
  }

  fromArray(data: Float32Array | number[], rows: number, cols: number): Mat {
    if (data.length !== rows * cols) throw new Error(`fromArray: ${data.length} values cannot fill ${rows}×${cols}`);
    const m = this.zeros(rows, cols) as GpuMat;
    this.run.write(m, data instanceof Float32Array ? data : Float32Array.from(data));
    return m;
  }

  write(m: Mat, data: Float32Array): void {
    const g = gpu(m);
    if (data.length !== g.length) throw new Error(`write: ${data.length} values cannot fill ${m.rows}×${m.cols}`);
    this.run.write(g, data);
  }

  read(m: Mat): Promise<Float32Array> {
    return this.run.read(gpu(m));
  }

  copy(src: Mat, dst: Mat): void {
    checkShape('copy', dst, src.rows, src.cols);
    const n = src.rows * src.cols;
    this.run.run('copy', E.COPY, [gpu(src)], [gpu(dst)], grid1d(n), ([s, o]) => [u(n), u(s), u(o)]);
  }

  fill(m: Mat, value: number): void {
    const g = gpu(m);
    this.run.run('fill', E.FILL, [], [g], grid1d(g.length), ([o]) => [u(g.length), u(o), f(value)]);
  }

  dispose(m: Mat): void {
    const g = gpu(m);
    if (g.owner) this.run.destroy(g.buffer);
  }

  rowView(m: Mat, start: number, count: number): Mat {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > m.rows) {
      throw new Error(`rowView: rows [${start}, ${start + count}) outside 0..${m.rows}`);
    }
    const g = gpu(m);
    return new GpuMat(count, m.cols, g.buffer, g.offset + start * m.cols, false);
  }

  reshape(m: Mat, rows: number, cols: number): Mat {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || rows * cols !== m.rows * m.cols) {
      throw new Error(`reshape: ${m.rows}×${m.cols} cannot be read as ${rows}×${cols}`);
    }
    const g = gpu(m);
    return new GpuMat(rows, cols, g.buffer, g.offset, false);
  }

  gemm(a: Mat, b: Mat, c: Mat, opts: GemmOptions = {}): void {
    const { transA, transB, alpha, beta, m, n, k } = gemmShape(a, b, c, opts);
    const groups: [number, number] = [Math.ceil(n / TILE), Math.ceil(m / TILE)];
    this.run.run('gemm', GEMM, [gpu(a), gpu(b)], [gpu(c)], groups, ([oa, ob, oc]) =>
      [u(m), u(n), u(k), u(oa), u(ob), u(oc), u(transA ? 1 : 0), u(transB ? 1 : 0), f(alpha), f(beta)]);
  }

  localForward(x: Mat, w: Mat, y: Mat, g: LocalGeometry, opts: ScaleOptions = {}): void {
    checkLocalShapes('localForward', x, w, y, g);
    this.local('localForward', L.LOCAL_FORWARD, x, w, y, g, x.rows, opts);
  }

  localWeightGrad(x: Mat, dy: Mat, dw: Mat, g: LocalGeometry, opts: ScaleOptions = {}): void {
    checkLocalShapes('localWeightGrad', x, dy, dw, g);
    this.local('localWeightGrad', L.LOCAL_WEIGHT_GRAD, x, dy, dw, g, x.rows, opts);
  }

  localInputGrad(dy: Mat, w: Mat, dx: Mat, g: LocalGeometry, opts: ScaleOptions = {}): void {
    checkLocalShapes('localInputGrad', dy, w, dx, g);
    this.local('localInputGrad', L.LOCAL_INPUT_GRAD, dy, w, dx, g, dy.rows, opts);
  }

  private local(name: string, code: string, a: Mat, b: Mat, out: Mat, g: LocalGeometry, rows: number, { alpha = 1, beta = 0 }: ScaleOptions): void {
    const n = out.rows * out.cols;
    this.run.run(name, code, [gpu(a), gpu(b)], [gpu(out)], grid1d(n), ([oa, ob, oo]) =>
      [u(n), u(rows), i(g.height), i(g.width), i(g.inChannels), i(g.outChannels), i(g.window), u(oa), u(ob), u(oo), f(alpha), f(beta)]);
  }

  // ---- convolution ------------------------------------------------------------------------
  im2col(x: Mat, cols: Mat, g: PatchGeometry): void {
    checkPatchShapes('im2col', x, cols, g);
    checkDisjoint('im2col', 'cols', cols, 'x', x);
    this.conv('im2col', C.IM2COL, [x], cols, cols.rows * cols.cols, { ...g, ho: patchOutHeight(g), wo: patchOutWidth(g) }, 1, 0);
  }

  col2im(cols: Mat, x: Mat, g: PatchGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkPatchShapes('col2im', x, cols, g);
    checkDisjoint('col2im', 'x', x, 'cols', cols);
    this.conv('col2im', C.COL2IM, [cols], x, x.rows * x.cols, { ...g, ho: patchOutHeight(g), wo: patchOutWidth(g) }, Math.fround(alpha), Math.fround(beta));
  }

  maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    checkPoolShapes('maxPoolForward', [['x', x]], [['y', y]], g);
    checkDisjoint('maxPoolForward', 'y', y, 'x', x);
    this.conv('maxPoolForward', C.MAX_POOL_FORWARD, [x], y, y.rows * y.cols, this.pool(g), 1, 0);
  }

  maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void {
    checkPoolShapes('maxPoolBackward', [['x', x], ['dx', dx]], [['dy', dy]], g);
    checkDisjoint('maxPoolBackward', 'dx', dx, 'x', x);
    checkDisjoint('maxPoolBackward', 'dx', dx, 'dy', dy);
    this.conv('maxPoolBackward', C.MAX_POOL_BACKWARD, [x, dy], dx, dx.rows * dx.cols, this.pool(g), 1, 0);
  }

  avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    checkPoolShapes('avgPoolForward', [['x', x]], [['y', y]], g);
    checkDisjoint('avgPoolForward', 'y', y, 'x', x);
    this.conv('avgPoolForward', C.AVG_POOL_FORWARD, [x], y, y.rows * y.cols, this.pool(g), Math.fround(1 / (g.window * g.window)), 0);
  }

  avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void {
    checkPoolShapes('avgPoolBackward', [['dx', dx]], [['dy', dy]], g);
    checkDisjoint('avgPoolBackward', 'dx', dx, 'dy', dy);
    this.conv('avgPoolBackward', C.AVG_POOL_BACKWARD, [dy], dx, dx.rows * dx.cols, this.pool(g), Math.fround(1 / (g.window * g.window)), 0);
  }

  private pool(g: PoolGeometry) {
    return { height: g.height, width: g.width, channels: g.channels, kernel: g.window, stride: g.stride, padding: 0, ho: poolOutHeight(g), wo: poolOutWidth(g) };
  }

  private conv(name: string, code: string, inputs: Mat[], out: Mat, n: number, g: PatchGeometry & { ho: number; wo: number }, alpha: number, beta: number): void {
    this.run.run(name, code, inputs.map(gpu), [gpu(out)], grid1d(n), (off) => {
      const [oa, ob, oo] = inputs.length === 1 ? [off[0], 0, off[1]] : off;
      return [u(n), i(g.height), i(g.width), i(g.channels), i(g.kernel), i(g.stride), i(g.padding), i(g.ho), i(g.wo), u(oa), u(ob), u(oo), f(alpha), f(beta)];
    });
  }

  groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void {
    const rows = checkGroupNormShapes('groupNormForward', [['x', x], ['y', y]], stats, g);
    checkGroupNormEps(eps);
    checkDisjoint('groupNormForward', 'stats', stats, 'x', x);
    checkDisjoint('groupNormForward', 'stats', stats, 'y', y);
    if (!same(x, y)) checkDisjoint('groupNormForward', 'y', y, 'x', x);
    const n = rows * g.groups;
    this.run.run('groupNormForward', R.GROUP_NORM_FORWARD, [gpu(x)], [gpu(y), gpu(stats)], grid1d(n), ([a, b, c]) =>
      [u(n), u(g.groups), u(g.positions), u(g.channels), u(a), u(b), u(c), u(0), f(eps)]);
  }

  groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void {
    const rows = checkGroupNormShapes('groupNormBackward', [['y', y], ['dy', dy], ['dx', dx]], stats, g);
    checkDisjoint('groupNormBackward', 'dx', dx, 'stats', stats);
    if (!same(dx, dy)) checkDisjoint('groupNormBackward', 'dx', dx, 'dy', dy);
    if (!same(dx, y)) checkDisjoint('groupNormBackward', 'dx', dx, 'y', y);
    const n = rows * g.groups;
    this.run.run('groupNormBackward', R.GROUP_NORM_BACKWARD, [gpu(y), gpu(dy), gpu(stats)], [gpu(dx)], grid1d(n), ([a, b, c, d]) =>
      [u(n), u(g.groups), u(g.positions), u(g.channels), u(a), u(b), u(c), u(d), f(0)]);
  }

  toChannelsLast(x: Mat, out: Mat, channels: number): void {
    const hw = checkChannelShapes('toChannelsLast', x, out, channels);
    checkDisjoint('toChannelsLast', 'out', out, 'x', x);
    this.transpose(x, out, channels, hw);
  }

  toChannelsFirst(x: Mat, out: Mat, channels: number): void {
    const hw = checkChannelShapes('toChannelsFirst', x, out, channels);
    checkDisjoint('toChannelsFirst', 'out', out, 'x', x);
    this.transpose(x, out, hw, channels);
  }

  copyChannels(src: Mat, dst: Mat, o: ChannelCopy): void {
    const positions = checkChannelCopy(src, dst, o);
    checkDisjoint('copyChannels', 'dst', dst, 'src', src);
    const n = src.rows * positions * o.count;
    this.run.run('copyChannels', C.COPY_CHANNELS, [gpu(src)], [gpu(dst)], grid1d(n), ([s, d]) => [u(n), u(s), u(d), u(o.srcChannels), u(o.dstChannels), u(o.srcStart), u(o.dstStart), u(o.count), u(o.beta)]);
  }

  private transpose(x: Mat, out: Mat, pp: number, q: number): void {
    const n = x.rows * x.cols;
    this.run.run('transposeRows', E.TRANSPOSE_ROWS, [gpu(x)], [gpu(out)], grid1d(n), ([a, o]) => [u(n), u(a), u(o), u(pp), u(q)]);
  }

  // ---- elementwise and reductions ----------------------------------------------------------
  addBias(x: Mat, bias: Mat, relu: boolean): void {
    checkShape('addBias bias', bias, 1, x.cols);
    const n = x.rows * x.cols;
    this.run.run('addBias', E.ADD_BIAS, [gpu(bias)], [gpu(x)], grid1d(n), ([b, o]) => [u(n), u(b), u(o), u(x.cols), u(relu ? 1 : 0)]);
  }

  rowPowerSum(x: Mat, out: Mat, power: 1 | 2): void {
    checkShape('rowPowerSum output', out, x.rows, 1);
    this.run.run('rowPowerSum', R.ROW_POWER_SUM, [gpu(x)], [gpu(out)], gridOf(x.rows), ([a, o]) => [u(x.rows), u(x.cols), u(a), u(o), u(power)]);
  }

  normalizeRows(x: Mat, out: Mat, mode: RowNorm, eps: number, sumSq?: Mat): void {
    checkShape('normalizeRows output', out, x.rows, x.cols);
    if (sumSq) checkShape('normalizeRows sumSq', sumSq, x.rows, 1);
    this.run.run('normalizeRows', R.NORMALIZE_ROWS, [gpu(x)], [gpu(out), sumSq ? gpu(sumSq) : null], gridOf(x.rows), ([a, o, s]) =>
      [u(x.rows), u(x.cols), u(a), u(o), u(s), u(mode === 'rms' ? 1 : 0), f(eps), u(sumSq ? 1 : 0)]);
  }

  scaleRows(y: Mat, coef: Mat, out: Mat, power: 1 | 2, beta = 0): void {
    checkShape('scaleRows coef', coef, y.rows, 1);
    checkShape('scaleRows output', out, y.rows, y.cols);
    const n = y.rows * y.cols;
    this.run.run('scaleRows', E.SCALE_ROWS, [gpu(y), gpu(coef)], [gpu(out)], grid1d(n), ([a, c, o]) =>
      [u(n), u(a), u(c), u(o), u(y.cols), u(power), f(beta)]);
  }

  addRowVector(x: Mat, v: Mat, alpha: number): void {
    checkShape('addRowVector vector', v, 1, x.cols);
    const n = x.rows * x.cols;
    this.run.run('addRowVector', E.ADD_ROW_VECTOR, [gpu(v)], [gpu(x)], grid1d(n), ([b, o]) => [u(n), u(b), u(o), u(x.cols), f(alpha)]);
  }

  colSum(x: Mat, out: Mat, alpha: number, beta: number): void {
    checkShape('colSum output', out, 1, x.cols);
    this.run.run('colSum', R.COL_SUM, [gpu(x)], [gpu(out)], grid1d(x.cols), ([a, o]) => [u(x.cols), u(x.rows), u(a), u(o), f(alpha), f(beta)]);
  }

  softmaxRows(x: Mat, out: Mat): void {
    checkShape('softmaxRows output', out, x.rows, x.cols);
    this.run.run('softmaxRows', R.SOFTMAX_ROWS, [gpu(x)], [gpu(out)], gridOf(x.rows), ([a, o]) => [u(x.rows), u(x.cols), u(a), u(o)]);
  }

  reluBackward(dy: Mat, y: Mat, out: Mat): void {
    checkShape('reluBackward y', y, dy.rows, dy.cols);
    checkShape('reluBackward output', out, dy.rows, dy.cols);
    const n = dy.rows * dy.cols;
    this.run.run('reluBackward', E.RELU_BACKWARD, [gpu(dy), gpu(y)], [gpu(out)], grid1d(n), ([d, yy, o]) => [u(n), u(d), u(yy), u(o)]);
  }

  axpby(a: number, x: Mat, b: number, y: Mat, out: Mat): void {
    checkShape('axpby y', y, x.rows, x.cols);
    checkShape('axpby output', out, x.rows, x.cols);
    const n = x.rows * x.cols;
    this.run.run('axpby', E.AXPBY, [gpu(x), gpu(y)], [gpu(out)], grid1d(n), ([ox, oy, o]) => [u(n), u(ox), u(oy), u(o), f(a), f(b)]);
  }

  multiply(x: Mat, y: Mat, out: Mat): void {
    checkShape('multiply y', y, x.rows, x.cols);
    checkShape('multiply output', out, x.rows, x.cols);
    const n = x.rows * x.cols;
    this.run.run('multiply', E.MULTIPLY, [gpu(x), gpu(y)], [gpu(out)], grid1d(n), ([ox, oy, o]) => [u(n), u(ox), u(oy), u(o)]);
  }

  perturb(x: Mat, out: Mat, o: PerturbOptions): void {
    checkShape('perturb output', out, x.rows, x.cols);
    checkPerturbOptions(o);
    const n = x.rows * x.cols;
    this.run.run('perturb', E.PERTURB, [gpu(x)], [gpu(out)], grid1d(n), ([a, b]) => [u(n), u(a), u(b), u(fmix32(fmix32((o.seed ^ GOLDEN) >>> 0) ^ o.stream)), f(o.mul), f(o.add)]);
  }

  // ---- optimizers ---------------------------------------------------------------------------
  smoothStep(w: Mat, state: Mat, grad: Mat, o: SmoothStepOptions): void {
    const n = this.checkOptimizer('smoothStep', w, grad, state);
    this.run.run('smoothStep', E.SMOOTH_STEP, [gpu(grad)], [gpu(w), gpu(state)], grid1d(n), ([g, ow, s]) =>
      [u(n), u(g), u(ow), u(s), f(o.smoothing), f((1 - o.smoothing) * o.gradScale), f(o.lr), f(o.weightCost)]);
  }

  smoothApply(w: Mat, state: Mat, lr: number, weightCost: number): void {
    checkShape('smoothApply state', state, w.rows, w.cols);
    const W = gpu(w);
    const S = gpu(state);
    if (W.buffer === S.buffer && W.offset < S.offset + S.length && S.offset < W.offset + W.length) {
      throw new Error('smoothApply: w and state must not overlap');
    }
    const n = W.length;
    this.run.run('smoothApply', E.SMOOTH_APPLY, [S], [W], grid1d(n), ([s, ow]) => [u(n), u(s), u(ow), f(lr), f(weightCost)]);
  }

  momentumStep(w: Mat, velocity: Mat, grad: Mat, o: MomentumStepOptions): void {
    const n = this.checkOptimizer('momentumStep', w, grad, velocity);
    this.run.run('momentumStep', E.MOMENTUM_STEP, [gpu(grad)], [gpu(w), gpu(velocity)], grid1d(n), ([g, ow, v]) =>
      [u(n), u(g), u(ow), u(v), f(o.momentum), f(o.gradScale), f(o.lr), f(o.weightCost)]);
  }

  adamStep(w: Mat, m: Mat, v: Mat, grad: Mat, o: AdamStepOptions): void {
    const n = this.checkOptimizer('adamStep', w, grad, m, v);
    const c1 = 1 / (1 - Math.pow(o.beta1, o.step));
    const c2 = 1 / (1 - Math.pow(o.beta2, o.step));
    this.run.run('adamStep', E.ADAM_STEP, [gpu(grad)], [gpu(w), gpu(m), gpu(v)], grid1d(n), ([g, ow, om, ov]) =>
      [u(n), u(g), u(ow), u(om), u(ov), f(o.gradScale), f(o.lr), f(o.beta1), f(o.beta2), f(o.eps), f(c1), f(c2), f(o.weightCost), f(1 - o.beta1), f(1 - o.beta2)]);
  }

  private checkOptimizer(what: string, w: Mat, grad: Mat, ...state: Mat[]): number {
    checkShape(`${what} grad`, grad, w.rows, w.cols);
    for (const s of state) checkShape(`${what} state`, s, w.rows, w.cols);
    return w.rows * w.cols;
  }

  // FF's per-minibatch maths (step-wgsl.ts; the reference is step-maths.ts).
  tally(size: number): Tally {
    checkTallySize(size);
    return new GpuTally(size, this.run.storage(size));
  }

  async readTally(t: Tally): Promise<Float64Array> {
    return Float64Array.from(await this.run.read(gpuTally(t)));
  }

  addTally(t: Tally, from: number, to: number, count: number, divisor: number): void {
    checkTallySlots('addTally', t, from, count);
    checkTallySlots('addTally', t, to, count);
    this.run.run('addTally', S.TALLY_ADD, [], [gpuTally(t)], [1, 1], ([o]) => [u(count), u(from), u(to), u(o), f(divisor)]);
  }

  clearTally(t: Tally, at: number, count: number): void {
    checkTallySlots('clearTally', t, at, count);
    const g = gpuTally(t);
    this.run.run('fill', E.FILL, [], [{ buffer: g.buffer, offset: at, length: count }], grid1d(count), ([o]) => [u(count), u(o), f(0)]);
  }

  crossEntropyGrad(probs: Mat, labels: Mat, grad: Mat, t: Tally, at: number): void {
    checkCrossEntropyGrad(probs, labels, grad, t, at);
    this.run.run('crossEntropyGrad', S.CROSS_ENTROPY_GRAD, [gpu(probs), gpu(labels)], [gpu(grad), gpuTally(t)], [1, 1], ([a, b, c, d]) => [u(probs.rows), u(probs.cols), u(a), u(b), u(c), u(d), u(at)]);
  }

  drawLabels(probs: Mat, truth: Mat, draws: Uint32Array, out: Mat, o: DrawLabelsOptions): void {
    checkDrawLabels(probs, truth, draws, out, o);
    // The draws' bits go up as they are (bound as array<u32>).
    const d = this.drawBuffer(draws.length);
    this.run.write(d, new Float32Array(draws.buffer, draws.byteOffset, draws.length));
    this.run.run('drawLabels', S.DRAW_LABELS, [gpu(probs), gpu(truth), d], [gpu(out)], [1, 1], ([a, b, , c]) => [u(probs.rows), u(probs.cols), u(a), u(b), u(c), u(o.rule === 'hard' ? 1 : 0), f(o.temperature)]);
  }

  setLabelUnits(x: Mat, labels: Mat, lu: LabelUnits): void {
    checkLabelUnits(x, labels, lu);
    this.run.run('setLabelUnits', S.SET_LABEL_UNITS, [gpu(labels)], [gpu(x)], grid1d(x.rows), ([a, b]) => [u(x.rows), u(x.cols), u(b), u(a), u(lu.offset), u(lu.stride), u(lu.count), f(lu.strength)]);
  }

  rowCoefficients(g: Mat, coef: Mat, o: RowObjectiveOptions, t: Tally, at: number): void {
    checkRowCoefficients(g, coef, o, t, at);
    this.run.run('rowCoefficients', S.ROW_COEFFICIENTS, [gpu(g)], [gpu(coef), gpuTally(t)], [1, 1], ([a, b, c]) => [
      u(o.positives), u(o.negatives), u(a), u(b), u(c), u(at), u(o.loss === 'symba' ? 1 : 0),
      f(o.sign), f(o.temperature), f(o.threshold), f(o.alpha), f(o.goodnessDivisor), f(o.goodnessScale), f(o.dGdy),
    ]);
  }

  groupCoefficients(G: Mat, labels: Mat, coef: Mat, temperature: number, dGdy: number, t: Tally, at: number): void {
    checkGroupCoefficients(G, labels, coef, t, at);
    this.run.run('groupCoefficients', S.GROUP_COEFFICIENTS, [gpu(G), gpu(labels)], [gpu(coef), gpuTally(t)], [1, 1], ([a, b, c, d]) => [u(G.rows), u(G.cols), u(a), u(b), u(c), u(d), u(at), f(temperature), f(dGdy)]);
  }

  peerPush(colSum: Mat, means: Mat, push: Mat, o: PeerOptions): void {
    checkPeerPush(colSum, means, push, o);
    this.run.run('peerPush', S.PEER_PUSH, [gpu(colSum)], [gpu(means), gpu(push)], [1, 1], ([a, b, c]) => [u(colSum.cols), u(a), u(b), u(c), f(o.rows), f(o.decay), f(o.lambda)]);
  }

  dropout(x: Mat, o: DropoutOptions): void {
    checkDropout(x, o);
    const n = x.rows * x.cols;
    this.run.run('dropout', S.DROPOUT, [], [gpu(x)], grid1d(n), ([a]) => [u(n), u(a), u(o.offset), u(streamKey(o.seed, o.stream)), u(dropoutThreshold(o.rate)), f(dropoutScale(o.rate))]);
  }

    private readonly drawBuffers = new Map<number, Region>();
  /** A buffer for `n` draws, kept per size (a write lands in queue order, after earlier kernels). */
  private drawBuffer(n: number): Region {
    let r = this.drawBuffers.get(n);
    if (!r) this.drawBuffers.set(n, (r = { buffer: this.run.storage(n), offset: 0, length: n }));
    return r;
  }
}

/** A tally on the GPU: f32 sums in a storage buffer. */
class GpuTally implements Tally, Region {
  readonly offset = 0;
  constructor(
    readonly size: number,
    readonly buffer: GPUBuffer,
  ) {}
  get length(): number {
    return this.size;
  }
}

function gpuTally(t: Tally): GpuTally {
  if (!(t instanceof GpuTally)) throw new Error('tally belongs to a different engine');
  return t;
}
