// Matrix multiplication and fused dense layers (forward and backward).
//
// The compute core is a 4x8 register-blocked micro-kernel (8 f32x4 accumulators):
// per step k it loads 8 floats of a packed B panel and broadcasts one float of each
// of 4 A rows. B is packed into panels of 8 columns (k-major, zero-padded) by
// `packPanelsF32`, so every panel row is two aligned vector loads. A is read in
// place through (row stride, k stride), which covers A and A^T, or, when it is
// transposed or spans several K blocks, packed per thread into 4-row tiles first.
// Loops follow Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (TOMS 2008): K in blocks of KC (a B micro-panel of KC x 8 stays
// in L1), rows in blocks of MC (the A block stays in L2), rows split across threads.
// Plain SIMD has no fused multiply-add, so the kernel is bound by the multiplies.
import { rangeStart } from "./partition";
import { activateV, activationGradV, loadVec, storeVec } from "./activation";

export { activateF32, activateBackwardF32 } from "./activation";

/** Depth of one K block: a packed B micro-panel of KC x 8 floats is 8 KiB. */
const KC: i32 = 256;
/** Rows of one A block: MC x KC floats = 128 KiB, for L2. */
const MC: i32 = 128;
/** Rows of the batch chunk the dense backward pass keeps in cache at a time. */
const CHUNK: i32 = 64;

/**
 * Finishes 4 (or `count` <= 4) outputs of one tile row: adds what C holds if
 * `accumulate`; on the `final` K block adds the bias `bv` (zero for none), stores
 * the pre-activation (if `pre` is non-zero) and applies the activation.
 */
// @ts-ignore: decorator
@inline
function finishQuad(
  ptr: usize, pre: usize, v: v128, count: i32, accumulate: bool, final: bool, bv: v128, kind: i32, slope: f32,
): void {
  if (count <= 0) return;
  if (accumulate) v = f32x4.add(v, loadVec(ptr, count));
  if (final) {
    v = f32x4.add(v, bv);
    if (pre) storeVec(pre, v, count);
    if (kind == 1) v = f32x4.pmax(v, f32x4.splat(0));
    else if (kind != 0) v = activateV(v, kind, slope);
  }
  storeVec(ptr, v, count);
}

// @ts-ignore: decorator
@inline
function finishRow(
  c: usize, pre: usize, v0: v128, v1: v128, cols: i32, accumulate: bool, final: bool,
  bias0: v128, bias1: v128, kind: i32, slope: f32,
): void {
  if (cols == 8 && !accumulate && !pre && kind <= 1) {
    // The common case (full panel, one K block, none or relu), without per-quad tests.
    if (final) {
      v0 = f32x4.add(v0, bias0);
      v1 = f32x4.add(v1, bias1);
      if (kind == 1) {
        v0 = f32x4.pmax(v0, f32x4.splat(0));
        v1 = f32x4.pmax(v1, f32x4.splat(0));
      }
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
    return;
  }
  finishQuad(c, pre, v0, cols, accumulate, final, bias0, kind, slope);
  finishQuad(c + 16, pre ? pre + 16 : 0, v1, cols - 4, accumulate, final, bias1, kind, slope);
}

/**
 * One column panel of C over `rowsTotal` rows: C[i, 0..cols) (cols <= 8) = sum over
 * kc steps of A[i, k] B[k, 0..8), in 4 x 8 register tiles, then finished by
 * {@link finishRow}. A element (i, k) is at `a + (i / 4) st + (i % 4) sa + k sk`
 * bytes (st = 4 sa for a plain strided matrix; `tiled` when A is in the tiles of
 * {@link packATiles}). B row k is 8 floats at `b + k sb`. C row i is at `c + i ldc`
 * (and its pre-activation at `pre + i ldc`). A short last tile passes a valid row
 * pointer again for the rows past the end, computes them and does not store them,
 * so it runs at full speed.
 */
function panelRows(
  a: usize, sa: usize, st: usize, sk: usize, tiled: bool, rowsTotal: i32, b: usize, sb: usize, kc: i32,
  c: usize, ldc: usize, pre: usize, cols: i32, accumulate: bool, final: bool, bias: usize, kind: i32, slope: f32,
): void {
  let bias0 = f32x4.splat(0);
  let bias1 = bias0;
  if (final && bias) {
    bias0 = loadVec(bias, cols);
    bias1 = loadVec(bias + 16, cols - 4);
  }
  for (let i = 0; i < rowsTotal; i += 4) {
    const rows = min(4, rowsTotal - i);
    let a0 = a + <usize>(i >> 2) * st;
    let a1 = rows > 1 ? a0 + sa : a0;
    let a2 = rows > 2 ? a1 + sa : a1;
    let a3 = rows > 3 ? a2 + sa : a2;
    let bk = b;
    let c00 = f32x4.splat(0);
    let c01 = c00;
    let c10 = c00;
    let c11 = c00;
    let c20 = c00;
    let c21 = c00;
    let c30 = c00;
    let c31 = c00;
    if (sa == 4 && (rows == 4 || tiled)) {
      // Adjacent rows: one pointer with immediate offsets instead of four. A short
      // last tile can be read whole only if packed (it repeats its last row).
      for (let k = 0; k < kc; k++) {
        const b0 = v128.load(bk);
        const b1 = v128.load(bk, 16);
        let av = v128.load32_splat(a0);
        c00 = f32x4.add(c00, f32x4.mul(av, b0));
        c01 = f32x4.add(c01, f32x4.mul(av, b1));
        av = v128.load32_splat(a0, 4);
        c10 = f32x4.add(c10, f32x4.mul(av, b0));
        c11 = f32x4.add(c11, f32x4.mul(av, b1));
        av = v128.load32_splat(a0, 8);
        c20 = f32x4.add(c20, f32x4.mul(av, b0));
        c21 = f32x4.add(c21, f32x4.mul(av, b1));
        av = v128.load32_splat(a0, 12);
        c30 = f32x4.add(c30, f32x4.mul(av, b0));
        c31 = f32x4.add(c31, f32x4.mul(av, b1));
        a0 += sk;
        bk += sb;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const b0 = v128.load(bk);
        const b1 = v128.load(bk, 16);
        let av = v128.load32_splat(a0);
        c00 = f32x4.add(c00, f32x4.mul(av, b0));
        c01 = f32x4.add(c01, f32x4.mul(av, b1));
        av = v128.load32_splat(a1);
        c10 = f32x4.add(c10, f32x4.mul(av, b0));
        c11 = f32x4.add(c11, f32x4.mul(av, b1));
        av = v128.load32_splat(a2);
        c20 = f32x4.add(c20, f32x4.mul(av, b0));
        c21 = f32x4.add(c21, f32x4.mul(av, b1));
        av = v128.load32_splat(a3);
        c30 = f32x4.add(c30, f32x4.mul(av, b0));
        c31 = f32x4.add(c31, f32x4.mul(av, b1));
        a0 += sk;
        a1 += sk;
        a2 += sk;
        a3 += sk;
        bk += sb;
      }
    }
    const crow = c + <usize>i * ldc;
    const prow = pre ? pre + <usize>i * ldc : 0;
    finishRow(crow, prow, c00, c01, cols, accumulate, final, bias0, bias1, kind, slope);
    if (rows > 1) finishRow(crow + ldc, prow ? prow + ldc : 0, c10, c11, cols, accumulate, final, bias0, bias1, kind, slope);
    if (rows > 2) finishRow(crow + 2 * ldc, prow ? prow + 2 * ldc : 0, c20, c21, cols, accumulate, final, bias0, bias1, kind, slope);
    if (rows > 3) finishRow(crow + 3 * ldc, prow ? prow + 3 * ldc : 0, c30, c31, cols, accumulate, final, bias0, bias1, kind, slope);
  }
}

/** Number of 8-column panels of an N-column matrix. */
// @ts-ignore: decorator
@inline
function panelCount(n: i32): i32 {
  return (n + 7) >> 3;
}

/**
 * Packs B (K x N; stored as N x K when `transposed` != 0) into panels of 8 columns:
 * panel p holds, for each k, B[k, 8p .. 8p+7] (zeros past column N), at
 * `packed + (p K + k) 32` bytes. `packed` needs ceil(N/8) * 8 * K floats.
 */
export function packPanelsF32(b: usize, packed: usize, k: i32, n: i32, transposed: i32, tid: i32, numThreads: i32): void {
  const panels = panelCount(n);
  const p0 = rangeStart(panels, tid, numThreads);
  const p1 = rangeStart(panels, tid + 1, numThreads);
  const zero = f32x4.splat(0);
  for (let p = p0; p < p1; p++) {
    const dst = packed + <usize>p * <usize>k * 32;
    const j0 = p << 3;
    const cols = min(8, n - j0);
    if (transposed == 0) {
      for (let kk = 0; kk < k; kk++) {
        const src = b + ((<usize>kk * <usize>n + <usize>j0) << 2);
        const d = dst + (<usize>kk << 5);
        if (cols == 8) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        } else {
          v128.store(d, loadVec(src, cols));
          v128.store(d, loadVec(src + 16, cols - 4), 16);
        }
      }
    } else {
      // Column j of B is row j of the stored matrix: read rows contiguously.
      if (cols < 8) {
        for (let kk = 0; kk < k; kk++) {
          v128.store(dst + (<usize>kk << 5), zero);
          v128.store(dst + (<usize>kk << 5), zero, 16);
        }
      }
      for (let j = 0; j < cols; j++) {
        const src = b + ((<usize>(j0 + j) * <usize>k) << 2);
        const d = dst + (<usize>j << 2);
        for (let kk = 0; kk < k; kk++) store<f32>(d + (<usize>kk << 5), load<f32>(src + (<usize>kk << 2)));
      }
    }
  }
}

/** Bytes of one thread's A-packing scratch in {@link matmulF32}. */
// @ts-ignore: decorator
@inline
function packABytes(): usize {
  return <usize>(MC * KC) << 2;
}

/**
 * Copies rows [0, mc) x K steps [0, kc) of A (element (i, k) at `a + i sa + k sk`
 * bytes) into 4-row tiles: tile t holds, for each k, rows 4t..4t+3 as one f32x4 at
 * `dst + (t kc + k) 16`. Rows past mc repeat the last row. Contiguous tiles keep
 * the micro-kernel's A reads in a few cache lines whatever A's strides are (a
 * transposed A, or rows a power-of-two apart, would otherwise fall in one cache set).
 */
function packATiles(a: usize, sa: usize, sk: usize, mc: i32, kc: i32, dst: usize): void {
  for (let t = 0; t < mc; t += 4) {
    const rows = min(4, mc - t);
    const r0 = a + <usize>t * sa;
    const r1 = rows > 1 ? r0 + sa : r0;
    const r2 = rows > 2 ? r1 + sa : r1;
    const r3 = rows > 3 ? r2 + sa : r2;
    const d = dst + <usize>(t >> 2) * (<usize>kc << 4);
    let k = 0;
    if (sk == 4) {
      // Row-major A: load 4 k values of each row and transpose the 4 x 4 block.
      for (; k + 4 <= kc; k += 4) {
        const off = <usize>k << 2;
        const x0 = v128.load(r0 + off);
        const x1 = v128.load(r1 + off);
        const x2 = v128.load(r2 + off);
        const x3 = v128.load(r3 + off);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        const dk = d + (<usize>k << 4);
        v128.store(dk, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(dk, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
        v128.store(dk, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
        v128.store(dk, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
      }
    } else if (sa == 4 && rows == 4) {
      // Transposed A: the 4 rows of a tile are adjacent at each k.
      for (; k < kc; k++) v128.store(d + (<usize>k << 4), v128.load(r0 + <usize>k * sk));
    }
    for (; k < kc; k++) {
      const off = <usize>k * sk;
      let v = f32x4.splat(load<f32>(r0 + off));
      v = f32x4.replace_lane(v, 1, load<f32>(r1 + off));
      v = f32x4.replace_lane(v, 2, load<f32>(r2 + off));
      v = f32x4.replace_lane(v, 3, load<f32>(r3 + off));
      v128.store(d + (<usize>k << 4), v);
    }
  }
}

/**
 * Rows of one block of {@link matmulF32}: MC, or fewer (a multiple of 4) so that
 * each thread gets about 4 blocks when M is small.
 */
// @ts-ignore: decorator
@inline
function blockRows(m: i32, numThreads: i32): i32 {
  const perBlock = (m + 4 * numThreads - 1) / (4 * numThreads);
  return min(MC, max(4, (perBlock + 3) & ~3));
}

/**
 * C (M x N, row-major) = A B (+ bias, then activation), with A read as element
 * (i, k) at `a + i sa + k sk` bytes (sa = 4K, sk = 4 for A; sa = 4, sk = 4M for A
 * stored transposed) and B packed by {@link packPanelsF32}. `bias` (N floats) and
 * `pre` (where the pre-activation is stored, M x N) may be 0 for none. `packA` is 0
 * to read A in place (best for one short K block of a row-major A), else scratch
 * of MC KC floats per thread where each A block is packed into tiles first.
 *
 * Threads take blocks of rows from the i32 at `counter` (zero before the call)
 * with an atomic add, so on a busy machine a thread that gets less CPU time takes
 * fewer blocks instead of holding up the others. Each block is computed the same
 * whoever takes it: the result does not depend on the thread count.
 */
export function matmulF32(
  a: usize, packed: usize, c: usize, m: i32, n: i32, k: i32, sa: i32, sk: i32,
  bias: usize, pre: usize, kind: i32, slope: f32, packA: usize, counter: usize, tid: i32, numThreads: i32,
): void {
  const rb = blockRows(m, numThreads);
  const blocks = (m + rb - 1) / rb;
  const panels = panelCount(n);
  const ldc = <usize>n << 2;
  const rowStride = <usize>sa;
  const kStride = <usize>sk;
  const tiles = packA ? packA + <usize>tid * packABytes() : 0;
  for (;;) {
    const blk = atomic.add<i32>(counter, 1);
    if (blk >= blocks) break;
    const ic = blk * rb;
    const icEnd = min(ic + rb, m);
    // K = 0 still runs one (empty) block so the output gets bias and activation.
    for (let pc = 0; pc < k || pc == 0; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      const final = pc + kc >= k;
      let ab = a + <usize>ic * rowStride + <usize>pc * kStride;
      let ra = rowStride;
      let rt = rowStride << 2;
      let rk = kStride;
      if (tiles) {
        packATiles(ab, rowStride, kStride, icEnd - ic, kc, tiles);
        ab = tiles;
        ra = 4;
        rt = <usize>kc << 4;
        rk = 16;
      }
      for (let p = 0; p < panels; p++) {
        const bp = packed + ((<usize>p * <usize>k + <usize>pc) << 5);
        const cols = min(8, n - (p << 3));
        const colOff = <usize>p << 5;
        const biasP = bias ? bias + colOff : 0;
        const cOff = <usize>ic * ldc + colOff;
        panelRows(
          ab, ra, rt, rk, tiles != 0, icEnd - ic, bp, 32, kc,
          c + cOff, ldc, pre ? pre + cOff : 0, cols, accumulate, final, biasP, kind, slope,
        );
      }
    }
  }
}

/**
 * dy f'(.) for `count` (clamped to 0..4) outputs at byte offsets dy, y and z (z = 0
 * when there is no stored pre-activation); zero in the lanes past `count`.
 */
// @ts-ignore: decorator
@inline
function gradQuad(dy: usize, y: usize, z: usize, count: i32, kind: i32, slope: f32): v128 {
  const g = loadVec(dy, count);
  if (kind == 0) return g;
  const yv = loadVec(y, count);
  if (kind == 1) return v128.and(g, f32x4.gt(yv, f32x4.splat(0)));
  return activationGradV(g, yv, z ? loadVec(z, count) : f32x4.splat(0), kind, slope);
}

/** Floats of one group's partial sums in {@link denseBackwardF32}: dW (in x outP), db (outP); a multiple of 16. */
// @ts-ignore: decorator
@inline
function densePartialFloats(inF: i32, outF: i32): i32 {
  const outP = panelCount(outF) << 3;
  return (inF * outP + outP + 15) & ~15;
}

/**
 * Backward pass of y = f(x W + b) for x (N x in), W (in x out), y (N x out), in one
 * sweep over the batch. The rows are split into `groups` fixed contiguous ranges,
 * which threads take from the i32 counter at `scratch` (zero before the call) with
 * an atomic add. For each group, chunk by chunk (CHUNK rows, kept in cache):
 * dZ = dy * f'(y) (f'(pre) for sin), then dx = dZ W^T (from `packedWT`, W^T packed
 * by {@link packPanelsF32}), then x^T dZ and colsum(dZ) are added to the group's own
 * partial dW and db. {@link denseReduceF32} sums the partials in group order, so the
 * result depends on `groups` but not on which thread took which group. `flags`:
 * 1 dx, 2 dW, 4 db.
 *
 * scratch layout: the counter in the first 64 bytes; `groups` partials of
 * {@link densePartialFloats} floats (dW in x outP, outP = out rounded up to 8, then
 * db); then one dZ chunk (CHUNK x outP floats) per thread.
 */
export function denseBackwardF32(
  x: usize, packedWT: usize, y: usize, pre: usize, dy: usize, dx: usize, scratch: usize,
  n: i32, inF: i32, outF: i32, kind: i32, slope: f32, flags: i32, groups: i32, tid: i32, numThreads: i32,
): void {
  const outP = panelCount(outF) << 3;
  const ldz = <usize>outP << 2;
  const partBytes = <usize>densePartialFloats(inF, outF) << 2;
  const dz = scratch + 64 + <usize>groups * partBytes + <usize>tid * <usize>(CHUNK * outP << 2);
  const needDw = (flags & 2) != 0;
  const zero = f32x4.splat(0);
  for (;;) {
    const group = atomic.add<i32>(scratch, 1);
    if (group >= groups) break;
    const dwPart = scratch + 64 + <usize>group * partBytes;
    const dbPart = dwPart + <usize>inF * ldz;
    if (needDw) for (let i = 0; i < inF * outP; i += 4) v128.store(dwPart + (<usize>i << 2), zero);
    for (let j = 0; j < outP; j += 4) v128.store(dbPart + (<usize>j << 2), zero);
    denseBackwardRows(
      x, packedWT, y, pre, dy, dx, dz, dwPart, dbPart,
      rangeStart(n, group, groups), rangeStart(n, group + 1, groups), inF, outF, kind, slope, flags,
    );
  }
}

/** Rows [r0, r1) of {@link denseBackwardF32}, adding into the partials dwPart and dbPart. */
function denseBackwardRows(
  x: usize, packedWT: usize, y: usize, pre: usize, dy: usize, dx: usize, dz: usize, dwPart: usize, dbPart: usize,
  r0: i32, r1: i32, inF: i32, outF: i32, kind: i32, slope: f32, flags: i32,
): void {
  const outP = panelCount(outF) << 3;
  const ldz = <usize>outP << 2;
  const needDx = (flags & 1) != 0;
  const needDw = (flags & 2) != 0;
  const needDb = (flags & 4) != 0;
  const ldo = <usize>outF << 2;
  const ldi = <usize>inF << 2;
  const inPanels = panelCount(inF);
  const outPanels = outP >> 3;
  for (let r = r0; r < r1; r += CHUNK) {
    const rows = min(CHUNK, r1 - r);
    // dZ chunk, zero-padded to outP columns, and its column sums.
    for (let i = 0; i < rows; i++) {
      const rowOff = <usize>(r + i) * ldo;
      const zRow = dz + <usize>i * ldz;
      for (let j = 0; j < outP; j += 4) {
        const count = outF - j;
        const off = rowOff + (<usize>j << 2);
        const g = gradQuad(dy + off, y + off, pre ? pre + off : 0, count, kind, slope);
        v128.store(zRow + (<usize>j << 2), g);
        if (needDb) v128.store(dbPart + (<usize>j << 2), f32x4.add(v128.load(dbPart + (<usize>j << 2)), g));
      }
    }
    if (needDx) {
      // dx rows = dZ (rows x out) W^T (out x in).
      for (let p = 0; p < inPanels; p++) {
        panelRows(
          dz, ldz, ldz << 2, 4, false, rows, packedWT + ((<usize>p * <usize>outF) << 5), 32, outF,
          dx + <usize>r * ldi + (<usize>p << 5), ldi, 0, min(8, inF - (p << 3)), false, false, 0, 0, 0,
        );
      }
    }
    if (needDw) {
      // dW partial (in x outP) += x_chunk^T (in x rows) dZ (rows x outP).
      const xChunk = x + <usize>r * ldi;
      for (let p = 0; p < outPanels; p++) {
        panelRows(
          xChunk, 4, 16, ldi, false, inF, dz + (<usize>p << 5), ldz, rows,
          dwPart + (<usize>p << 5), ldz, 0, min(8, outF - (p << 3)), true, false, 0, 0, 0,
        );
      }
    }
  }
}

/**
 * Sums the `groups` partials of {@link denseBackwardF32}, in group order, into dW
 * (in x out) and db (out), for those of `flags` (2 dW, 4 db) that are set.
 */
export function denseReduceF32(
  scratch: usize, dw: usize, db: usize, inF: i32, outF: i32, flags: i32, groups: i32, tid: i32, numThreads: i32,
): void {
  const outP = panelCount(outF) << 3;
  const ldz = <usize>outP << 2;
  const stride = <usize>densePartialFloats(inF, outF) << 2;
  const base = scratch + 64;
  // Items 0..in-1 are rows of dW, item `in` is db.
  const i0 = rangeStart(inF + 1, tid, numThreads);
  const i1 = rangeStart(inF + 1, tid + 1, numThreads);
  for (let i = i0; i < i1; i++) {
    let src: usize;
    let dst: usize;
    if (i < inF) {
      if ((flags & 2) == 0) continue;
      src = base + <usize>i * ldz;
      dst = dw + ((<usize>i * <usize>outF) << 2);
    } else {
      if ((flags & 4) == 0) continue;
      src = base + <usize>inF * ldz;
      dst = db;
    }
    for (let j = 0; j < outF; j += 4) {
      let s = v128.load(src + (<usize>j << 2));
      for (let g = 1; g < groups; g++) s = f32x4.add(s, v128.load(src + <usize>g * stride + (<usize>j << 2)));
      storeVec(dst + (<usize>j << 2), s, outF - j);
    }
  }
}
