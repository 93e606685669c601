// Sum reductions over one axis of a tensor viewed as [outer, R, inner], and the
// broadcast that is their adjoint. Results do not depend on the thread count:
// every output value is summed by one thread in a fixed order, and sums too long
// for one thread go through fixed-size blocks whose partial sums are combined in a
// second, fixed pass.
import { sumLanes } from "./math";
import { rangeStart } from "./partition";

/**
 * Pairwise (cascade) sum of n contiguous floats: error grows with log(n), not n.
 * Leaves of up to 128 floats are summed in 8 vector lanes.
 */
function pairwiseSum(p: usize, n: i32): f32 {
  if (n <= 128) {
    let acc0 = f32x4.splat(0.0);
    let acc1 = f32x4.splat(0.0);
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const off = <usize>i << 2;
      acc0 = f32x4.add(acc0, v128.load(p + off));
      acc1 = f32x4.add(acc1, v128.load(p + off, 16));
    }
    for (; i + 4 <= n; i += 4) acc0 = f32x4.add(acc0, v128.load(p + (<usize>i << 2)));
    const acc = f32x4.add(acc0, acc1);
    let s = sumLanes(acc);
    for (; i < n; i++) s += load<f32>(p + (<usize>i << 2));
    return s;
  }
  const h = (n >> 1) & ~7;
  return pairwiseSum(p, h) + pairwiseSum(p + (<usize>h << 2), n - h);
}

/**
 * src [rows, cols] -> dst [rows]: dst[r] = scale * sum_c src[r, c], each row by
 * pairwise summation. Threads split the rows.
 */
export function sumRowsF32(src: usize, dst: usize, rows: i32, cols: i32, scale: f32, tid: i32, numThreads: i32): void {
  const start = rangeStart(rows, tid, numThreads);
  const end = rangeStart(rows, tid + 1, numThreads);
  for (let r = start; r < end; r++) {
    const s = pairwiseSum(src + ((<usize>r * <usize>cols) << 2), cols);
    store<f32>(dst + (<usize>r << 2), s * scale);
  }
}

/**
 * src [rows, cols] -> partials [rows, ceil(cols / block)]: the pairwise sum of each
 * block of `block` consecutive floats of a row (the last block of a row may be
 * shorter). Threads split the blocks; the block boundaries do not depend on the
 * thread count, so a following {@link sumRowsF32} over the partials gives the same
 * bits on any number of threads.
 */
export function sumBlocksF32(src: usize, partials: usize, rows: i32, cols: i32, block: i32, tid: i32, numThreads: i32): void {
  const perRow = (cols + block - 1) / block;
  const n = rows * perRow;
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  for (let k = start; k < end; k++) {
    const r = k / perRow;
    const b = k - r * perRow;
    const c0 = b * block;
    const len = min(block, cols - c0);
    const s = pairwiseSum(src + ((<usize>r * <usize>cols + <usize>c0) << 2), len);
    store<f32>(partials + (<usize>k << 2), s);
  }
}

/**
 * src [outer, R, inner] -> dst [outer, inner]: dst[o, i] = scale * sum_r src[o, r, i]
 * (inner > 1), 16 columns (one cache line) at a time so each line of src is read
 * once: blocks of 16 rows are summed plainly and the block sums are added with
 * Kahan compensation, so the error stays near 16 roundings whatever R is (columns
 * of a ragged tail chunk use Kahan on every row). Threads split the
 * (outer, 16-column chunk) items.
 */
export function sumColsF32(src: usize, dst: usize, outer: i32, reduce: i32, inner: i32, scale: f32, tid: i32, numThreads: i32): void {
  const chunks = (inner + 15) >> 4;
  const n = outer * chunks;
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  const rowBytes = <usize>inner << 2;
  const vscale = f32x4.splat(scale);
  for (let k = start; k < end; k++) {
    const o = k / chunks;
    const c0 = (k - o * chunks) << 4;
    const width = min(16, inner - c0);
    const base = src + ((<usize>o * <usize>reduce * <usize>inner + <usize>c0) << 2);
    const out = dst + ((<usize>o * <usize>inner + <usize>c0) << 2);
    if (width == 16) {
      // Blocked: plain sums of up to 16 rows (one dependent add per row, so memory
      // bound), each block sum then added to the total with Kahan compensation.
      let s0 = f32x4.splat(0.0), s1 = f32x4.splat(0.0), s2 = f32x4.splat(0.0), s3 = f32x4.splat(0.0);
      let e0 = f32x4.splat(0.0), e1 = f32x4.splat(0.0), e2 = f32x4.splat(0.0), e3 = f32x4.splat(0.0);
      let p = base;
      for (let r0 = 0; r0 < reduce; r0 += 16) {
        const rEnd = min(reduce, r0 + 16);
        let b0 = v128.load(p), b1 = v128.load(p, 16), b2 = v128.load(p, 32), b3 = v128.load(p, 48);
        p += rowBytes;
        for (let r = r0 + 1; r < rEnd; r++) {
          b0 = f32x4.add(b0, v128.load(p));
          b1 = f32x4.add(b1, v128.load(p, 16));
          b2 = f32x4.add(b2, v128.load(p, 32));
          b3 = f32x4.add(b3, v128.load(p, 48));
          p += rowBytes;
        }
        let y = f32x4.sub(b0, e0);
        let t = f32x4.add(s0, y);
        e0 = f32x4.sub(f32x4.sub(t, s0), y);
        s0 = t;
        y = f32x4.sub(b1, e1);
        t = f32x4.add(s1, y);
        e1 = f32x4.sub(f32x4.sub(t, s1), y);
        s1 = t;
        y = f32x4.sub(b2, e2);
        t = f32x4.add(s2, y);
        e2 = f32x4.sub(f32x4.sub(t, s2), y);
        s2 = t;
        y = f32x4.sub(b3, e3);
        t = f32x4.add(s3, y);
        e3 = f32x4.sub(f32x4.sub(t, s3), y);
        s3 = t;
      }
      v128.store(out, f32x4.mul(s0, vscale));
      v128.store(out, f32x4.mul(s1, vscale), 16);
      v128.store(out, f32x4.mul(s2, vscale), 32);
      v128.store(out, f32x4.mul(s3, vscale), 48);
    } else {
      let c = 0;
      for (; c + 4 <= width; c += 4) {
        let s = f32x4.splat(0.0);
        let e = f32x4.splat(0.0);
        let p = base + (<usize>c << 2);
        for (let r = 0; r < reduce; r++) {
          const y = f32x4.sub(v128.load(p), e);
          const t = f32x4.add(s, y);
          e = f32x4.sub(f32x4.sub(t, s), y);
          s = t;
          p += rowBytes;
        }
        v128.store(out + (<usize>c << 2), f32x4.mul(s, vscale));
      }
      for (; c < width; c++) {
        let s: f32 = 0;
        let e: f32 = 0;
        let p = base + (<usize>c << 2);
        for (let r = 0; r < reduce; r++) {
          const y = load<f32>(p) - e;
          const t = s + y;
          e = (t - s) - y;
          s = t;
          p += rowBytes;
        }
        store<f32>(out + (<usize>c << 2), s * scale);
      }
    }
  }
}

/**
 * src [outer, inner] -> dst [outer, R, inner]: dst[o, r, i] = scale * src[o, i], the
 * adjoint of a sum over R. Threads split the flat output.
 */
export function broadcastAxisF32(src: usize, dst: usize, outer: i32, reduce: i32, inner: i32, scale: f32, tid: i32, numThreads: i32): void {
  const n = outer * reduce * inner;
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  const vscale = f32x4.splat(scale);
  let i = start;
  while (i < end) {
    // One output row (o, r) at a time: its inner values come from src row o.
    const row = i / inner;
    const c0 = i - row * inner;
    const o = row / reduce;
    const rowEnd = min(end, (row + 1) * inner);
    const from = src + (<usize>o * <usize>inner << 2);
    const to = dst + (<usize>row * <usize>inner << 2);
    let c = c0;
    const cEnd = c0 + rowEnd - i;
    if (inner == 1) {
      // Rows of one value: fill a run of rows sharing o with one splat.
      const runEnd = min(end, (o + 1) * reduce);
      const v = load<f32>(from) * scale;
      const vv = f32x4.splat(v);
      let j = i;
      for (; j + 4 <= runEnd; j += 4) v128.store(dst + (<usize>j << 2), vv);
      for (; j < runEnd; j++) store<f32>(dst + (<usize>j << 2), v);
      i = runEnd;
      continue;
    }
    for (; c + 4 <= cEnd; c += 4) {
      const off = <usize>c << 2;
      v128.store(to + off, f32x4.mul(v128.load(from + off), vscale));
    }
    for (; c < cEnd; c++) {
      const off = <usize>c << 2;
      store<f32>(to + off, load<f32>(from + off) * scale);
    }
    i = rowEnd;
  }
}
