// Positional encoding (NeRF, Mildenhall et al. 2020, https://arxiv.org/abs/2003.08934)
// with a per-frequency window (Nerfies, Park et al. 2021, https://arxiv.org/abs/2011.12948).
//
// Output row of a point x [D]: [x (if includeInput), then for each frequency k = 0..F-1:
// w_k sin(2^k pi x_0..x_{D-1}), w_k cos(2^k pi x_0..x_{D-1})].
//
// sin(pi y) and cos(pi y) are computed from y = 2^k x, which is exact in float32, by
// reducing y modulo 1/2 exactly (no rounded pi enters the reduction), so the error is
// that of a polynomial on [-pi/4, pi/4] (~1e-7) for any frequency.
import { rangeStart } from "./partition";

// Taylor coefficients of sin(pi r) and cos(pi r) in r; |r| <= 1/4 keeps the first
// omitted term below 2e-9 (sin) and 1.1e-10 (cos).
// @ts-ignore: decorator
@inline const S1: f32 = 3.1415926535897931;
// @ts-ignore: decorator
@inline const S3: f32 = -5.1677127800499694;
// @ts-ignore: decorator
@inline const S5: f32 = 2.5501640398773451;
// @ts-ignore: decorator
@inline const S7: f32 = -0.59926452932079188;
// @ts-ignore: decorator
@inline const S9: f32 = 0.082145886611128191;
// @ts-ignore: decorator
@inline const C2: f32 = -4.934802200544679;
// @ts-ignore: decorator
@inline const C4: f32 = 4.0587121264167676;
// @ts-ignore: decorator
@inline const C6: f32 = -1.3352627688545893;
// @ts-ignore: decorator
@inline const C8: f32 = 0.23533063035889312;
// @ts-ignore: decorator
@inline const C10: f32 = -0.025806891390014051;
// @ts-ignore: decorator
@inline const PI_F32: f32 = 3.1415926535897931;

/** nearest(2y): the number of half turns of pi*y, as a float. */
// @ts-ignore: decorator
@inline
function halfTurns(y: v128): v128 {
  return f32x4.nearest(f32x4.add(y, y));
}

/** y - halfTurns(y)/2, exact in float32; |r| <= 1/4. */
// @ts-ignore: decorator
@inline
function halfTurnRemainder(y: v128, turns: v128): v128 {
  return f32x4.sub(y, f32x4.mul(turns, f32x4.splat(0.5)));
}

/** turns mod 4 as i32 lanes in {0, 1, 2, 3}; exact for every float (large ones are multiples of 4). */
// @ts-ignore: decorator
@inline
function quadrant(turns: v128): v128 {
  const m = f32x4.sub(turns, f32x4.mul(f32x4.floor(f32x4.mul(turns, f32x4.splat(0.25))), f32x4.splat(4)));
  return i32x4.trunc_sat_f32x4_s(m);
}

// @ts-ignore: decorator
@inline
function sinPiPoly(r: v128, r2: v128): v128 {
  let p = f32x4.add(f32x4.splat(S7), f32x4.mul(r2, f32x4.splat(S9)));
  p = f32x4.add(f32x4.splat(S5), f32x4.mul(r2, p));
  p = f32x4.add(f32x4.splat(S3), f32x4.mul(r2, p));
  p = f32x4.add(f32x4.splat(S1), f32x4.mul(r2, p));
  return f32x4.mul(r, p);
}

// @ts-ignore: decorator
@inline
function cosPiPoly(r2: v128): v128 {
  let p = f32x4.add(f32x4.splat(C8), f32x4.mul(r2, f32x4.splat(C10)));
  p = f32x4.add(f32x4.splat(C6), f32x4.mul(r2, p));
  p = f32x4.add(f32x4.splat(C4), f32x4.mul(r2, p));
  p = f32x4.add(f32x4.splat(C2), f32x4.mul(r2, p));
  return f32x4.add(f32x4.splat(1), f32x4.mul(r2, p));
}

/** sin(pi y) from the polynomials s = sin(pi r), c = cos(pi r) and the quadrant q of y. */
// @ts-ignore: decorator
@inline
function sinFromParts(s: v128, c: v128, q: v128): v128 {
  const odd = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const sign = i32x4.shl(v128.and(q, i32x4.splat(2)), 30);
  return v128.xor(v128.bitselect(c, s, odd), sign);
}

/** cos(pi y) from the polynomials s = sin(pi r), c = cos(pi r) and the quadrant q of y. */
// @ts-ignore: decorator
@inline
function cosFromParts(s: v128, c: v128, q: v128): v128 {
  const odd = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const sign = i32x4.shl(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), 30);
  return v128.xor(v128.bitselect(s, c, odd), sign);
}

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

/** sinOut[i] = sin(pi y[i]), cosOut[i] = cos(pi y[i]) for n floats (the encoding's sine, exposed for tests). */
export function fieldsSinCosPi(y: usize, sinOut: usize, cosOut: usize, n: i32, tid: i32, numThreads: i32): void {
  const i0 = rangeStart(n, tid, numThreads);
  const i1 = rangeStart(n, tid + 1, numThreads);
  for (let i = i0; i < i1; i += 4) {
    const count = min(4, i1 - i);
    const off = <usize>i << 2;
    const v = loadColumn(y + off, 4, count);
    const turns = halfTurns(v);
    const r = halfTurnRemainder(v, turns);
    const r2 = f32x4.mul(r, r);
    const q = quadrant(turns);
    const s = sinPiPoly(r, r2);
    const c = cosPiPoly(r2);
    storeColumn(sinOut + off, 4, count, sinFromParts(s, c, q));
    storeColumn(cosOut + off, 4, count, cosFromParts(s, c, q));
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
        const y = f32x4.mul(xd, f32x4.splat(scale));
        const turns = halfTurns(y);
        const r = halfTurnRemainder(y, turns);
        const r2 = f32x4.mul(r, r);
        const q = quadrant(turns);
        const s = sinPiPoly(r, r2);
        const c = cosPiPoly(r2);
        const w = f32x4.splat(load<f32>(window + (<usize>k << 2)));
        const col = outBlock + (<usize>(inCols + 2 * dims * k + d) << 2);
        storeColumn(col, outRowBytes, count, f32x4.mul(w, sinFromParts(s, c, q)));
        storeColumn(col + (<usize>dims << 2), outRowBytes, count, f32x4.mul(w, cosFromParts(s, c, q)));
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
        const turns = halfTurns(y);
        const r = halfTurnRemainder(y, turns);
        const r2 = f32x4.mul(r, r);
        const q = quadrant(turns);
        const s = sinPiPoly(r, r2);
        const c = cosPiPoly(r2);
        const col = gBlock + (<usize>(inCols + 2 * dims * k + d) << 2);
        const gSin = loadColumn(col, gRowBytes, count);
        const gCos = loadColumn(col + (<usize>dims << 2), gRowBytes, count);
        const factor = f32x4.splat(load<f32>(window + (<usize>k << 2)) * scale * PI_F32);
        const inner = f32x4.sub(f32x4.mul(gSin, cosFromParts(s, c, q)), f32x4.mul(gCos, sinFromParts(s, c, q)));
        acc = f32x4.add(acc, f32x4.mul(factor, inner));
        scale *= 2;
      }
      storeColumn(dX + <usize>n * xRowBytes + (<usize>d << 2), xRowBytes, count, acc);
    }
  }
}
