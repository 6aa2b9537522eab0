// The WebAssembly engine's memory and its allocator. The module imports its memory; matrices
// and the kernels' scratch live above the module's own data (__heap_base), allocated here:
// first fit over a list of free blocks kept sorted and coalesced, 64-byte aligned (a cache
// line, and 16 for SIMD loads). The memory only grows; each growth bumps `generation`, which
// tells the matrices to re-create their Float32Array views (a plain memory's old buffer is
// detached by growing; a shared one's is not, but is too short).

const PAGE = 65536;
const ALIGN = 64;
/** wasm32: 4 GiB. */
const MAX_PAGES = 65536;

export class WasmHeap {
  /** Bumped by every growth of the memory. */
  generation = 0;
  private top: number;
  /** Free blocks [offset, bytes], sorted by offset, never adjacent (coalesced). */
  private readonly freeBlocks: [number, number][] = [];
  private readonly sizes = new Map<number, number>();

  constructor(
    readonly memory: WebAssembly.Memory,
    /** First byte the module does not use (its exported __heap_base). */
    heapBase: number,
  ) {
    this.top = roundUp(heapBase, ALIGN);
  }

  /** Bytes in use by live allocations (for tests and the memory report). */
  get bytesInUse(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** Offset of `bytes` fresh bytes (contents unspecified), 64-byte aligned. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, roundUp(bytes, ALIGN));
    for (let i = 0; i < this.freeBlocks.length; i++) {
      const [off, len] = this.freeBlocks[i];
      if (len < size) continue;
      if (len === size) this.freeBlocks.splice(i, 1);
      else this.freeBlocks[i] = [off + size, len - size];
      this.sizes.set(off, size);
      return off;
    }
    const off = this.top;
    this.ensure(off + size);
    this.top = off + size;
    this.sizes.set(off, size);
    return off;
  }

  free(offset: number): void {
    const size = this.sizes.get(offset);
    if (size === undefined) throw new Error(`wasm heap: free of ${offset}, which is not allocated`);
    this.sizes.delete(offset);
    const blocks = this.freeBlocks;
    let i = 0;
    while (i < blocks.length && blocks[i][0] < offset) i++;
    blocks.splice(i, 0, [offset, size]);
    // Merge with the next block, then with the previous one.
    if (i + 1 < blocks.length && blocks[i][0] + blocks[i][1] === blocks[i + 1][0]) {
      blocks[i][1] += blocks[i + 1][1];
      blocks.splice(i + 1, 1);
    }
    if (i > 0 && blocks[i - 1][0] + blocks[i - 1][1] === blocks[i][0]) {
      blocks[i - 1][1] += blocks[i][1];
      blocks.splice(i, 1);
      i--;
    }
    // A free block at the top goes back to the bump pointer.
    const last = blocks[blocks.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      blocks.pop();
    }
  }

  /** Grow the memory to hold at least `end` bytes (by at least a quarter, so growth is rare). */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const havePages = have / PAGE;
    const needPages = Math.ceil(end / PAGE);
    if (needPages > MAX_PAGES) throw new Error(`wasm engine: out of memory (${(end / 2 ** 30).toFixed(2)} GiB wanted; WebAssembly allows 4 GiB)`);
    const pages = Math.min(MAX_PAGES, Math.max(needPages, Math.ceil(havePages * 1.25))) - havePages;
    try {
      this.memory.grow(pages);
    } catch {
      throw new Error(`wasm engine: could not grow its memory to ${(((havePages + pages) * PAGE) / 2 ** 20).toFixed(0)} MiB`);
    }
    this.generation++;
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
