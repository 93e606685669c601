// Regression losses, mean over elements with optional per-element weights:
// kind 0 l1 |d|, 1 l2 d^2, 2 huber (0.5 d^2 if |d| <= delta, else delta (|d| - delta / 2)),
// d = pred - target. The forward pass writes pairwise partial sums of fixed blocks
// (independent of the thread count); the sumRowsF32 kernel combines them.
import { clampV, signV, sumLanes } from "./math";
import { rangeStart } from "./partition";

// @ts-ignore: decorator
@inline
function lossV(kind: i32, d: v128, delta: v128): v128 {
  if (kind == 0) return f32x4.abs(d);
  if (kind == 1) return f32x4.mul(d, d);
  const a = f32x4.abs(d);
  const q = f32x4.min(a, delta);
  // 0.5 q^2 + delta (|d| - q): equals both branches and is continuous at |d| = delta.
  return f32x4.add(f32x4.mul(f32x4.mul(q, q), f32x4.splat(0.5)), f32x4.mul(delta, f32x4.sub(a, q)));
}

/** d loss / d pred per lane (before weights and the mean's 1/n). */
// @ts-ignore: decorator
@inline
function lossGradV(kind: i32, d: v128, delta: v128): v128 {
  if (kind == 1) return f32x4.add(d, d);
  if (kind == 0) return signV(d);
  return clampV(d, f32x4.neg(delta), delta);
}

// @ts-ignore: decorator
@inline
function termV(kind: i32, pred: usize, target: usize, weights: usize, off: usize, delta: v128): v128 {
  const v = lossV(kind, f32x4.sub(v128.load(pred + off), v128.load(target + off)), delta);
  return weights != 0 ? f32x4.mul(v, v128.load(weights + off)) : v;
}

// @ts-ignore: decorator
@inline
function termS(kind: i32, pred: usize, target: usize, weights: usize, off: usize, delta: v128): f32 {
  const d = f32x4.splat(load<f32>(pred + off) - load<f32>(target + off));
  const v = f32x4.extract_lane(lossV(kind, d, delta), 0);
  return weights != 0 ? v * load<f32>(weights + off) : v;
}

/** Pairwise sum of the weighted loss terms of elements [i0, i0 + n). */
function lossSum(kind: i32, pred: usize, target: usize, weights: usize, i0: i32, n: i32, delta: v128): f32 {
  if (n <= 64) {
    let acc = f32x4.splat(0.0);
    let i = i0;
    const end = i0 + n;
    if (kind == 0) for (; i + 4 <= end; i += 4) acc = f32x4.add(acc, termV(0, pred, target, weights, <usize>i << 2, delta));
    else if (kind == 1) for (; i + 4 <= end; i += 4) acc = f32x4.add(acc, termV(1, pred, target, weights, <usize>i << 2, delta));
    else for (; i + 4 <= end; i += 4) acc = f32x4.add(acc, termV(2, pred, target, weights, <usize>i << 2, delta));
    let s = sumLanes(acc);
    for (; i < end; i++) s += termS(kind, pred, target, weights, <usize>i << 2, delta);
    return s;
  }
  const h = (n >> 1) & ~3;
  return lossSum(kind, pred, target, weights, i0, h, delta) + lossSum(kind, pred, target, weights, i0 + h, n - h, delta);
}

/**
 * partials[k] = sum over block k (elements [k block, (k + 1) block)) of w * loss(pred - target),
 * with w = 1 where weights is 0 (no weights). Threads split the blocks.
 */
export function lossBlocksF32(
  pred: usize, target: usize, weights: usize, partials: usize, n: i32, block: i32, kind: i32, delta: f32,
  tid: i32, numThreads: i32,
): void {
  const blocks = (n + block - 1) / block;
  const start = rangeStart(blocks, tid, numThreads);
  const end = rangeStart(blocks, tid + 1, numThreads);
  const vdelta = f32x4.splat(delta);
  for (let k = start; k < end; k++) {
    const i0 = k * block;
    store<f32>(partials + (<usize>k << 2), lossSum(kind, pred, target, weights, i0, min(block, n - i0), vdelta));
  }
}

// @ts-ignore: decorator
@inline
function lossGradLoop(
  kind: i32, pred: usize, target: usize, weights: usize, gradPred: usize, gradTarget: usize,
  start: i32, end: i32, scale: f32, delta: f32,
): void {
  const vdelta = f32x4.splat(delta);
  const vscale = f32x4.splat(scale);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    let g = f32x4.mul(lossGradV(kind, f32x4.sub(v128.load(pred + off), v128.load(target + off)), vdelta), vscale);
    if (weights != 0) g = f32x4.mul(g, v128.load(weights + off));
    if (gradPred != 0) v128.store(gradPred + off, g);
    if (gradTarget != 0) v128.store(gradTarget + off, f32x4.neg(g));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    const d = f32x4.splat(load<f32>(pred + off) - load<f32>(target + off));
    let g = f32x4.extract_lane(lossGradV(kind, d, vdelta), 0) * scale;
    if (weights != 0) g *= load<f32>(weights + off);
    if (gradPred != 0) store<f32>(gradPred + off, g);
    if (gradTarget != 0) store<f32>(gradTarget + off, -g);
  }
}

/**
 * gradPred[i] = scale * w[i] * loss'(pred[i] - target[i]) and gradTarget[i] = -gradPred[i]
 * (either output skipped where its pointer is 0). scale = upstream gradient / n.
 */
export function lossBackwardF32(
  pred: usize, target: usize, weights: usize, gradPred: usize, gradTarget: usize, n: i32, kind: i32, delta: f32, scale: f32,
  tid: i32, numThreads: i32,
): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (kind == 0) lossGradLoop(0, pred, target, weights, gradPred, gradTarget, start, end, scale, delta);
  else if (kind == 1) lossGradLoop(1, pred, target, weights, gradPred, gradTarget, start, end, scale, delta);
  else lossGradLoop(2, pred, target, weights, gradPred, gradTarget, start, end, scale, delta);
}
