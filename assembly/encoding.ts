// Positional encoding (NeRF, Mildenhall et al. 2020, https://arxiv.org/abs/2003.08934)
// with a per-frequency window (Nerfies, Park et al. 2021, https://arxiv.org/abs/2011.12948).
//
// Output row of a point x [D]: [x (if includeInput), then for each frequency k = 0..F-1:
// w_k sin(2^k pi x_0..x_{D-1}), w_k cos(2^k pi x_0..x_{D-1})].
//
// sin(pi y) and cos(pi y) are computed from y = 2^k x, which is exact in float32, with
// sinPiV / cosPiV, whose exact reduction keeps the error near 1e-7 for any frequency.
import { cosPiFromParts, cosPiPoly, halfTurnRemainder, halfTurnsPi, quadrant, sinPiFromParts, sinPiPoly } from "./math";
import { rangeStart } from "./partition";

// @ts-ignore: decorator
@inline const PI_F32: f32 = 3.1415926535897931;

/** Lanes j < count of column `col` of rows `row0 + j` of a row-major matrix; other lanes 0. */
// @ts-ignore: decorator
@inline
function loadColumn(base: usize, rowBytes: usize, count: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(base));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(base + rowBytes));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(base + 2 * rowBytes));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(base + 3 * rowBytes));
  return v;
}

/** Stores lanes j < count of `v` at base + j * rowBytes. */
// @ts-ignore: decorator
@inline
function storeColumn(base: usize, rowBytes: usize, count: i32, v: v128): void {
  store<f32>(base, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(base + rowBytes, f32x4.extract_lane(v, 1));
  if (count > 2) store<f32>(base + 2 * rowBytes, f32x4.extract_lane(v, 2));
  if (count > 3) store<f32>(base + 3 * rowBytes, f32x4.extract_lane(v, 3));
}

/** w sin(pi y) and w cos(pi y) for lanes j < count of y, stored at sinCol + j * rowBytes and cosCol + j * rowBytes. */
// @ts-ignore: decorator
@inline
function storeSinCosPi(y: v128, w: v128, sinCol: usize, cosCol: usize, rowBytes: usize, count: i32): void {
  const turns = halfTurnsPi(y);
  const r = halfTurnRemainder(y, turns);
  const s = sinPiPoly(r);
  const c = cosPiPoly(r);
  const q = quadrant(turns);
  storeColumn(sinCol, rowBytes, count, f32x4.mul(w, sinPiFromParts(s, c, q)));
  storeColumn(cosCol, rowBytes, count, f32x4.mul(w, cosPiFromParts(s, c, q)));
}

/** sinOut[i] = sin(pi y[i]), cosOut[i] = cos(pi y[i]) for n floats (the encoding's sine, exposed for tests). */
export function fieldsSinCosPi(y: usize, sinOut: usize, cosOut: usize, n: i32, tid: i32, numThreads: i32): void {
  const i0 = rangeStart(n, tid, numThreads);
  const i1 = rangeStart(n, tid + 1, numThreads);
  for (let i = i0; i < i1; i += 4) {
    const count = min(4, i1 - i);
    const off = <usize>i << 2;
    storeSinCosPi(loadColumn(y + off, 4, count), f32x4.splat(1), sinOut + off, cosOut + off, 4, count);
  }
}

/**
 * Forward: x [N, D], window [F] -> out [N, D * includeInput + 2 D F] (column order in
 * the file header). Threads own ranges of points; four points are encoded at once.
 */
export function posencForward(
  x: usize,
  window: usize,
  out: usize,
  numPoints: i32,
  dims: i32,
  numFrequencies: i32,
  includeInput: i32,
  tid: i32,
  numThreads: i32,
): void {
  const n0 = rangeStart(numPoints, tid, numThreads);
  const n1 = rangeStart(numPoints, tid + 1, numThreads);
  const inCols = includeInput ? dims : 0;
  const xRowBytes = <usize>dims << 2;
  const outRowBytes = <usize>(inCols + 2 * dims * numFrequencies) << 2;
  for (let n = n0; n < n1; n += 4) {
    const count = min(4, n1 - n);
    const xBlock = x + <usize>n * xRowBytes;
    const outBlock = out + <usize>n * outRowBytes;
    for (let j = 0; j < count; j++) {
      for (let d = 0; d < inCols; d++) {
        store<f32>(outBlock + <usize>j * outRowBytes + (<usize>d << 2), load<f32>(xBlock + <usize>j * xRowBytes + (<usize>d << 2)));
      }
    }
    for (let d = 0; d < dims; d++) {
      const xd = loadColumn(xBlock + (<usize>d << 2), xRowBytes, count);
      let scale: f32 = 1;
      for (let k = 0; k < numFrequencies; k++) {
        const w = f32x4.splat(load<f32>(window + (<usize>k << 2)));
        const col = outBlock + (<usize>(inCols + 2 * dims * k + d) << 2);
        storeSinCosPi(f32x4.mul(xd, f32x4.splat(scale)), w, col, col + (<usize>dims << 2), outRowBytes, count);
        scale *= 2;
      }
    }
  }
}

/**
 * Backward: dX[n, d] = g_in[n, d] + sum_k w_k 2^k pi (g_sin cos(2^k pi x) - g_cos sin(2^k pi x)),
 * where `grad` is d loss / d out in the forward's column order. Overwrites dX.
 */
export function posencBackward(
  x: usize,
  window: usize,
  grad: usize,
  dX: usize,
  numPoints: i32,
  dims: i32,
  numFrequencies: i32,
  includeInput: i32,
  tid: i32,
  numThreads: i32,
): void {
  const n0 = rangeStart(numPoints, tid, numThreads);
  const n1 = rangeStart(numPoints, tid + 1, numThreads);
  const inCols = includeInput ? dims : 0;
  const xRowBytes = <usize>dims << 2;
  const gRowBytes = <usize>(inCols + 2 * dims * numFrequencies) << 2;
  for (let n = n0; n < n1; n += 4) {
    const count = min(4, n1 - n);
    const xBlock = x + <usize>n * xRowBytes;
    const gBlock = grad + <usize>n * gRowBytes;
    for (let d = 0; d < dims; d++) {
      const xd = loadColumn(xBlock + (<usize>d << 2), xRowBytes, count);
      let acc = includeInput ? loadColumn(gBlock + (<usize>d << 2), gRowBytes, count) : f32x4.splat(0);
      let scale: f32 = 1;
      for (let k = 0; k < numFrequencies; k++) {
        const y = f32x4.mul(xd, f32x4.splat(scale));
        const turns = halfTurnsPi(y);
        const r = halfTurnRemainder(y, turns);
        const s = sinPiPoly(r);
        const c = cosPiPoly(r);
        const q = quadrant(turns);
        const col = gBlock + (<usize>(inCols + 2 * dims * k + d) << 2);
        const gSin = loadColumn(col, gRowBytes, count);
        const gCos = loadColumn(col + (<usize>dims << 2), gRowBytes, count);
        const factor = f32x4.splat(load<f32>(window + (<usize>k << 2)) * scale * PI_F32);
        const inner = f32x4.sub(f32x4.mul(gSin, cosPiFromParts(s, c, q)), f32x4.mul(gCos, sinPiFromParts(s, c, q)));
        acc = f32x4.add(acc, f32x4.mul(factor, inner));
        scale *= 2;
      }
      storeColumn(dX + <usize>n * xRowBytes + (<usize>d << 2), xRowBytes, count, acc);
    }
  }
}
