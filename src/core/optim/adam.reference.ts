/**
 * Plain reference of one Adam/AdamW update in float64, in place on `param`, `m`, `v`.
 * `t` is the 1-based step number.
 */
export function adamStepReference(options: {
  param: Float64Array;
  grad: ArrayLike<number>;
  m: Float64Array;
  v: Float64Array;
  t: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}): void {
  const { param, grad, m, v, t, lr, beta1, beta2, eps, weightDecay } = options;
  const bias1 = 1 - beta1 ** t;
  const bias2 = 1 - beta2 ** t;
  for (let i = 0; i < param.length; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
    v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
    param[i] -= lr * ((m[i] / bias1) / (Math.sqrt(v[i] / bias2) + eps) + weightDecay * param[i]);
  }
}
