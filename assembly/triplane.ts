// Tri-plane feature sampling (EG3D, Chan et al. 2022, https://arxiv.org/abs/2112.07945):
// bilinear lookups in three axis-aligned feature planes, forward and backward.
//
// Layout: planes [3, R, R, C] channel-last (plane 0 = xy, 1 = xz, 2 = yz); points
// [N, 3] in [-1, 1]. Plane p is addressed as (col, row) = (u, v) with
// (u, v) = (x, y), (x, z), (y, z) for p = 0, 1, 2, i.e. u picks the column
// (fastest spatial axis) and v the row, as grid_sample's (x, y) does.
// Coordinates follow align_corners = false: texel i's centre sits at
// u = (2i + 1) / R - 1; the continuous texel coordinate is clamped to [0, R - 1]
// (border padding), and the gradient with respect to a clamped coordinate is zero.
import { clampV, sumLanesPair } from "./math";
import { rangeStart } from "./partition";

// Per point, the three planes are set up at once in the lanes of f32x4/i32x4 vectors:
// lane p holds plane p's (u, v) = (x, y), (x, z), (y, z); lane 3 repeats (x, z) unused.

/** Lanes (x, x, y, x): the column coordinate of planes 0, 1, 2. */
// @ts-ignore: decorator
@inline
function columnCoordinates(x: f32, y: f32): v128 {
  return f32x4.replace_lane(f32x4.splat(x), 2, y);
}

/** Lanes (y, z, z, z): the row coordinate of planes 0, 1, 2. */
// @ts-ignore: decorator
@inline
function rowCoordinates(y: f32, z: f32): v128 {
  return f32x4.replace_lane(f32x4.splat(z), 0, y);
}

/** Continuous texel position ((w + 1) R - 1) / 2 of coordinates w, before the border clamp. */
// @ts-ignore: decorator
@inline
function texelPosition(w: v128, res: f32): v128 {
  return f32x4.mul(f32x4.sub(f32x4.mul(f32x4.add(w, f32x4.splat(1)), f32x4.splat(res)), f32x4.splat(1)), f32x4.splat(0.5));
}

// @ts-ignore: decorator
@inline
function clampTexel(g: v128, res: f32): v128 {
  return clampV(g, f32x4.splat(0), f32x4.splat(res - 1));
}

/** Index of the lower tap, at most R - 2 so that the upper tap exists (0 when R = 1). */
// @ts-ignore: decorator
@inline
function lowerTap(f: v128, res: i32): v128 {
  return i32x4.min_s(i32x4.trunc_sat_f32x4_s(f), i32x4.splat(max(res - 2, 0)));
}

// @ts-ignore: decorator
@inline
function upperTap(i0: v128, res: i32): v128 {
  return i32x4.min_s(i32x4.add(i0, i32x4.splat(1)), i32x4.splat(res - 1));
}

/** Byte offsets (0, planeBytes, 2 planeBytes, 0) of the planes, per lane. */
// @ts-ignore: decorator
@inline
function planeOffsets(planeBytes: i32): v128 {
  const lane = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(0), 1, 1), 2, 2);
  return i32x4.mul(lane, i32x4.splat(planeBytes));
}

/** dst (+)= w00 t00 + w01 t01 + w10 t10 + w11 t11 over `channels` floats; weights are broadcast vectors. */
// @ts-ignore: decorator
@inline
function samplePlane(
  t00: usize,
  t01: usize,
  t10: usize,
  t11: usize,
  w00: v128,
  w01: v128,
  w10: v128,
  w11: v128,
  dst: usize,
  channels: i32,
  accumulate: bool,
): void {
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const off = <usize>c << 2;
    let acc = f32x4.mul(v128.load(t00 + off), w00);
    acc = f32x4.add(acc, f32x4.mul(v128.load(t01 + off), w01));
    acc = f32x4.add(acc, f32x4.mul(v128.load(t10 + off), w10));
    acc = f32x4.add(acc, f32x4.mul(v128.load(t11 + off), w11));
    if (accumulate) acc = f32x4.add(acc, v128.load(dst + off));
    v128.store(dst + off, acc);
  }
  if (c < channels) {
    const s00 = f32x4.extract_lane(w00, 0);
    const s01 = f32x4.extract_lane(w01, 0);
    const s10 = f32x4.extract_lane(w10, 0);
    const s11 = f32x4.extract_lane(w11, 0);
    for (; c < channels; c++) {
      const off = <usize>c << 2;
      let s = load<f32>(t00 + off) * s00 + load<f32>(t01 + off) * s01 + load<f32>(t10 + off) * s10 + load<f32>(t11 + off) * s11;
      if (accumulate) s += load<f32>(dst + off);
      store<f32>(dst + off, s);
    }
  }
}

/**
 * Forward: out[n] = sum over planes of the bilinear sample (reduce = sum, out [N, C])
 * or the three samples side by side (concat, out [N, 3C], plane-major).
 * Threads own contiguous ranges of points.
 */
export function triplaneForward(
  planes: usize,
  points: usize,
  out: usize,
  numPoints: i32,
  res: i32,
  channels: i32,
  concat: i32,
  tid: i32,
  numThreads: i32,
): void {
  const n0 = rangeStart(numPoints, tid, numThreads);
  const n1 = rangeStart(numPoints, tid + 1, numThreads);
  const resF = <f32>res;
  const texelBytes = channels << 2;
  const rowBytes = res * texelBytes;
  const planeOff = planeOffsets(res * rowBytes);
  const vRowBytes = i32x4.splat(rowBytes);
  const vTexelBytes = i32x4.splat(texelBytes);
  const tb = <usize>texelBytes;
  const outRowBytes = concat ? tb * 3 : tb;
  const one = f32x4.splat(1);
  for (let n = n0; n < n1; n++) {
    const pt = points + <usize>n * 12;
    const x = load<f32>(pt);
    const y = load<f32>(pt, 4);
    const z = load<f32>(pt, 8);
    const fu = clampTexel(texelPosition(columnCoordinates(x, y), resF), resF);
    const fv = clampTexel(texelPosition(rowCoordinates(y, z), resF), resF);
    const iu = lowerTap(fu, res);
    const iv = lowerTap(fv, res);
    const tu = f32x4.sub(fu, f32x4.convert_i32x4_s(iu));
    const tv = f32x4.sub(fv, f32x4.convert_i32x4_s(iv));
    const r0 = i32x4.add(i32x4.mul(iv, vRowBytes), planeOff);
    const r1 = i32x4.add(i32x4.mul(upperTap(iv, res), vRowBytes), planeOff);
    const c0 = i32x4.mul(iu, vTexelBytes);
    const c1 = i32x4.mul(upperTap(iu, res), vTexelBytes);
    const o00 = i32x4.add(r0, c0);
    const o01 = i32x4.add(r0, c1);
    const o10 = i32x4.add(r1, c0);
    const o11 = i32x4.add(r1, c1);
    const su = f32x4.sub(one, tu);
    const sv = f32x4.sub(one, tv);
    const w00 = f32x4.mul(su, sv);
    const w01 = f32x4.mul(tu, sv);
    const w10 = f32x4.mul(su, tv);
    const w11 = f32x4.mul(tu, tv);
    const outRow = out + <usize>n * outRowBytes;
    samplePlane(
      planes + <usize>i32x4.extract_lane(o00, 0),
      planes + <usize>i32x4.extract_lane(o01, 0),
      planes + <usize>i32x4.extract_lane(o10, 0),
      planes + <usize>i32x4.extract_lane(o11, 0),
      f32x4.shuffle(w00, w00, 0, 0, 0, 0),
      f32x4.shuffle(w01, w01, 0, 0, 0, 0),
      f32x4.shuffle(w10, w10, 0, 0, 0, 0),
      f32x4.shuffle(w11, w11, 0, 0, 0, 0),
      outRow,
      channels,
      false,
    );
    samplePlane(
      planes + <usize>i32x4.extract_lane(o00, 1),
      planes + <usize>i32x4.extract_lane(o01, 1),
      planes + <usize>i32x4.extract_lane(o10, 1),
      planes + <usize>i32x4.extract_lane(o11, 1),
      f32x4.shuffle(w00, w00, 1, 1, 1, 1),
      f32x4.shuffle(w01, w01, 1, 1, 1, 1),
      f32x4.shuffle(w10, w10, 1, 1, 1, 1),
      f32x4.shuffle(w11, w11, 1, 1, 1, 1),
      concat ? outRow + tb : outRow,
      channels,
      !concat,
    );
    samplePlane(
      planes + <usize>i32x4.extract_lane(o00, 2),
      planes + <usize>i32x4.extract_lane(o01, 2),
      planes + <usize>i32x4.extract_lane(o10, 2),
      planes + <usize>i32x4.extract_lane(o11, 2),
      f32x4.shuffle(w00, w00, 2, 2, 2, 2),
      f32x4.shuffle(w01, w01, 2, 2, 2, 2),
      f32x4.shuffle(w10, w10, 2, 2, 2, 2),
      f32x4.shuffle(w11, w11, 2, 2, 2, 2),
      concat ? outRow + 2 * tb : outRow,
      channels,
      !concat,
    );
  }
}

/** p[0..4) += v. */
// @ts-ignore: decorator
@inline
function addTo(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}

/** p[0] += v. */
// @ts-ignore: decorator
@inline
function addToS(p: usize, v: f32): void {
  store<f32>(p, load<f32>(p) + v);
}

/**
 * Backward of one row of taps (texel offsets oA, oB; broadcast weights wA, wB) for one
 * point: dPlanes at the taps += g * w (when `wantPlanes`); returns (g . planes[oA],
 * g . planes[oB], ., .) for the point gradient (when `wantPoints`; else zeros).
 */
// @ts-ignore: decorator
@inline
function backwardRow(
  planes: usize,
  dPlanes: usize,
  oA: usize,
  oB: usize,
  wA: v128,
  wB: v128,
  g: usize,
  channels: i32,
  wantPlanes: bool,
  wantPoints: bool,
): v128 {
  const dA = dPlanes + oA;
  const dB = dPlanes + oB;
  const pA = planes + oA;
  const pB = planes + oB;
  let accA = f32x4.splat(0);
  let accB = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const off = <usize>c << 2;
    const gc = v128.load(g + off);
    if (wantPoints) {
      accA = f32x4.add(accA, f32x4.mul(gc, v128.load(pA + off)));
      accB = f32x4.add(accB, f32x4.mul(gc, v128.load(pB + off)));
    }
    if (wantPlanes) {
      // Taps may coincide at the border: the second update loads after the first store.
      addTo(dA + off, f32x4.mul(gc, wA));
      addTo(dB + off, f32x4.mul(gc, wB));
    }
  }
  let result = sumLanesPair(accA, accB);
  if (c < channels) {
    const sA = f32x4.extract_lane(wA, 0);
    const sB = f32x4.extract_lane(wB, 0);
    let a: f32 = 0;
    let b: f32 = 0;
    for (; c < channels; c++) {
      const off = <usize>c << 2;
      const gc = load<f32>(g + off);
      if (wantPoints) {
        a += gc * load<f32>(pA + off);
        b += gc * load<f32>(pB + off);
      }
      if (wantPlanes) {
        addToS(dA + off, gc * sA);
        addToS(dB + off, gc * sB);
      }
    }
    result = f32x4.add(result, f32x4.replace_lane(f32x4.splat(a), 1, b));
  }
  return result;
}

/**
 * Row ownership of the planes gradient: blocks of 8 texel rows (row >> 3) are dealt to
 * the threads in turn (block mod numThreads). Returns all-ones lanes where the lane's
 * row belongs to thread `tid`. Interleaved blocks keep the work balanced unless the
 * points crowd into a few blocks; a thread writes whole texel rows, so threads share
 * no cache line when a row is a multiple of 64 bytes.
 */
// @ts-ignore: decorator
@inline
function ownedRows(rows: v128, tid: i32, numThreads: i32): v128 {
  const block = f32x4.convert_i32x4_s(i32x4.shr_s(rows, 3));
  const t = f32x4.splat(<f32>numThreads);
  const q = f32x4.floor(f32x4.div(f32x4.add(block, f32x4.splat(0.5)), t));
  return f32x4.eq(f32x4.sub(block, f32x4.mul(q, t)), f32x4.splat(<f32>tid));
}

/**
 * Backward of one plane for one point when this thread owns both tap rows: one pass
 * over the channels updates the four taps and accumulates the point gradient.
 * Returns (d/d tu, d/d tv, ., .) of g . sample; tu, tv are broadcast vectors.
 */
// @ts-ignore: decorator
@inline
function backwardFourTaps(
  planes: usize,
  dPlanes: usize,
  o00: usize,
  o01: usize,
  o10: usize,
  o11: usize,
  tu: v128,
  tv: v128,
  g: usize,
  channels: i32,
  wantPlanes: bool,
  wantPoints: bool,
): v128 {
  const one = f32x4.splat(1);
  const su = f32x4.sub(one, tu);
  const sv = f32x4.sub(one, tv);
  const w00 = f32x4.mul(su, sv);
  const w01 = f32x4.mul(tu, sv);
  const w10 = f32x4.mul(su, tv);
  const w11 = f32x4.mul(tu, tv);
  const d00 = dPlanes + o00;
  const d01 = dPlanes + o01;
  const d10 = dPlanes + o10;
  const d11 = dPlanes + o11;
  const a00 = planes + o00;
  const a01 = planes + o01;
  const a10 = planes + o10;
  const a11 = planes + o11;
  let accU = f32x4.splat(0);
  let accV = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const off = <usize>c << 2;
    const gc = v128.load(g + off);
    if (wantPoints) {
      const p00 = v128.load(a00 + off);
      const p01 = v128.load(a01 + off);
      const p10 = v128.load(a10 + off);
      const p11 = v128.load(a11 + off);
      const e0 = f32x4.sub(p01, p00);
      const e1 = f32x4.sub(p11, p10);
      accU = f32x4.add(accU, f32x4.mul(gc, f32x4.add(e0, f32x4.mul(tv, f32x4.sub(e1, e0)))));
      const h0 = f32x4.sub(p10, p00);
      const h1 = f32x4.sub(p11, p01);
      accV = f32x4.add(accV, f32x4.mul(gc, f32x4.add(h0, f32x4.mul(tu, f32x4.sub(h1, h0)))));
    }
    if (wantPlanes) {
      // Taps may coincide at the border: each update is loaded after the previous store.
      addTo(d00 + off, f32x4.mul(gc, w00));
      addTo(d01 + off, f32x4.mul(gc, w01));
      addTo(d10 + off, f32x4.mul(gc, w10));
      addTo(d11 + off, f32x4.mul(gc, w11));
    }
  }
  if (!wantPoints && c == channels) return accU;
  // Lanes (sum accU, sum accV, ., .).
  let result = sumLanesPair(accU, accV);
  if (c < channels) {
    const stu = f32x4.extract_lane(tu, 0);
    const stv = f32x4.extract_lane(tv, 0);
    const s00 = f32x4.extract_lane(w00, 0);
    const s01 = f32x4.extract_lane(w01, 0);
    const s10 = f32x4.extract_lane(w10, 0);
    const s11 = f32x4.extract_lane(w11, 0);
    let du: f32 = 0;
    let dv: f32 = 0;
    for (; c < channels; c++) {
      const off = <usize>c << 2;
      const gc = load<f32>(g + off);
      if (wantPoints) {
        const p00 = load<f32>(a00 + off);
        const p01 = load<f32>(a01 + off);
        const p10 = load<f32>(a10 + off);
        const p11 = load<f32>(a11 + off);
        du += gc * ((p01 - p00) * (<f32>1 - stv) + (p11 - p10) * stv);
        dv += gc * ((p10 - p00) * (<f32>1 - stu) + (p11 - p01) * stu);
      }
      if (wantPlanes) {
        addToS(d00 + off, gc * s00);
        addToS(d01 + off, gc * s01);
        addToS(d10 + off, gc * s10);
        addToS(d11 + off, gc * s11);
      }
    }
    result = f32x4.add(result, f32x4.replace_lane(f32x4.splat(du), 1, dv));
  }
  return result;
}

/**
 * Backward of one plane for one point, for the tap rows this thread owns (`own0`: the
 * lower row, `own1`: the upper). Returns (d/d tu, d/d tv, ., .) of g . sample over
 * those taps: the bilinear weights are (1 - tu, tu) x (1 - tv, tv), linear in each.
 */
// @ts-ignore: decorator
@inline
function backwardPlaneImpl(
  planes: usize,
  dPlanes: usize,
  o00: usize,
  o01: usize,
  o10: usize,
  o11: usize,
  tu: f32,
  tv: f32,
  own0: bool,
  own1: bool,
  g: usize,
  channels: i32,
  wantPlanes: bool,
  wantPoints: bool,
): v128 {
  if (own0 && own1) {
    const vtu = f32x4.splat(tu);
    const vtv = f32x4.splat(tv);
    return backwardFourTaps(planes, dPlanes, o00, o01, o10, o11, vtu, vtv, g, channels, wantPlanes, wantPoints);
  }
  // A block boundary between the rows: one row's taps only.
  let du: f32 = 0;
  let dv: f32 = 0;
  if (own0) {
    const w0 = f32x4.splat((<f32>1 - tu) * (<f32>1 - tv));
    const w1 = f32x4.splat(tu * (<f32>1 - tv));
    const ab = backwardRow(planes, dPlanes, o00, o01, w0, w1, g, channels, wantPlanes, wantPoints);
    const a = f32x4.extract_lane(ab, 0);
    const b = f32x4.extract_lane(ab, 1);
    du += (<f32>1 - tv) * (b - a);
    dv -= (<f32>1 - tu) * a + tu * b;
  }
  if (own1) {
    const w0 = f32x4.splat((<f32>1 - tu) * tv);
    const w1 = f32x4.splat(tu * tv);
    const ab = backwardRow(planes, dPlanes, o10, o11, w0, w1, g, channels, wantPlanes, wantPoints);
    const a = f32x4.extract_lane(ab, 0);
    const b = f32x4.extract_lane(ab, 1);
    du += tv * (b - a);
    dv += (<f32>1 - tu) * a + tu * b;
  }
  return f32x4.replace_lane(f32x4.splat(du), 1, dv);
}

// One plane's backward as a real function per gradient mode: inlining all three planes
// into the point loop costs more in register spills than the calls do.
function backwardPlaneGrad(
  planes: usize,
  dPlanes: usize,
  o00: usize,
  o01: usize,
  o10: usize,
  o11: usize,
  tu: f32,
  tv: f32,
  own0: bool,
  own1: bool,
  g: usize,
  channels: i32,
): v128 {
  return backwardPlaneImpl(planes, dPlanes, o00, o01, o10, o11, tu, tv, own0, own1, g, channels, true, false);
}

function backwardPointGrad(
  planes: usize,
  dPlanes: usize,
  o00: usize,
  o01: usize,
  o10: usize,
  o11: usize,
  tu: f32,
  tv: f32,
  own0: bool,
  own1: bool,
  g: usize,
  channels: i32,
): v128 {
  return backwardPlaneImpl(planes, dPlanes, o00, o01, o10, o11, tu, tv, own0, own1, g, channels, false, true);
}

function backwardBothGrads(
  planes: usize,
  dPlanes: usize,
  o00: usize,
  o01: usize,
  o10: usize,
  o11: usize,
  tu: f32,
  tv: f32,
  own0: bool,
  own1: bool,
  g: usize,
  channels: i32,
): v128 {
  return backwardPlaneImpl(planes, dPlanes, o00, o01, o10, o11, tu, tv, own0, own1, g, channels, true, true);
}

// @ts-ignore: decorator
@inline
function backwardPlane(
  planes: usize,
  dPlanes: usize,
  o00: usize,
  o01: usize,
  o10: usize,
  o11: usize,
  tu: f32,
  tv: f32,
  own0: bool,
  own1: bool,
  g: usize,
  channels: i32,
  wantPlanes: bool,
  wantPoints: bool,
): v128 {
  if (wantPlanes && wantPoints) return backwardBothGrads(planes, dPlanes, o00, o01, o10, o11, tu, tv, own0, own1, g, channels);
  if (wantPlanes) return backwardPlaneGrad(planes, dPlanes, o00, o01, o10, o11, tu, tv, own0, own1, g, channels);
  return backwardPointGrad(planes, dPlanes, o00, o01, o10, o11, tu, tv, own0, own1, g, channels);
}

/**
 * Backward over points [n0, n1) for the tap rows owned by `owner` of `numOwners` (see
 * {@link ownedRows}): scatters into dPlanes (when `wantPlanes`) and writes this share
 * of d loss / d point to dPointsOut (when `wantPoints`; three floats per point).
 */
// @ts-ignore: decorator
@inline
function backwardRange(
  planes: usize,
  points: usize,
  grad: usize,
  dPlanes: usize,
  dPointsOut: usize,
  res: i32,
  channels: i32,
  concat: i32,
  n0: i32,
  n1: i32,
  owner: i32,
  numOwners: i32,
  wantPlanes: bool,
  wantPoints: bool,
): void {
  const resF = <f32>res;
  const texelBytes = channels << 2;
  const rowBytes = res * texelBytes;
  const planeOff = planeOffsets(res * rowBytes);
  const vRowBytes = i32x4.splat(rowBytes);
  const vTexelBytes = i32x4.splat(texelBytes);
  const tb = <usize>texelBytes;
  const gradRowBytes = concat ? tb * 3 : tb;
  const halfRes = f32x4.splat(resF * 0.5);
  const maxCoord = f32x4.splat(resF - 1);
  const zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    const pt = points + <usize>n * 12;
    const x = load<f32>(pt);
    const y = load<f32>(pt, 4);
    const z = load<f32>(pt, 8);
    const gu = texelPosition(columnCoordinates(x, y), resF);
    const gv = texelPosition(rowCoordinates(y, z), resF);
    const fu = clampTexel(gu, resF);
    const fv = clampTexel(gv, resF);
    const iu = lowerTap(fu, res);
    const iv = lowerTap(fv, res);
    const iv1 = upperTap(iv, res);
    const own0 = ownedRows(iv, owner, numOwners);
    const own1 = ownedRows(iv1, owner, numOwners);
    // Without point gradients, points whose taps are all another thread's cost only the set-up.
    if (!wantPoints && !v128.any_true(v128.or(own0, own1))) continue;
    const tu = f32x4.sub(fu, f32x4.convert_i32x4_s(iu));
    const tv = f32x4.sub(fv, f32x4.convert_i32x4_s(iv));
    const r0 = i32x4.add(i32x4.mul(iv, vRowBytes), planeOff);
    const r1 = i32x4.add(i32x4.mul(iv1, vRowBytes), planeOff);
    const col0 = i32x4.mul(iu, vTexelBytes);
    const col1 = i32x4.mul(upperTap(iu, res), vTexelBytes);
    const o00 = i32x4.add(r0, col0);
    const o01 = i32x4.add(r0, col1);
    const o10 = i32x4.add(r1, col0);
    const o11 = i32x4.add(r1, col1);
    const gradRow = grad + <usize>n * gradRowBytes;
    const d0 = backwardPlane(
      planes,
      dPlanes,
      <usize>i32x4.extract_lane(o00, 0),
      <usize>i32x4.extract_lane(o01, 0),
      <usize>i32x4.extract_lane(o10, 0),
      <usize>i32x4.extract_lane(o11, 0),
      f32x4.extract_lane(tu, 0),
      f32x4.extract_lane(tv, 0),
      i32x4.extract_lane(own0, 0) != 0,
      i32x4.extract_lane(own1, 0) != 0,
      gradRow,
      channels,
      wantPlanes,
      wantPoints,
    );
    const d1 = backwardPlane(
      planes,
      dPlanes,
      <usize>i32x4.extract_lane(o00, 1),
      <usize>i32x4.extract_lane(o01, 1),
      <usize>i32x4.extract_lane(o10, 1),
      <usize>i32x4.extract_lane(o11, 1),
      f32x4.extract_lane(tu, 1),
      f32x4.extract_lane(tv, 1),
      i32x4.extract_lane(own0, 1) != 0,
      i32x4.extract_lane(own1, 1) != 0,
      concat ? gradRow + tb : gradRow,
      channels,
      wantPlanes,
      wantPoints,
    );
    const d2 = backwardPlane(
      planes,
      dPlanes,
      <usize>i32x4.extract_lane(o00, 2),
      <usize>i32x4.extract_lane(o01, 2),
      <usize>i32x4.extract_lane(o10, 2),
      <usize>i32x4.extract_lane(o11, 2),
      f32x4.extract_lane(tu, 2),
      f32x4.extract_lane(tv, 2),
      i32x4.extract_lane(own0, 2) != 0,
      i32x4.extract_lane(own1, 2) != 0,
      concat ? gradRow + 2 * tb : gradRow,
      channels,
      wantPlanes,
      wantPoints,
    );
    if (wantPoints) {
      // d texel position / d coordinate: R / 2 inside, 0 where the border clamp is active.
      const scaleU = v128.and(v128.and(f32x4.gt(gu, zero), f32x4.lt(gu, maxCoord)), halfRes);
      const scaleV = v128.and(v128.and(f32x4.gt(gv, zero), f32x4.lt(gv, maxCoord)), halfRes);
      // Lanes of dU: planes 0, 1, 2 -> x, x, y; of dV: y, z, z.
      const dU = f32x4.mul(f32x4.shuffle(f32x4.shuffle(d0, d1, 0, 4, 0, 4), d2, 0, 1, 4, 4), scaleU);
      const dV = f32x4.mul(f32x4.shuffle(f32x4.shuffle(d0, d1, 1, 5, 1, 5), d2, 0, 1, 5, 5), scaleV);
      const dst = dPointsOut + <usize>n * 12;
      store<f32>(dst, f32x4.extract_lane(dU, 0) + f32x4.extract_lane(dU, 1));
      store<f32>(dst, f32x4.extract_lane(dU, 2) + f32x4.extract_lane(dV, 0), 4);
      store<f32>(dst, f32x4.extract_lane(dV, 1) + f32x4.extract_lane(dV, 2), 8);
    }
  }
}


/**
 * Backward of {@link triplaneForward}. `grad` is d loss / d out ([N, C] or [N, 3C]).
 *
 * With `dPlanes` (fresh, written entirely here): every thread visits every point but
 * scatters only into the texel rows it owns ({@link ownedRows}), after zeroing them,
 * so the planes gradient is race-free and identical for any thread count. With
 * `dPoints` too, each thread computes the share of the point gradient that comes from
 * its own taps: thread 0 writes it to dPoints, thread t > 0 to slice t - 1 of `scratch`
 * (after a 16-byte header holding the thread count); sum them with
 * {@link triplaneSumPointGrads}. `scratch` may be 0 when only one thread can run.
 *
 * Without `dPlanes` (frozen planes): threads own ranges of points and write dPoints
 * directly.
 */
export function triplaneBackward(
  planes: usize,
  points: usize,
  grad: usize,
  dPlanes: usize,
  dPoints: usize,
  scratch: usize,
  numPoints: i32,
  res: i32,
  channels: i32,
  concat: i32,
  tid: i32,
  numThreads: i32,
): void {
  if (dPlanes == 0) {
    const n0 = rangeStart(numPoints, tid, numThreads);
    const n1 = rangeStart(numPoints, tid + 1, numThreads);
    backwardRange(planes, points, grad, 0, dPoints, res, channels, concat, n0, n1, 0, 1, false, true);
    return;
  }
  let dPointsOut = dPoints;
  if (dPoints != 0 && tid > 0) {
    if (scratch == 0) unreachable();
    dPointsOut = scratch + 16 + <usize>(tid - 1) * <usize>numPoints * 12;
  }
  if (dPoints != 0 && scratch != 0 && tid == 0) store<i32>(scratch, numThreads);
  const rowBytes = <usize>res * (<usize>channels << 2);
  for (let row = 0; row < 3 * res; row++) {
    const owned = ownedRows(i32x4.splat(row % res), tid, numThreads);
    if (i32x4.extract_lane(owned, 0) != 0) memory.fill(dPlanes + <usize>row * rowBytes, 0, rowBytes);
  }
  if (dPoints != 0) {
    backwardRange(planes, points, grad, dPlanes, dPointsOut, res, channels, concat, 0, numPoints, tid, numThreads, true, true);
  } else {
    backwardRange(planes, points, grad, dPlanes, 0, res, channels, concat, 0, numPoints, tid, numThreads, true, false);
  }
}

/** dPoints += the partial point gradients of threads 1.. in `scratch` (see {@link triplaneBackward}). */
export function triplaneSumPointGrads(dPoints: usize, scratch: usize, numPoints: i32, tid: i32, numThreads: i32): void {
  const count = load<i32>(scratch);
  const n = numPoints * 3;
  const i0 = rangeStart(n, tid, numThreads);
  const i1 = rangeStart(n, tid + 1, numThreads);
  const sliceBytes = <usize>numPoints * 12;
  for (let t = 1; t < count; t++) {
    const src = scratch + 16 + <usize>(t - 1) * sliceBytes;
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const off = <usize>i << 2;
      v128.store(dPoints + off, f32x4.add(v128.load(dPoints + off), v128.load(src + off)));
    }
    for (; i < i1; i++) {
      const off = <usize>i << 2;
      store<f32>(dPoints + off, load<f32>(dPoints + off) + load<f32>(src + off));
    }
  }
}
