/**
 * The allocator for tensor storage in the shared `WebAssembly.Memory`.
 *
 * Every allocation is made from JavaScript (the kernels never allocate), so all
 * threads agree on addresses. Blocks are 64-byte aligned and rounded up to a size
 * class (64-byte steps up to 4 KiB, then eight classes per power of two, at most
 * 12.5% waste). A freed block goes on its class's free list and is handed out
 * again for the next request of that class, so a training loop whose shapes repeat
 * stops growing the memory after its first step.
 */
export class Allocator {
  /** Bytes per WebAssembly page. */
  static readonly pageBytes = 65536;
  /** Alignment of every block, in bytes (a cache line; also f32x4 aligned). */
  static readonly alignBytes = 64;

  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly blockBytes = new Map<number, number>();
  private liveBytesCount = 0;

  /**
   * @param memory the shared memory to allocate from.
   * @param baseBytes first byte the allocator may hand out (above the control block).
   */
  constructor(private readonly memory: WebAssembly.Memory, baseBytes: number) {
    this.top = alignUp(baseBytes, Allocator.alignBytes);
  }

  /** Returns the byte offset of a fresh block of at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): number {
    const cls = sizeClass(Math.max(bytes, 1));
    const list = this.freeLists.get(cls);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.top;
      this.top += cls;
      this.ensureCapacity(this.top);
    }
    this.blockBytes.set(ptr, cls);
    this.liveBytesCount += cls;
    return ptr;
  }

  /** Returns the block at `ptr` to its free list. Freeing an unknown pointer throws. */
  free(ptr: number): void {
    const cls = this.blockBytes.get(ptr);
    if (cls === undefined) throw new Error(`Allocator.free: ${ptr} is not a live block`);
    this.blockBytes.delete(ptr);
    this.liveBytesCount -= cls;
    let list = this.freeLists.get(cls);
    if (!list) {
      list = [];
      this.freeLists.set(cls, list);
    }
    list.push(ptr);
  }

  /** Bytes held by live blocks (after size-class rounding). */
  get liveBytes(): number {
    return this.liveBytesCount;
  }

  /** Number of live blocks. */
  get liveBlocks(): number {
    return this.blockBytes.size;
  }

  /** Current size of the memory in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  private ensureCapacity(endBytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (endBytes <= have) return;
    // Grow by at least a quarter of the current size so growth events stay rare.
    const needPages = Math.ceil((endBytes - have) / Allocator.pageBytes);
    const pages = Math.max(needPages, Math.ceil(have / Allocator.pageBytes / 4));
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(needPages);
      } catch {
        throw new Error(
          `Likeness core: out of WebAssembly memory: it cannot grow to ${(endBytes / 2 ** 20).toFixed(1)} MiB ` +
            `(the limit is 4096 MiB); dispose tensors you no longer need (use scope())`,
        );
      }
    }
  }
}

/** Rounds `n` up to a multiple of `align` (a power of two). */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** The size class (block size in bytes) that a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return alignUp(bytes, Allocator.alignBytes);
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 8;
  return Math.ceil(bytes / step) * step;
}
