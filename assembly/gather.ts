// Row gather and scatter-add with i32 row indices stored in the shared memory.
import { rangeStart } from "./partition";

/** out[m, :] = x[idx[m], :] for x [N, C], idx [M] (checked in range by the caller). Threads split the rows of out. */
export function gatherRowsF32(x: usize, idx: usize, out: usize, m: i32, c: i32, tid: i32, numThreads: i32): void {
  const start = rangeStart(m, tid, numThreads);
  const end = rangeStart(m, tid + 1, numThreads);
  const bytes = <usize>c << 2;
  for (let i = start; i < end; i++) {
    const row = load<i32>(idx + (<usize>i << 2));
    memory.copy(out + <usize>i * bytes, x + <usize>row * bytes, bytes);
  }
}

/**
 * out[idx[m], :] += x[m, :] for x [M, C], out [N, C] (out zeroed by the caller).
 * Threads split the columns, in 16-float (cache line) chunks, and each walks all
 * M rows in order: no two threads write one float or one cache line, and every
 * output float sums its terms in index order, the same on any thread count.
 */
export function scatterAddRowsF32(x: usize, idx: usize, out: usize, m: i32, c: i32, tid: i32, numThreads: i32): void {
  const chunks = (c + 15) >> 4;
  const c0 = min(c, rangeStart(chunks, tid, numThreads) << 4);
  const c1 = min(c, rangeStart(chunks, tid + 1, numThreads) << 4);
  if (c0 >= c1) return;
  const rowBytes = <usize>c << 2;
  for (let i = 0; i < m; i++) {
    const row = load<i32>(idx + (<usize>i << 2));
    const from = x + <usize>i * rowBytes;
    const to = out + <usize>row * rowBytes;
    let k = c0;
    for (; k + 4 <= c1; k += 4) {
      const off = <usize>k << 2;
      v128.store(to + off, f32x4.add(v128.load(to + off), v128.load(from + off)));
    }
    for (; k < c1; k++) {
      const off = <usize>k << 2;
      store<f32>(to + off, load<f32>(to + off) + load<f32>(from + off));
    }
  }
}
