// The native engine: the same CpuMat matrices as the TypeScript engine, with every kernel
// handed to a small N-API addon (native/ff_native.c) that works on the Float32Arrays in place
// and sends matrix products to the system CBLAS (OpenBLAS / Accelerate). Memory operations
// are inherited from JsEngine; shapes are checked here, with the same messages as JsEngine,
// before anything reaches C (which checks array types and lengths once more).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  checkLocalShapes,
  checkPerturbOptions,
  checkShape,
  gemmShape,
  type AdamStepOptions,
  type GemmOptions,
  type LocalGeometry,
  type Mat,
  type MomentumStepOptions,
  type PerturbOptions,
  type RowNorm,
  type ScaleOptions,
  type SmoothStepOptions,
} from './engine.js';
import { cpu } from './cpu-mat.js';
import { type GroupNormGeometry, type PatchGeometry, type PoolGeometry } from './conv-geometry.js';
import { check } from './js-conv-ops.js';
import { packageRoot } from '../util/package-root.js';
import { JsEngine } from './js-backend.js';

type F32 = Float32Array;

/** n, height, width, channels, kernel, stride, padding. */
type PatchArgs = [n: number, height: number, width: number, channels: number, kernel: number, stride: number, padding: number];
/** n, height, width, channels, window, stride. */
type PoolArgs = [n: number, height: number, width: number, channels: number, window: number, stride: number];
type NormArgs = [n: number, positions: number, channels: number, groups: number];

type LocalArgs = [rows: number, height: number, width: number, inChannels: number, outChannels: number, window: number, alpha: number, beta: number];

/** The functions exported by build/Release/ff_native.node (see native/ff_native.c). */
export interface NativeAddon {
  /** Name and version of the BLAS it was linked against. */
  readonly blas: string;
  /** BLAS worker threads where the library reports them (OpenBLAS), else -1. */
  blasThreads(): number;
  /** OpenBLAS's kernel set for this CPU ('Haswell', 'SkylakeX', 'Prescott' = its fallback), '' for another BLAS; absent in addons built before it. */
  blasCore?(): string;
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: F32, b: F32, beta: number, c: F32): void;
  /** The locally-connected kernels: (a, b, out, rows, height, width, inChannels, outChannels, window, alpha, beta). */
  localForward(x: F32, w: F32, y: F32, ...geometryAndScale: LocalArgs): void;
  localWeightGrad(x: F32, dy: F32, dw: F32, ...geometryAndScale: LocalArgs): void;
  localInputGrad(dy: F32, w: F32, dx: F32, ...geometryAndScale: LocalArgs): void;
  /** The instruction set the LC forward and weight-gradient kernels use now (FF_LC_ISA forces one). */
  localIsa(): 'avx512' | 'avx2' | 'scalar';
  /** The convolution kernels (native/conv_napi.c; layout in conv-geometry.ts). */
  im2col(x: F32, cols: F32, ...geometry: PatchArgs): void;
  col2im(cols: F32, x: F32, ...geometryAndScale: [...PatchArgs, alpha: number, beta: number]): void;
  maxPoolForward(x: F32, y: F32, ...geometry: PoolArgs): void;
  maxPoolBackward(x: F32, dy: F32, dx: F32, ...geometry: PoolArgs): void;
  avgPoolForward(x: F32, y: F32, ...geometry: PoolArgs): void;
  avgPoolBackward(dy: F32, dx: F32, ...geometry: PoolArgs): void;
  groupNormForward(x: F32, y: F32, stats: F32, ...geometryAndEps: [...NormArgs, eps: number]): void;
  groupNormBackward(y: F32, dy: F32, stats: F32, dx: F32, ...geometry: NormArgs): void;
  /** Each of n rows, read as a p × q matrix, written transposed. */
  transposeRows(x: F32, out: F32, n: number, p: number, q: number): void;
  addBias(x: F32, rows: number, cols: number, bias: F32, relu: boolean): void;
  rowPowerSum(x: F32, rows: number, cols: number, out: F32, power: 1 | 2): void;
  normalizeRows(x: F32, rows: number, cols: number, out: F32, mode: RowNorm, eps: number, sumSq: F32): void;
  scaleRows(y: F32, rows: number, cols: number, coef: F32, out: F32, power: 1 | 2, beta: number): void;
  addRowVector(x: F32, rows: number, cols: number, v: F32, alpha: number): void;
  colSum(x: F32, rows: number, cols: number, out: F32, alpha: number, beta: number): void;
  softmaxRows(x: F32, rows: number, cols: number, out: F32): void;
  reluBackward(dy: F32, y: F32, out: F32): void;
  axpby(a: number, x: F32, b: number, y: F32, out: F32): void;
  multiply(x: F32, y: F32, out: F32): void;
  /** out = x·(1 + mul·n1) + add·n2 with noise hashed from (seed, stream, element index). */
  perturb(x: F32, out: F32, mul: number, add: number, seed: number, stream: number): void;
  smoothStep(w: F32, state: F32, grad: F32, gradScale: number, smoothing: number, lr: number, weightCost: number): void;
  smoothApply(w: F32, state: F32, lr: number, weightCost: number): void;
  momentumStep(w: F32, velocity: F32, grad: F32, gradScale: number, momentum: number, lr: number, weightCost: number): void;
  adamStep(
    w: F32, m: F32, v: F32, grad: F32,
    gradScale: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, weightCost: number,
  ): void;
}

const ADDON_FUNCTIONS = [
  'gemm', 'addBias', 'rowPowerSum', 'normalizeRows', 'scaleRows', 'addRowVector', 'colSum',
  'softmaxRows', 'reluBackward', 'axpby', 'multiply', 'perturb', 'smoothStep', 'smoothApply', 'momentumStep', 'adamStep', 'blasThreads',
  'localForward', 'localWeightGrad', 'localInputGrad', 'localIsa',
  'im2col', 'col2im', 'maxPoolForward', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'groupNormForward', 'groupNormBackward', 'transposeRows',
] as const;

/** The addon's 'no row sums wanted' (an empty array). */
const NO_SUMSQ = new Float32Array(0);

export class NativeEngine extends JsEngine {
  override readonly name: string = 'native';

  constructor(readonly addon: NativeAddon) {
    super();
  }

  override gemm(a: Mat, b: Mat, c: Mat, opts: GemmOptions = {}): void {
    const { transA, transB, alpha, beta, m, n, k } = gemmShape(a, b, c, opts);
    this.addon.gemm(transA, transB, m, n, k, alpha, cpu(a).data, cpu(b).data, beta, cpu(c).data);
  }

  override localForward(x: Mat, w: Mat, y: Mat, g: LocalGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkLocalShapes('localForward', x, w, y, g);
    this.addon.localForward(cpu(x).data, cpu(w).data, cpu(y).data, ...localArgs(x.rows, g, alpha, beta));
  }

  override localWeightGrad(x: Mat, dy: Mat, dw: Mat, g: LocalGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkLocalShapes('localWeightGrad', x, dy, dw, g);
    this.addon.localWeightGrad(cpu(x).data, cpu(dy).data, cpu(dw).data, ...localArgs(x.rows, g, alpha, beta));
  }

  override localInputGrad(dy: Mat, w: Mat, dx: Mat, g: LocalGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    checkLocalShapes('localInputGrad', dy, w, dx, g);
    this.addon.localInputGrad(cpu(dy).data, cpu(w).data, cpu(dx).data, ...localArgs(dy.rows, g, alpha, beta));
  }

  // The convolution kernels: the shared checks, then C (which checks lengths and aliasing again).
  override im2col(x: Mat, cols: Mat, g: PatchGeometry): void {
    const n = check.im2col(x, cols, g);
    this.addon.im2col(cpu(x).data, cpu(cols).data, ...patchArgs(n, g));
  }

  override col2im(cols: Mat, x: Mat, g: PatchGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    const n = check.col2im(cols, x, g);
    this.addon.col2im(cpu(cols).data, cpu(x).data, ...patchArgs(n, g), alpha, beta);
  }

  override maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    const n = check.poolForward('maxPoolForward', x, y, g);
    this.addon.maxPoolForward(cpu(x).data, cpu(y).data, ...poolArgs(n, g));
  }

  override maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void {
    const n = check.maxPoolBackward(x, dy, dx, g);
    this.addon.maxPoolBackward(cpu(x).data, cpu(dy).data, cpu(dx).data, ...poolArgs(n, g));
  }

  override avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    const n = check.poolForward('avgPoolForward', x, y, g);
    this.addon.avgPoolForward(cpu(x).data, cpu(y).data, ...poolArgs(n, g));
  }

  override avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void {
    const n = check.avgPoolBackward(dy, dx, g);
    this.addon.avgPoolBackward(cpu(dy).data, cpu(dx).data, ...poolArgs(n, g));
  }

  override groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void {
    const n = check.groupNormForward(x, y, stats, g, eps);
    this.addon.groupNormForward(cpu(x).data, cpu(y).data, cpu(stats).data, n, g.positions, g.channels, g.groups, eps);
  }

  override groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void {
    const n = check.groupNormBackward(y, dy, stats, dx, g);
    this.addon.groupNormBackward(cpu(y).data, cpu(dy).data, cpu(stats).data, cpu(dx).data, n, g.positions, g.channels, g.groups);
  }

  override toChannelsLast(x: Mat, out: Mat, channels: number): void {
    const hw = check.channels('toChannelsLast', x, out, channels);
    this.addon.transposeRows(cpu(x).data, cpu(out).data, x.rows, channels, hw);
  }

  override toChannelsFirst(x: Mat, out: Mat, channels: number): void {
    const hw = check.channels('toChannelsFirst', x, out, channels);
    this.addon.transposeRows(cpu(x).data, cpu(out).data, x.rows, hw, channels);
  }

  override addBias(x: Mat, bias: Mat, relu: boolean): void {
    checkShape('addBias bias', bias, 1, x.cols);
    this.addon.addBias(cpu(x).data, x.rows, x.cols, cpu(bias).data, relu);
  }

  override rowPowerSum(x: Mat, out: Mat, power: 1 | 2): void {
    checkShape('rowPowerSum output', out, x.rows, 1);
    this.addon.rowPowerSum(cpu(x).data, x.rows, x.cols, cpu(out).data, power);
  }

  override normalizeRows(x: Mat, out: Mat, mode: RowNorm, eps: number, sumSq?: Mat): void {
    checkShape('normalizeRows output', out, x.rows, x.cols);
    if (sumSq) checkShape('normalizeRows sumSq', sumSq, x.rows, 1);
    this.addon.normalizeRows(cpu(x).data, x.rows, x.cols, cpu(out).data, mode, eps, sumSq ? cpu(sumSq).data : NO_SUMSQ);
  }

  override scaleRows(y: Mat, coef: Mat, out: Mat, power: 1 | 2, beta = 0): void {
    checkShape('scaleRows coef', coef, y.rows, 1);
    checkShape('scaleRows output', out, y.rows, y.cols);
    this.addon.scaleRows(cpu(y).data, y.rows, y.cols, cpu(coef).data, cpu(out).data, power, beta);
  }

  override addRowVector(x: Mat, v: Mat, alpha: number): void {
    checkShape('addRowVector vector', v, 1, x.cols);
    this.addon.addRowVector(cpu(x).data, x.rows, x.cols, cpu(v).data, alpha);
  }

  override colSum(x: Mat, out: Mat, alpha: number, beta: number): void {
    checkShape('colSum output', out, 1, x.cols);
    this.addon.colSum(cpu(x).data, x.rows, x.cols, cpu(out).data, alpha, beta);
  }

  override softmaxRows(x: Mat, out: Mat): void {
    checkShape('softmaxRows output', out, x.rows, x.cols);
    this.addon.softmaxRows(cpu(x).data, x.rows, x.cols, cpu(out).data);
  }

  override reluBackward(dy: Mat, y: Mat, out: Mat): void {
    checkShape('reluBackward y', y, dy.rows, dy.cols);
    checkShape('reluBackward output', out, dy.rows, dy.cols);
    this.addon.reluBackward(cpu(dy).data, cpu(y).data, cpu(out).data);
  }

  override axpby(a: number, x: Mat, b: number, y: Mat, out: Mat): void {
    checkShape('axpby y', y, x.rows, x.cols);
    checkShape('axpby output', out, x.rows, x.cols);
    this.addon.axpby(a, cpu(x).data, b, cpu(y).data, cpu(out).data);
  }

  override multiply(x: Mat, y: Mat, out: Mat): void {
    checkShape('multiply y', y, x.rows, x.cols);
    checkShape('multiply output', out, x.rows, x.cols);
    this.addon.multiply(cpu(x).data, cpu(y).data, cpu(out).data);
  }

  override perturb(x: Mat, out: Mat, o: PerturbOptions): void {
    checkShape('perturb output', out, x.rows, x.cols);
    checkPerturbOptions(o);
    this.addon.perturb(cpu(x).data, cpu(out).data, o.mul, o.add, o.seed, o.stream);
  }

  override smoothStep(w: Mat, state: Mat, grad: Mat, o: SmoothStepOptions): void {
    const [W, G, S] = this.optimizerArrays('smoothStep', w, grad, state);
    this.addon.smoothStep(W, S, G, o.gradScale, o.smoothing, o.lr, o.weightCost);
  }

  override smoothApply(w: Mat, state: Mat, lr: number, weightCost: number): void {
    checkShape('smoothApply state', state, w.rows, w.cols);
    this.addon.smoothApply(cpu(w).data, cpu(state).data, lr, weightCost);
  }

  override momentumStep(w: Mat, velocity: Mat, grad: Mat, o: MomentumStepOptions): void {
    const [W, G, V] = this.optimizerArrays('momentumStep', w, grad, velocity);
    this.addon.momentumStep(W, V, G, o.gradScale, o.momentum, o.lr, o.weightCost);
  }

  override adamStep(w: Mat, m: Mat, v: Mat, grad: Mat, o: AdamStepOptions): void {
    const [W, G, M, V] = this.optimizerArrays('adamStep', w, grad, m, v);
    const c1 = 1 / (1 - Math.pow(o.beta1, o.step));
    const c2 = 1 / (1 - Math.pow(o.beta2, o.step));
    this.addon.adamStep(W, M, V, G, o.gradScale, o.lr, o.beta1, o.beta2, o.eps, c1, c2, o.weightCost);
  }
}

function patchArgs(n: number, g: PatchGeometry): PatchArgs {
  return [n, g.height, g.width, g.channels, g.kernel, g.stride, g.padding];
}

function poolArgs(n: number, g: PoolGeometry): PoolArgs {
  return [n, g.height, g.width, g.channels, g.window, g.stride];
}

function localArgs(rows: number, g: LocalGeometry, alpha: number, beta: number): LocalArgs {
  return [rows, g.height, g.width, g.inChannels, g.outChannels, g.window, alpha, beta];
}

export interface NativeLoadResult {
  engine?: NativeEngine;
  /** Why there is no engine ('native addon not built', the load error's first line, …), or what loaded. */
  reason: string;
}

let loaded: NativeLoadResult | undefined;

/**
 * Load build/Release/ff_native.node (or $FF_NATIVE_PATH) once. Never throws: without the addon
 * the result has no engine and a short reason.
 */
export function loadNativeEngine(): NativeLoadResult {
  if (!loaded) loaded = tryLoad();
  return loaded;
}

function tryLoad(): NativeLoadResult {
  try {
    const here = fileURLToPath(import.meta.url);
    const override = process.env.FF_NATIVE_PATH;
    let file: string;
    if (override) {
      file = path.resolve(override);
      if (!existsSync(file)) return { reason: `FF_NATIVE_PATH ${file} does not exist` };
    } else {
      const root = packageRoot(path.dirname(here));
      if (!root) return { reason: 'native addon not built (package root not found)' };
      file = path.join(root, 'build', 'Release', 'ff_native.node');
      if (!existsSync(file)) return { reason: 'native addon not built' };
    }
    const addon = createRequire(here)(file) as Partial<NativeAddon>;
    const missing = ADDON_FUNCTIONS.filter((f) => typeof addon[f] !== 'function');
    if (missing.length) {
      return { reason: `native addon is out of date (no ${missing.join(', ')}); run npm rebuild forward-forward` };
    }
    const engine = new NativeEngine(addon as NativeAddon);
    selfTest(engine);
    return { engine, reason: `native addon loaded (${engine.addon.blas})` };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { reason: msg.split('\n')[0].trim() || 'native addon failed to load' };
  }
}

/** A 2×2 product through the addon, so a broken BLAS link shows up here and not mid-training. */
function selfTest(engine: NativeEngine): void {
  const a = new Float32Array([1, 2, 3, 4]);
  const b = new Float32Array([5, 6, 7, 8]);
  const c = new Float32Array(4);
  engine.addon.gemm(false, false, 2, 2, 2, 1, a, b, 0, c);
  if (c[0] !== 19 || c[1] !== 22 || c[2] !== 43 || c[3] !== 50) {
    throw new Error(`native addon self-test failed: [1 2;3 4]·[5 6;7 8] gave [${Array.from(c).join(' ')}]`);
  }
}
