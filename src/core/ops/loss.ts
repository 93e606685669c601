import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, type Tensor } from "../tensor.js";

/** Elements per partial sum: fixed, so the loss has the same bits on any thread count. */
const LOSS_BLOCK = 4096;

/** Loss kinds of the lossBlocksF32 / lossBackwardF32 kernels. */
const L1 = 0;
const L2 = 1;
const HUBER = 2;
type LossKind = typeof L1 | typeof L2 | typeof HUBER;

/** Options of the regression losses. */
export interface RegressionLossOptions {
  /**
   * Per-element weights of pred's shape (e.g. a foreground mask); the loss is then
   * sum(w * loss) / count, the mean over all elements, not over the weight sum.
   * Weights receive no gradient.
   */
  weights?: Tensor;
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear, in the units of pred (default 1). */
  delta?: number;
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.rank === b.rank && a.shape.every((d, k) => d === b.shape[k]);
}

function regressionLoss(name: string, kind: LossKind, pred: Tensor, target: Tensor, weights: Tensor | undefined, delta: number): Tensor {
  if (!sameShape(pred, target)) throw new Error(`${name}: pred [${pred.shape}] and target [${target.shape}] differ in shape`);
  if (weights && !sameShape(pred, weights)) throw new Error(`${name}: weights [${weights.shape}] must have pred's shape [${pred.shape}]`);
  if (weights?.requiresGrad) throw new Error(`${name}: weights that require grad are not supported; pass constant weights`);
  if (!(delta > 0) || !Number.isFinite(delta)) throw new Error(`${name}: delta must be a positive number, got ${delta}`);
  const n = pred.size;
  const blocks = Math.ceil(n / LOSS_BLOCK);
  const partials = empty([blocks]);
  const out = empty([]);
  const wPtr = weights ? weights.ptr : 0;
  runKernel("lossBlocksF32", [pred.ptr, target.ptr, wPtr, partials.ptr, n, LOSS_BLOCK, kind, delta], 4 * n);
  runKernel("sumRowsF32", [partials.ptr, out.ptr, 1, blocks, 1 / n], blocks);
  partials.dispose();
  recordOp({
    name,
    inputs: [pred, target],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null, null];
      const gPred = pred.requiresGrad ? empty(pred.shape) : null;
      const gTarget = target.requiresGrad ? empty(target.shape) : null;
      const scale = g.item() / n;
      runKernel(
        "lossBackwardF32",
        [pred.ptr, target.ptr, weights ? weights.ptr : 0, gPred?.ptr ?? 0, gTarget?.ptr ?? 0, n, kind, delta, scale],
        4 * n,
      );
      return [gPred, gTarget];
    },
  });
  return out;
}

/**
 * Mean absolute error, mean(w |pred - target|) over all elements. Its gradient at
 * pred = target is 0.
 *
 * @param pred any shape; target and weights the same shape.
 * @returns a scalar (shape []).
 */
export function l1Loss(pred: Tensor, target: Tensor, { weights }: RegressionLossOptions = {}): Tensor {
  return regressionLoss("l1Loss", L1, pred, target, weights, 1);
}

/**
 * Mean squared error, mean(w (pred - target)^2) over all elements.
 *
 * @returns a scalar (shape []).
 */
export function l2Loss(pred: Tensor, target: Tensor, { weights }: RegressionLossOptions = {}): Tensor {
  return regressionLoss("l2Loss", L2, pred, target, weights, 1);
}

/**
 * Huber loss (Huber 1964, "Robust estimation of a location parameter"):
 * mean(w h(pred - target)) with h(d) = d^2 / 2 for |d| <= delta, else
 * delta (|d| - delta / 2); quadratic near the target, linear (robust to outliers)
 * beyond. Same as tf.losses.huberLoss.
 *
 * @returns a scalar (shape []).
 */
export function huberLoss(pred: Tensor, target: Tensor, { weights, delta = 1 }: HuberLossOptions = {}): Tensor {
  return regressionLoss("huberLoss", HUBER, pred, target, weights, delta);
}
