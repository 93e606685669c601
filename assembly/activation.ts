// Activation functions shared by the standalone `activate` kernels and the fused
// epilogue of the dense/matmul kernels. Everything works on f32x4 vectors; scalar
// tails run the same code on a zero-padded vector, so there is one implementation
// of each function. The transcendental functions are polynomial approximations
// written here (AssemblyScript's Mathf uses lookup tables, i.e. data segments,
// which the kernel module must not have).
//
// Activation codes (must match ACTIVATION_CODES in src/core/ops/linear.ts):
// 0 none, 1 relu, 2 leakyRelu, 3 softplus, 4 sigmoid, 5 tanh, 6 sin.
import { rangeStart } from "./partition";

/** Loads `count` floats (clamped to 0..4) from `ptr`, zero-filling the other lanes; never reads past them. */
// @ts-ignore: decorator
@inline
export function loadVec(ptr: usize, count: i32): v128 {
  if (count >= 4) return v128.load(ptr);
  let v = f32x4.splat(0);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr, 8));
  return v;
}

/** Stores the first `count` lanes (clamped to 0..4) of `v` at `ptr`; never writes past them. */
// @ts-ignore: decorator
@inline
export function storeVec(ptr: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(ptr, v);
    return;
  }
  if (count > 0) store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}

/**
 * e^x per lane, relative error about 2e-7 for x in [-87.3, 88]; 0 below -87.3
 * (where e^x would be subnormal). Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2,
 * and the degree-7 polynomial of Cephes `expf`.
 */
// @ts-ignore: decorator
@inline
export function expV(x: v128): v128 {
  const underflow = f32x4.lt(x, f32x4.splat(-87.33654));
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-87.33654)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(y, scale), underflow);
}

/**
 * log(1 + t) per lane for t in [0, 1], relative error about 1e-7, exact in relative
 * terms for tiny t: log1p(t) = 2 atanh(s) with s = t / (2 + t) <= 1/3, summed as the
 * odd series of atanh up to s^13 (the next term is below 2e-8 relative).
 */
// @ts-ignore: decorator
@inline
function log1pUnitV(t: v128): v128 {
  const s = f32x4.div(t, f32x4.add(t, f32x4.splat(2)));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(1.0 / 13.0);
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 11.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 9.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 7.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 5.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 3.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1));
  return f32x4.mul(f32x4.add(s, s), p);
}

/** softplus(z) = log(1 + e^z), stable for large |z|: max(z, 0) + log1p(e^-|z|). */
// @ts-ignore: decorator
@inline
export function softplusV(z: v128): v128 {
  const e = expV(f32x4.neg(f32x4.abs(z)));
  return f32x4.add(f32x4.max(z, f32x4.splat(0)), log1pUnitV(e));
}

/** sigmoid(z) = 1 / (1 + e^-z), computed from e^-|z| so large negative z gives a tiny value, not 0/inf. */
// @ts-ignore: decorator
@inline
export function sigmoidV(z: v128): v128 {
  const e = expV(f32x4.neg(f32x4.abs(z)));
  const q = f32x4.div(f32x4.splat(1), f32x4.add(e, f32x4.splat(1)));
  return v128.bitselect(q, f32x4.mul(e, q), f32x4.ge(z, f32x4.splat(0)));
}

/**
 * tanh(z): Taylor series up to z^15 for |z| < 0.25 (where 1 - e^-2|z| would cancel),
 * else (1 - e) / (1 + e) with e = e^-2|z|, sign restored. Relative error about 3e-7.
 */
// @ts-ignore: decorator
@inline
export function tanhV(z: v128): v128 {
  const a = f32x4.abs(z);
  const e = expV(f32x4.mul(a, f32x4.splat(-2)));
  let big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  big = v128.or(big, v128.and(z, i32x4.splat(<i32>0x80000000)));
  const z2 = f32x4.mul(z, z);
  let p = f32x4.splat(-929569.0 / 638512875.0);
  p = f32x4.add(f32x4.mul(p, z2), f32x4.splat(21844.0 / 6081075.0));
  p = f32x4.add(f32x4.mul(p, z2), f32x4.splat(-1382.0 / 155925.0));
  p = f32x4.add(f32x4.mul(p, z2), f32x4.splat(62.0 / 2835.0));
  p = f32x4.add(f32x4.mul(p, z2), f32x4.splat(-17.0 / 315.0));
  p = f32x4.add(f32x4.mul(p, z2), f32x4.splat(2.0 / 15.0));
  p = f32x4.add(f32x4.mul(p, z2), f32x4.splat(-1.0 / 3.0));
  const small = f32x4.add(z, f32x4.mul(f32x4.mul(z, z2), p));
  return v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.25)));
}

/**
 * Reduces z = n pi + r with |r| <= pi/2 (three-part Cody-Waite pi, good for
 * |z| up to about 1e4) and returns r; `signMask` receives (-1)^n as a sign bit.
 */
// @ts-ignore: decorator
@inline
function reducePi(z: v128, n: v128): v128 {
  let r = f32x4.sub(z, f32x4.mul(n, f32x4.splat(3.140625)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(9.67502593994140625e-4)));
  return f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.509957990978376432e-7)));
}

// @ts-ignore: decorator
@inline
function parityMask(n: v128): v128 {
  return i32x4.shl(i32x4.trunc_sat_f32x4_s(n), 31);
}

/** sin(z): sin(n pi + r) = (-1)^n sin(r), Taylor series of sin(r) up to r^13 (error below 1e-9 on |r| <= pi/2). */
// @ts-ignore: decorator
@inline
export function sinV(z: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(z, f32x4.splat(0.318309886183790672)));
  const r = reducePi(z, n);
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.0 / 6227020800.0);
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(-1.0 / 39916800.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(1.0 / 362880.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(-1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(-1.0 / 6.0));
  const s = f32x4.add(r, f32x4.mul(f32x4.mul(r, r2), p));
  return v128.xor(s, parityMask(n));
}

/** cos(z): cos(n pi + r) = (-1)^n cos(r), Taylor series of cos(r) up to r^14 (error below 1e-8 on |r| <= pi/2). */
// @ts-ignore: decorator
@inline
export function cosV(z: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(z, f32x4.splat(0.318309886183790672)));
  const r = reducePi(z, n);
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(-1.0 / 87178291200.0);
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(1.0 / 479001600.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(-1.0 / 3628800.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(1.0 / 40320.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(-1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r2), f32x4.splat(-0.5));
  const c = f32x4.add(f32x4.splat(1), f32x4.mul(r2, p));
  return v128.xor(c, parityMask(n));
}

/** The activation `kind` (see the codes above) of pre-activation `z`. */
export function activateV(z: v128, kind: i32, slope: f32): v128 {
  const zero = f32x4.splat(0);
  // pmax(z, 0) is z unless z < 0, so NaN passes through, in one instruction.
  if (kind == 1) return f32x4.pmax(z, zero);
  if (kind == 2) return v128.bitselect(z, f32x4.mul(z, f32x4.splat(slope)), f32x4.gt(z, zero));
  if (kind == 3) return softplusV(z);
  if (kind == 4) return sigmoidV(z);
  if (kind == 5) return tanhV(z);
  if (kind == 6) return sinV(z);
  return z;
}

/**
 * Gradient through the activation: dy * f'(z), with f' computed from the output `y`
 * where it can be (every kind but sin, which needs the pre-activation `z`).
 * leakyRelu needs slope >= 0 so that y > 0 exactly when z > 0.
 */
export function activationGradV(dy: v128, y: v128, z: v128, kind: i32, slope: f32): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  if (kind == 1) return v128.and(dy, f32x4.gt(y, zero));
  if (kind == 2) return v128.bitselect(dy, f32x4.mul(dy, f32x4.splat(slope)), f32x4.gt(y, zero));
  if (kind == 3) {
    // softplus' = sigmoid(z) = 1 - e^-y; series for small y, where 1 - e^-y cancels.
    let p = f32x4.splat(-1.0 / 720.0);
    p = f32x4.add(f32x4.mul(p, y), f32x4.splat(1.0 / 120.0));
    p = f32x4.add(f32x4.mul(p, y), f32x4.splat(-1.0 / 24.0));
    p = f32x4.add(f32x4.mul(p, y), f32x4.splat(1.0 / 6.0));
    p = f32x4.add(f32x4.mul(p, y), f32x4.splat(-0.5));
    p = f32x4.add(f32x4.mul(p, y), one);
    const small = f32x4.mul(y, p);
    const big = f32x4.sub(one, expV(f32x4.neg(y)));
    return f32x4.mul(dy, v128.bitselect(small, big, f32x4.lt(y, f32x4.splat(0.25))));
  }
  if (kind == 4) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
  if (kind == 5) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
  if (kind == 6) return f32x4.mul(dy, cosV(z));
  return dy;
}

/** y[i] = f(x[i]) for n floats, f the activation `kind`. */
export function activateF32(x: usize, y: usize, n: i32, kind: i32, slope: f32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  for (let i = start; i < end; i += 4) {
    const off = <usize>i << 2;
    const count = end - i;
    storeVec(y + off, activateV(loadVec(x + off, count), kind, slope), count);
  }
}

/**
 * dx[i] = dy[i] f'(x[i]) for n floats, from the forward output `y` (and the input
 * `x`, which only sin reads).
 */
export function activateBackwardF32(
  x: usize, y: usize, dy: usize, dx: usize, n: i32, kind: i32, slope: f32, tid: i32, numThreads: i32,
): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  for (let i = start; i < end; i += 4) {
    const off = <usize>i << 2;
    const count = end - i;
    const g = activationGradV(loadVec(dy + off, count), loadVec(y + off, count), loadVec(x + off, count), kind, slope);
    storeVec(dx + off, g, count);
  }
}
