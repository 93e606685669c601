// The public surface of the compute core: tensors, autograd, ops, optimizers,
// random numbers and tensor files. Other layers import from here only.
export { Tensor, empty, full, keep, ones, scalar, scope, shapeSize, tensor, zeros, type GradNode, type Shape } from "./tensor.js";
export { backward, isGradEnabled, noGrad, recordOp, zeroGrad } from "./autograd.js";
export { defaultThreadCount, getCore, initCore, runKernel, shutdownCore, type CoreOptions, type CoreRuntime } from "./runtime.js";
export { Random } from "./random.js";
export { Adam, type AdamOptions, type ParamGroup } from "./optim/adam.js";
export {
  decodeSafetensors, encodeSafetensors, readSafetensors, writeFileAtomic, writeSafetensors,
  SafetensorsError, type SafetensorsContents, type StoredTensor,
} from "./safetensors.js";
export { abs, add, addScalar, broadcastShapes, div, exp, log, mul, mulScalar, neg, sqrt, square, sub } from "./ops/arithmetic.js";
export { broadcastTo, mean, sum, sumToShape, type ReduceOptions } from "./ops/reduce.js";
export { concat, reshape, slice, transpose2d, type SliceOptions } from "./ops/shape.js";
export { gatherRows, scatterAddRows, type RowIndices } from "./ops/gather.js";
export { huberLoss, l1Loss, l2Loss, type HuberLossOptions, type RegressionLossOptions } from "./ops/loss.js";
export {
  ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, activate, dense, matmul,
  type ActivateOptions, type Activation, type DenseOptions, type MatmulOptions,
} from "./ops/linear.js";
export { conv2d, pixelShuffle, upsampleNearest, type Conv2dOptions } from "./ops/conv.js";
export { TRIPLANE_REDUCTIONS, sampleTriplane, type SampleTriplaneOptions, type TriplaneReduction } from "./ops/triplane.js";
export { annealingWindow, encodePositions, encodedWidth, type EncodePositionsOptions } from "./ops/encoding.js";
export { compositeAlongRays, type CompositeAlongRaysOptions, type CompositeAlongRaysResult } from "./ops/composite.js";
