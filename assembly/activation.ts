// Activation functions shared by the standalone `activate` kernels and the fused
// epilogue of the dense/matmul kernels. Everything works on f32x4 vectors; scalar
// tails run the same code on a zero-padded vector, so there is one implementation
// of each function. The transcendental functions come from ./math.
//
// Activation codes (must match ACTIVATION_CODES in src/core/ops/linear.ts):
// 0 none, 1 relu, 2 leakyRelu, 3 softplus, 4 sigmoid, 5 tanh, 6 sin.
import { cosV, expV, log1pUnitV, oneMinusExpNegV, sinV, tanhV } from "./math";
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
  // softplus' = sigmoid(z) = 1 - e^-y.
  if (kind == 3) return f32x4.mul(dy, oneMinusExpNegV(y));
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
