import { rangeStart } from "./partition";

/**
 * One Adam update of n parameters in place (Kingma and Ba 2015), with decoupled
 * weight decay (AdamW, Loshchilov and Hutter 2019) when `weightDecay` > 0:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= lr * (m / bias1 / (sqrt(v / bias2) + eps) + weightDecay * p)
 * where bias1 = 1 - b1^t and bias2 = 1 - b2^t are computed by the caller.
 */
export function adamStepF32(
  param: usize, grad: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, bias1: f32, bias2: f32, weightDecay: f32,
  tid: i32, numThreads: i32,
): void {
  const start = rangeStart(n, tid, numThreads) & ~3;
  const end = tid + 1 == numThreads ? n : rangeStart(n, tid + 1, numThreads) & ~3;
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(1 - beta1);
  const c2 = f32x4.splat(1 - beta2);
  const stepSize = f32x4.splat(lr / bias1);
  const invBias2 = f32x4.splat(1 / bias2);
  const ve = f32x4.splat(eps);
  const decay = f32x4.splat(lr * weightDecay);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    const g = v128.load(grad + off);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + off)), f32x4.mul(c1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + off)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const p = v128.load(param + off);
    const denom = f32x4.add(f32x4.sqrt(f32x4.mul(vi, invBias2)), ve);
    const update = f32x4.add(f32x4.div(f32x4.mul(stepSize, mi), denom), f32x4.mul(decay, p));
    v128.store(param + off, f32x4.sub(p, update));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    const g = load<f32>(grad + off);
    const mi = beta1 * load<f32>(m + off) + (1 - beta1) * g;
    const vi = beta2 * load<f32>(v + off) + (1 - beta2) * g * g;
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    const p = load<f32>(param + off);
    store<f32>(param + off, p - ((lr / bias1) * mi / (sqrt<f32>(vi / bias2) + eps) + lr * weightDecay * p));
  }
}
