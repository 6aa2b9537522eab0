// The WebAssembly engine: the TypeScript engine's matrices moved into a WebAssembly memory,
// and its heavy kernels — the matrix products, the locally-connected products, the
// convolution kernels around the products (im2col, pooling, GroupNorm), and the
// elementwise kernels a training step spends most time in — run by a SIMD128 module compiled
// from C (native/wasm/, built by
// scripts/build-wasm.mjs into wasm-binary.ts). Every other kernel is JsEngine's own loop on
// the same Float32Arrays (views into the module's memory). Except the products (summed in
// float32, in another order), results equal the reference's bit for bit. It runs wherever WebAssembly SIMD does — a browser,
// or Node where the native addon could not be built — with no Node import (core-safe).
import { checkLocalShapes, checkShape, gemmShape, type GemmOptions, type LocalGeometry, type Mat, type RowNorm, type ScaleOptions } from './engine.js';
import { checkMatShape, CpuMat } from './cpu-mat.js';
import type { GroupNormGeometry, PatchGeometry, PoolGeometry } from './conv-geometry.js';
import { check } from './js-conv-ops.js';
import { JsEngine } from './js-backend.js';
import { WasmHeap } from './wasm-heap.js';
import { CONTROL_WORDS, WasmThreads, type SpawnWorker } from './wasm-threads.js';
import { WASM_KERNELS_BASE64, WASM_SHARED_FLAG_AT } from './wasm-binary.js';

/** The module's exports (native/wasm/*.c). Pointers are byte offsets into the memory. */
interface Kernels {
  ff_gemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, b: number,
    beta: number, c: number, colLo: number, colHi: number, scratch: number,
  ): void;
  ff_gemm_scratch_floats(): number;
  ff_add_bias(x: number, rows: number, cols: number, bias: number, relu: number): void;
  ff_col_sum(x: number, rows: number, cols: number, out: number, alpha: number, beta: number, acc: number): void;
  ff_smooth_apply(w: number, state: number, n: number, lr: number, weightCost: number): void;
  ff_normalize_rows(x: number, rows: number, cols: number, out: number, rms: number, eps: number, sumSq: number): void;
  ff_scale_rows(y: number, rows: number, cols: number, coef: number, out: number, power: number, beta: number): void;
  ff_add_row_vector(x: number, rows: number, cols: number, v: number, alpha: number): void;
  ff_local_forward(...args: LocalArgs): void;
  ff_local_weight_grad(...args: LocalArgs): void;
  ff_local_input_grad(...args: LocalArgs): void;
  ff_im2col(n: number, H: number, W: number, C: number, K: number, S: number, P: number, x: number, cols: number): void;
  ff_col2im(n: number, H: number, W: number, C: number, K: number, S: number, P: number, alpha: number, cols: number, beta: number, x: number): void;
  ff_max_pool_forward(...args: [...PoolArgs, x: number, y: number]): void;
  ff_max_pool_backward(...args: [...PoolArgs, x: number, dy: number, dx: number]): void;
  ff_avg_pool_forward(...args: [...PoolArgs, x: number, y: number]): void;
  ff_avg_pool_backward(...args: [...PoolArgs, dy: number, dx: number]): void;
  ff_group_norm_forward(n: number, positions: number, channels: number, groups: number, eps: number, x: number, y: number, stats: number): void;
  ff_group_norm_backward(n: number, positions: number, channels: number, groups: number, y: number, dy: number, stats: number, dx: number): void;
  ff_transpose_rows(n: number, p: number, q: number, x: number, out: number): void;
  __heap_base: WebAssembly.Global;
}

/** n, H, W, C, window, stride. */
type PoolArgs = [number, number, number, number, number, number];

/** rows, H, W, C_in, C_out, K, alpha, a, b, beta, out, scratch (pointers as byte offsets). */
type LocalArgs = [number, number, number, number, number, number, number, number, number, number, number, number];

/** A matrix in the engine's memory: a byte offset and a view re-created after the memory grows. */
export class WasmMat extends CpuMat {
  private generation: number;

  constructor(
    rows: number,
    cols: number,
    readonly heap: WasmHeap,
    readonly byteOffset: number,
    /** The allocation a row view shares (null: this matrix is one). */
    readonly root: WasmMat | null,
  ) {
    super(rows, cols, new Float32Array(heap.memory.buffer, byteOffset, rows * cols));
    this.generation = heap.generation;
  }

  override get data(): Float32Array {
    if (this.generation !== this.heap.generation) {
      this.view = new Float32Array(this.heap.memory.buffer, this.byteOffset, this.rows * this.cols);
      this.generation = this.heap.generation;
    }
    return this.view;
  }
}

/** Multiply-adds below which a product is not split over threads. */
const PARALLEL_MIN_FLOPS = 1 << 18;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Whether this JavaScript runtime runs WebAssembly with SIMD128 (the engine needs it). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(WASM_KERNELS_BASE64));
  } catch {
    return false;
  }
}

export class WasmEngine extends JsEngine {
  override readonly name: string = 'wasm';
  readonly heap: WasmHeap;
  private readonly kernels: Kernels;
  /** The calling thread's gemm scratch (byte offset), also colSum's accumulator. */
  private readonly scratch: number;
  private readonly scratchBytes: number;
  private readonly registry = new FinalizationRegistry<number>((offset) => this.heap.free(offset));

  /** Worker threads sharing the products (null: the calling thread alone). */
  private readonly threads: WasmThreads | null = null;

  /**
   * Compiles and instantiates the module synchronously (it is small). With `threads` > 1 and a
   * `spawn` (how this host starts a worker), the matrices live in a shared memory and products
   * are split over that many threads, the caller's included.
   */
  constructor(opts: { threads?: number; spawn?: SpawnWorker; waitForWorkers?: boolean } = {}) {
    super();
    const threads = opts.spawn ? Math.max(1, Math.floor(opts.threads ?? 1)) : 1;
    const shared = threads > 1;
    const bytes = decodeBase64(WASM_KERNELS_BASE64);
    if (shared) bytes[WASM_SHARED_FLAG_AT] = 0x03; // the shared-memory build (scripts/build-wasm.mjs checks it is that byte alone)
    if (!WebAssembly.validate(bytes)) throw new Error('wasm engine: this JavaScript runtime lacks WebAssembly SIMD');
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, ...(shared ? { shared: true } : {}) });
    const module = new WebAssembly.Module(bytes);
    this.kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
    this.heap = new WasmHeap(memory, this.kernels.__heap_base.value as number);
    const scratchBytes = this.kernels.ff_gemm_scratch_floats() * 4;
    this.scratchBytes = scratchBytes;
    this.scratch = this.heap.alloc(scratchBytes);
    if (shared) {
      const control = this.heap.alloc(CONTROL_WORDS * 4);
      new Int32Array(memory.buffer, control, CONTROL_WORDS).fill(0);
      const scratches = Array.from({ length: threads - 1 }, () => this.heap.alloc(scratchBytes));
      this.threads = new WasmThreads(memory, module, control, scratches, opts.spawn!, { waitNow: opts.waitForWorkers ?? true });
    }
  }

  /**
   * The engine with worker threads, started without blocking: what a browser worker uses (a
   * browser starts workers only once their creator yields). Same options as the constructor.
   */
  static async create(opts: { threads?: number; spawn?: SpawnWorker } = {}): Promise<WasmEngine> {
    const engine = new WasmEngine({ ...opts, waitForWorkers: false });
    await engine.threads?.waitReady();
    return engine;
  }

  /** Threads a matrix product may use. */
  get threadCount(): number {
    return this.threads?.count ?? 1;
  }

  private alloc(rows: number, cols: number): WasmMat {
    checkMatShape(rows, cols);
    const m = new WasmMat(rows, cols, this.heap, this.heap.alloc(rows * cols * 4), null);
    this.registry.register(m, m.byteOffset, m);
    return m;
  }

  /** m as this engine's matrix (a one-line error for another engine's). */
  private own(m: Mat): WasmMat {
    if (!(m instanceof WasmMat) || m.heap !== this.heap) throw new Error('matrix belongs to a different engine');
    return m;
  }

  override zeros(rows: number, cols: number): Mat {
    const m = this.alloc(rows, cols);
    m.data.fill(0); // a reused block holds old values
    return m;
  }

  override fromArray(data: Float32Array | number[], rows: number, cols: number): Mat {
    if (data.length !== rows * cols) throw new Error(`fromArray: ${data.length} values cannot fill ${rows}×${cols}`);
    const m = this.alloc(rows, cols);
    m.data.set(data);
    return m;
  }

  override rowView(m: Mat, start: number, count: number): Mat {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > m.rows) {
      throw new Error(`rowView: rows [${start}, ${start + count}) outside 0..${m.rows}`);
    }
    const w = this.own(m);
    return new WasmMat(count, m.cols, this.heap, w.byteOffset + start * m.cols * 4, w.root ?? w);
  }

  override reshape(m: Mat, rows: number, cols: number): Mat {
    super.reshape(m, rows, cols); // the checks (its CpuMat view is dropped)
    const w = this.own(m);
    return new WasmMat(rows, cols, this.heap, w.byteOffset, w.root ?? w);
  }

  /** Frees a matrix's memory now (views of it must not be used after); a view's dispose does nothing. */
  override dispose(m: Mat): void {
    const w = this.own(m);
    if (w.root !== null) return;
    if (this.registry.unregister(w)) this.heap.free(w.byteOffset);
  }

  override gemm(a: Mat, b: Mat, c: Mat, opts: GemmOptions = {}): void {
    const { transA, transB, alpha, beta, m, n, k } = gemmShape(a, b, c, opts);
    const [wa, wb, wc] = [this.own(a), this.own(b), this.own(c)];
    const args = [+transA, +transB, m, n, k, alpha, wa.byteOffset, wb.byteOffset, beta, wc.byteOffset] as const;
    const run = (lo: number, hi: number) => this.kernels.ff_gemm(...args, lo, hi, this.scratch);
    // Small products stay on this thread: waking the workers costs tens of microseconds.
    if (this.threads && m * n * k >= PARALLEL_MIN_FLOPS && n >= 16) this.threads.gemm([...args], run);
    else run(0, n);
  }

  override addBias(x: Mat, bias: Mat, relu: boolean): void {
    checkShape('addBias bias', bias, 1, x.cols);
    this.kernels.ff_add_bias(this.own(x).byteOffset, x.rows, x.cols, this.own(bias).byteOffset, +relu);
  }

  override colSum(x: Mat, out: Mat, alpha: number, beta: number): void {
    checkShape('colSum output', out, 1, x.cols);
    // Its double accumulator lives in the gemm scratch (room for 147,456 columns).
    if (x.cols * 8 > this.scratchBytes) return super.colSum(x, out, alpha, beta);
    this.kernels.ff_col_sum(this.own(x).byteOffset, x.rows, x.cols, this.own(out).byteOffset, alpha, beta, this.scratch);
  }

  override smoothApply(w: Mat, state: Mat, lr: number, weightCost: number): void {
    checkShape('smoothApply state', state, w.rows, w.cols);
    const [ww, ws] = [this.own(w), this.own(state)];
    const bytes = w.rows * w.cols * 4;
    if (ww.byteOffset < ws.byteOffset + bytes && ws.byteOffset < ww.byteOffset + bytes) throw new Error('smoothApply: w and state must not overlap');
    this.kernels.ff_smooth_apply(ww.byteOffset, ws.byteOffset, w.rows * w.cols, lr, weightCost);
  }

  override normalizeRows(x: Mat, out: Mat, mode: RowNorm, eps: number, sumSq?: Mat): void {
    checkShape('normalizeRows output', out, x.rows, x.cols);
    if (sumSq) checkShape('normalizeRows sumSq', sumSq, x.rows, 1);
    const ss = sumSq ? this.own(sumSq).byteOffset : 0; // 0: none (the module's own data sit there)
    this.kernels.ff_normalize_rows(this.own(x).byteOffset, x.rows, x.cols, this.own(out).byteOffset, +(mode === 'rms'), eps, ss);
  }

  override scaleRows(y: Mat, coef: Mat, out: Mat, power: 1 | 2, beta = 0): void {
    checkShape('scaleRows coef', coef, y.rows, 1);
    checkShape('scaleRows output', out, y.rows, y.cols);
    this.kernels.ff_scale_rows(this.own(y).byteOffset, y.rows, y.cols, this.own(coef).byteOffset, this.own(out).byteOffset, power, beta);
  }

  override addRowVector(x: Mat, v: Mat, alpha: number): void {
    checkShape('addRowVector vector', v, 1, x.cols);
    this.kernels.ff_add_row_vector(this.own(x).byteOffset, x.rows, x.cols, this.own(v).byteOffset, alpha);
  }

  /** The LC kernels' arguments; null when their accumulator would not fit the scratch (then js's loops run). */
  private localArgs(g: LocalGeometry, rows: number, a: Mat, b: Mat, out: Mat, alpha: number, beta: number, accFloats: number): LocalArgs | null {
    if (accFloats * 4 > this.scratchBytes) return null;
    const { height, width, inChannels, outChannels, window } = g;
    return [rows, height, width, inChannels, outChannels, window, alpha, this.own(a).byteOffset, this.own(b).byteOffset, beta, this.own(out).byteOffset, this.scratch];
  }

  override localForward(x: Mat, w: Mat, y: Mat, g: LocalGeometry, opts: ScaleOptions = {}): void {
    checkLocalShapes('localForward', x, w, y, g);
    const args = this.localArgs(g, x.rows, x, w, y, opts.alpha ?? 1, opts.beta ?? 0, g.width);
    if (args) this.kernels.ff_local_forward(...args);
    else super.localForward(x, w, y, g, opts);
  }

  override localWeightGrad(x: Mat, dy: Mat, dw: Mat, g: LocalGeometry, opts: ScaleOptions = {}): void {
    checkLocalShapes('localWeightGrad', x, dy, dw, g);
    const args = this.localArgs(g, x.rows, x, dy, dw, opts.alpha ?? 1, opts.beta ?? 0, g.width);
    if (args) this.kernels.ff_local_weight_grad(...args);
    else super.localWeightGrad(x, dy, dw, g, opts);
  }

  override localInputGrad(dy: Mat, w: Mat, dx: Mat, g: LocalGeometry, opts: ScaleOptions = {}): void {
    checkLocalShapes('localInputGrad', dy, w, dx, g);
    const args = this.localArgs(g, dy.rows, dy, w, dx, opts.alpha ?? 1, opts.beta ?? 0, g.inChannels * g.height * g.width);
    if (args) this.kernels.ff_local_input_grad(...args);
    else super.localInputGrad(dy, w, dx, g, opts);
  }

  // ---- convolution (native/conv_kernels.h, single-threaded; the checks are JsEngine's) ------

  override im2col(x: Mat, cols: Mat, g: PatchGeometry): void {
    const n = check.im2col(x, cols, g);
    this.kernels.ff_im2col(n, g.height, g.width, g.channels, g.kernel, g.stride, g.padding, this.own(x).byteOffset, this.own(cols).byteOffset);
  }

  override col2im(cols: Mat, x: Mat, g: PatchGeometry, { alpha = 1, beta = 0 }: ScaleOptions = {}): void {
    const n = check.col2im(cols, x, g);
    this.kernels.ff_col2im(n, g.height, g.width, g.channels, g.kernel, g.stride, g.padding, alpha, this.own(cols).byteOffset, beta, this.own(x).byteOffset);
  }

  override maxPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    const n = check.poolForward('maxPoolForward', x, y, g);
    this.kernels.ff_max_pool_forward(...poolArgs(n, g), this.own(x).byteOffset, this.own(y).byteOffset);
  }

  override maxPoolBackward(x: Mat, dy: Mat, dx: Mat, g: PoolGeometry): void {
    const n = check.maxPoolBackward(x, dy, dx, g);
    this.kernels.ff_max_pool_backward(...poolArgs(n, g), this.own(x).byteOffset, this.own(dy).byteOffset, this.own(dx).byteOffset);
  }

  override avgPoolForward(x: Mat, y: Mat, g: PoolGeometry): void {
    const n = check.poolForward('avgPoolForward', x, y, g);
    this.kernels.ff_avg_pool_forward(...poolArgs(n, g), this.own(x).byteOffset, this.own(y).byteOffset);
  }

  override avgPoolBackward(dy: Mat, dx: Mat, g: PoolGeometry): void {
    const n = check.avgPoolBackward(dy, dx, g);
    this.kernels.ff_avg_pool_backward(...poolArgs(n, g), this.own(dy).byteOffset, this.own(dx).byteOffset);
  }

  override groupNormForward(x: Mat, y: Mat, stats: Mat, g: GroupNormGeometry, eps: number): void {
    const n = check.groupNormForward(x, y, stats, g, eps);
    this.kernels.ff_group_norm_forward(n, g.positions, g.channels, g.groups, eps, this.own(x).byteOffset, this.own(y).byteOffset, this.own(stats).byteOffset);
  }

  override groupNormBackward(y: Mat, dy: Mat, stats: Mat, dx: Mat, g: GroupNormGeometry): void {
    const n = check.groupNormBackward(y, dy, stats, dx, g);
    const [wy, wd, ws, wx] = [this.own(y), this.own(dy), this.own(stats), this.own(dx)];
    this.kernels.ff_group_norm_backward(n, g.positions, g.channels, g.groups, wy.byteOffset, wd.byteOffset, ws.byteOffset, wx.byteOffset);
  }

  override toChannelsLast(x: Mat, out: Mat, channels: number): void {
    const hw = check.channels('toChannelsLast', x, out, channels);
    this.kernels.ff_transpose_rows(x.rows, channels, hw, this.own(x).byteOffset, this.own(out).byteOffset);
  }

  override toChannelsFirst(x: Mat, out: Mat, channels: number): void {
    const hw = check.channels('toChannelsFirst', x, out, channels);
    this.kernels.ff_transpose_rows(x.rows, hw, channels, this.own(x).byteOffset, this.own(out).byteOffset);
  }
}

function poolArgs(n: number, g: PoolGeometry): PoolArgs {
  return [n, g.height, g.width, g.channels, g.window, g.stride];
}
