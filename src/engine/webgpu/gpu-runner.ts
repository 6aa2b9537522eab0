/// <reference types="@webgpu/types" />
// The WebGPU plumbing under WebGpuEngine: storage buffers, compiled pipelines, uniform
// parameters, and one command encoder that collects kernels until someone must see memory
// (read, write, dispose) — the queue runs them in order, nothing here waits for the GPU except
// read. Usage flags are numbers (the WebGPU constants), so neither the browser's globals nor
// Node's `webgpu` package has to install GPUBufferUsage on globalThis.
import { WG } from './wgsl-common.js';

const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;
/** Kernels recorded before the encoder is submitted anyway (bounds the temporaries held). */
const MAX_PASSES = 64;
/** Workgroups per grid dimension (WebGPU's default maxComputeWorkgroupsPerDimension). */
const MAX_GROUPS = 65535;

/** A matrix's memory: a buffer of f32 and the element where the matrix starts in it. */
export interface Region {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly length: number;
}

/** A uniform field: 'u' u32, 'i' i32, 'f' f32 — in the order of the kernel's struct P. */
export type Param = ['u' | 'i' | 'f', number];

export class GpuRunner {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private passes = 0;
  private temps: GPUBuffer[] = [];
  private readonly dummy: GPUBuffer;
  private firstError: string | undefined;

  constructor(readonly device: GPUDevice) {
    this.dummy = this.storage(1);
    // A validation error would otherwise only be logged: keep the first, and fail the next read.
    device.addEventListener('uncapturederror', (ev) => {
      this.firstError ??= (ev as GPUUncapturedErrorEvent).error.message.split('\n')[0];
    });
  }

  /** A storage buffer for n floats (at least one: a binding cannot be empty), zero-filled. */
  storage(n: number): GPUBuffer {
    return this.device.createBuffer({ size: Math.max(1, n) * 4, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  /** Upload after every kernel recorded so far (writeBuffer runs at its place in the queue). */
  write(r: Region, data: Float32Array): void {
    this.flush();
    if (data.length) this.device.queue.writeBuffer(r.buffer, r.offset * 4, data.buffer, data.byteOffset, data.length * 4);
  }

  /** Resolve with a copy of the region once every kernel before it has run. */
  async read(r: Region): Promise<Float32Array> {
    this.flush();
    if (r.length === 0) return new Float32Array(0);
    const staging = this.device.createBuffer({ size: r.length * 4, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(r.buffer, r.offset * 4, staging, 0, r.length * 4);
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(MAP_MODE_READ);
      const out = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      this.checkErrors();
      return out;
    } finally {
      staging.destroy();
    }
  }

  /** Free a buffer once the kernels recorded so far (which may use it) are submitted. */
  destroy(buffer: GPUBuffer): void {
    this.flush();
    buffer.destroy();
  }

  /**
   * Record one kernel: `inputs` bound read-only, then `outputs` read_write, after binding 0
   * (the uniform made by `params` from the offsets each operand ends up at). An input that
   * shares a buffer with an output is first copied aside: WebGPU refuses a writable binding
   * aliased by another, and every kernel's "out may be x" then holds.
   */
  run(name: string, code: string, inputs: (Region | null)[], outputs: (Region | null)[], groups: [number, number], params: (off: number[]) => Param[]): void {
    if (groups[0] === 0 || groups[1] === 0) return;
    const outBuffers = outputs.map((o) => o?.buffer);
    for (let a = 0; a < outputs.length; a++)
      for (let b = a + 1; b < outputs.length; b++)
        if (outBuffers[a] && outBuffers[a] === outBuffers[b]) throw new Error(`${name}: its outputs must not share memory on the webgpu engine`);
    const enc = this.encoderNow();
    const bound: { buffer: GPUBuffer; offset: number }[] = [];
    for (const r of inputs) {
      if (!r) bound.push({ buffer: this.dummy, offset: 0 });
      else if (outBuffers.includes(r.buffer)) {
        const temp = this.storage(r.length);
        this.temps.push(temp);
        if (r.length) enc.copyBufferToBuffer(r.buffer, r.offset * 4, temp, 0, r.length * 4);
        bound.push({ buffer: temp, offset: 0 });
      } else bound.push({ buffer: r.buffer, offset: r.offset });
    }
    for (const r of outputs) bound.push(r ? { buffer: r.buffer, offset: r.offset } : { buffer: this.dummy, offset: 0 });
    const pipeline = this.pipeline(name, code);
    const uniform = this.uniform(params(bound.map((b) => b.offset)));
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: uniform } }, ...bound.map((b, k) => ({ binding: k + 1, resource: { buffer: b.buffer } }))],
    });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1]);
    pass.end();
    if (++this.passes >= MAX_PASSES) this.flush();
  }

  /** Submit the kernels recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.passes = 0;
    for (const t of this.temps) t.destroy(); // freed once the submitted work is done
    this.temps = [];
  }

  private checkErrors(): void {
    if (this.firstError !== undefined) throw new Error(`webgpu engine: ${this.firstError}`);
  }

  private encoderNow(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private pipeline(name: string, code: string): GPUComputePipeline {
    let p = this.pipelines.get(name);
    if (!p) {
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module: this.device.createShaderModule({ code }), entryPoint: 'main' } });
      this.pipelines.set(name, p);
    }
    return p;
  }

  private uniform(fields: Param[]): GPUBuffer {
    const size = Math.ceil((fields.length * 4) / 16) * 16 || 16;
    const buf = this.device.createBuffer({ size, usage: USAGE.UNIFORM, mappedAtCreation: true });
    const view = new DataView(buf.getMappedRange());
    fields.forEach(([t, v], k) => {
      if (t === 'f') view.setFloat32(k * 4, v, true);
      else if (t === 'i') view.setInt32(k * 4, v, true);
      else view.setUint32(k * 4, v, true);
    });
    buf.unmap();
    this.temps.push(buf);
    return buf;
  }
}

/** The workgroup grid of a 1-D kernel over n elements (WG per group, wrapped into a second dimension). */
export function grid1d(n: number): [number, number] {
  return gridOf(Math.ceil(n / WG));
}

/** A grid of `count` workgroups (one per row, say), wrapped into a second dimension. */
export function gridOf(count: number): [number, number] {
  if (count === 0) return [0, 0];
  const x = Math.min(count, MAX_GROUPS);
  return [x, Math.ceil(count / x)];
}
