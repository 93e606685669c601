/** Plain-loop references for ./loss.ts, in float64. */

/** The losses of ./loss.ts. */
export type LossName = "l1" | "l2" | "huber";

function term(kind: LossName, d: number, delta: number): number {
  const a = Math.abs(d);
  if (kind === "l1") return a;
  if (kind === "l2") return d * d;
  return a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
}

function derivative(kind: LossName, d: number, delta: number): number {
  if (kind === "l1") return Math.sign(d);
  if (kind === "l2") return 2 * d;
  return Math.abs(d) <= delta ? d : delta * Math.sign(d);
}

/** mean(w * loss(pred - target)) over all elements. */
export function lossReference(
  kind: LossName, pred: ArrayLike<number>, target: ArrayLike<number>, weights?: ArrayLike<number>, delta = 1,
): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (weights ? weights[i] : 1) * term(kind, pred[i] - target[i], delta);
  return s / pred.length;
}

/** d loss / d pred times the upstream gradient g; d loss / d target is its negative. */
export function lossBackwardReference(
  kind: LossName, pred: ArrayLike<number>, target: ArrayLike<number>, g: number, weights?: ArrayLike<number>, delta = 1,
): Float64Array {
  const n = pred.length;
  return Float64Array.from({ length: n }, (_, i) => (g / n) * (weights ? weights[i] : 1) * derivative(kind, pred[i] - target[i], delta));
}
