// Worker threads for the WebAssembly engine: each worker instantiates the same module on the
// same shared memory and waits, with Atomics, for a share of a matrix product (a range of its
// columns, so the workers write disjoint parts of c and each sums in the order one thread
// would: the result does not depend on the thread count). The calling thread takes the first
// range and then waits for the others. Engine calls are synchronous, so the caller blocks in
// Atomics.wait: fine in Node and in a Web Worker (where the explorer trains), not on a page's
// main thread — which therefore runs the engine without workers.
//
// How a worker is started is the host's business (Node's worker_threads, a browser's Worker):
// the pool is handed a `spawn` that runs WORKER_SOURCE with the start data.

/** What spawn returns: enough to stop a worker and to let a Node process exit around it. */
export interface SpawnedWorker {
  terminate(): unknown;
  unref?(): void;
}

/** Starts WORKER_SOURCE (plain JavaScript) on a new thread and hands it `data`. */
export type SpawnWorker = (source: string, data: WorkerStart) => SpawnedWorker;

export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block (CONTROL_WORDS int32s). */
  control: number;
  /** 1-based worker index (its range's slot in the control block). */
  index: number;
  /** Byte offset of the worker's gemm scratch. */
  scratch: number;
}

// Control block, int32 words: sequence number of the current task, workers done with it,
// workers started, then the product's arguments, then each worker's column range.
const SEQ = 0;
const DONE = 1;
const READY = 2;
const ARGS = 4; // transA, transB, m, n, k, alpha (f32 bits), a, b, beta (f32 bits), c
const RANGES = 16; // [lo, hi] of worker w at RANGES + 2w
export const MAX_THREADS = 16;
/** How long the caller waits for a worker's news before calling it dead. */
const STALL_MS = 60_000;
export const CONTROL_WORDS = RANGES + 2 * MAX_THREADS;

/** The worker, in plain JavaScript (runs as a Node eval worker or from a Blob URL). */
export const WORKER_SOURCE = `
'use strict';
function run(d) {
  const k = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  const i32 = new Int32Array(d.memory.buffer, d.control, ${CONTROL_WORDS});
  const f32 = new Float32Array(d.memory.buffer, d.control, ${CONTROL_WORDS});
  let seen = Atomics.load(i32, ${SEQ});
  Atomics.add(i32, ${READY}, 1);
  Atomics.notify(i32, ${READY});
  for (;;) {
    Atomics.wait(i32, ${SEQ}, seen);
    seen = Atomics.load(i32, ${SEQ});
    const lo = i32[${RANGES} + 2 * d.index], hi = i32[${RANGES} + 2 * d.index + 1];
    if (hi > lo) {
      const a = ${ARGS};
      k.ff_gemm(i32[a], i32[a + 1], i32[a + 2], i32[a + 3], i32[a + 4], f32[a + 5], i32[a + 6], i32[a + 7], f32[a + 8], i32[a + 9], lo, hi, d.scratch);
    }
    Atomics.add(i32, ${DONE}, 1);
    Atomics.notify(i32, ${DONE});
  }
}
if (typeof require === 'function') run(require('node:worker_threads').workerData);
else self.onmessage = (e) => run(e.data);
`;

/** The columns of an n-column product for `threads` threads, in multiples of 8 (a panel). */
export function columnRanges(n: number, threads: number): [number, number][] {
  const per = Math.ceil(n / threads / 8) * 8;
  const out: [number, number][] = [];
  for (let t = 0; t < threads; t++) out.push([Math.min(n, t * per), Math.min(n, (t + 1) * per)]);
  return out;
}

export class WasmThreads {
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly workers: SpawnedWorker[] = [];

  constructor(
    memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    /** Byte offset of a CONTROL_WORDS·4-byte block, zeroed. */
    control: number,
    /** One gemm scratch per worker (byte offsets). */
    scratches: number[],
    spawn: SpawnWorker,
    /** Block until the workers listen (Node); else call waitReady() before the first product. */
    opts: { waitNow: boolean } = { waitNow: true },
  ) {
    if (scratches.length + 1 > MAX_THREADS) throw new Error(`wasm engine: at most ${MAX_THREADS} threads`);
    this.i32 = new Int32Array(memory.buffer, control, CONTROL_WORDS);
    this.f32 = new Float32Array(memory.buffer, control, CONTROL_WORDS);
    scratches.forEach((scratch, w) => {
      const worker = spawn(WORKER_SOURCE, { module, memory, control, index: w + 1, scratch });
      worker.unref?.();
      this.workers.push(worker);
    });
    if (opts.waitNow) this.waitReadySync();
  }

  private ready(): number {
    return Atomics.load(this.i32, READY);
  }

  private notReady(ready: number): Error {
    this.terminate();
    return new Error(`wasm engine: only ${ready} of ${this.workers.length} worker threads started`);
  }

  /** Block (10 s at most) until every worker listens, so no task is ever posted to nobody. */
  private waitReadySync(): void {
    const deadline = Date.now() + 10_000;
    for (let ready; (ready = this.ready()) < this.workers.length; ) {
      if (Date.now() > deadline) throw this.notReady(ready);
      Atomics.wait(this.i32, READY, ready, 100);
    }
  }

  /**
   * The same without blocking: a browser starts a worker only once its creator returns to the
   * event loop, so a worker that creates workers must wait for them this way.
   */
  async waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (let ready; (ready = this.ready()) < this.workers.length; ) {
      if (Date.now() > deadline) throw this.notReady(ready);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Threads a product uses, the caller's included. */
  get count(): number {
    return this.workers.length + 1;
  }

  /**
   * The product's columns split over the workers and the caller: `own(lo, hi)` computes the
   * caller's range; the call returns when every range is done.
   */
  gemm(args: [number, number, number, number, number, number, number, number, number, number], own: (lo: number, hi: number) => void): void {
    const { i32, f32 } = this;
    const ranges = columnRanges(args[3], this.count);
    for (let i = 0; i < 10; i++) {
      if (i === 5 || i === 8) f32[ARGS + i] = args[i];
      else i32[ARGS + i] = args[i];
    }
    for (let w = 1; w < ranges.length; w++) {
      i32[RANGES + 2 * w] = ranges[w][0];
      i32[RANGES + 2 * w + 1] = ranges[w][1];
    }
    Atomics.store(i32, DONE, 0);
    Atomics.add(i32, SEQ, 1);
    Atomics.notify(i32, SEQ);
    own(ranges[0][0], ranges[0][1]);
    // A worker that died would leave us waiting forever: give up after a minute without news
    // (a whole product takes well under a second at the sizes FF uses).
    for (let done; (done = Atomics.load(i32, DONE)) < this.workers.length; ) {
      if (Atomics.wait(i32, DONE, done, STALL_MS) === 'timed-out' && Atomics.load(i32, DONE) === done) {
        throw new Error(`wasm engine: a worker thread stopped answering (${done} of ${this.workers.length} finished a product in ${STALL_MS / 1000} s)`);
      }
    }
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
