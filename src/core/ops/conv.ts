/**
 * 2D convolution (NHWC, weights [kh, kw, inC, outC] like tfjs) with its gradients,
 * and the upsampling layers of super-resolution CNNs (pixel shuffle, nearest).
 *
 * The convolution is an implicit GEMM over a zero-padded copy of the input; the
 * input gradient is the same forward kernel run over the (dilated, padded) output
 * gradient with flipped, transposed weights; the weight gradient is a reduction over
 * all pixels, split across threads by weight tile. See assembly/conv.ts.
 */
import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, type Tensor } from "../tensor.js";

/** Output channels per kernel register block; packed weights and padded channels round up to it. */
const CHANNEL_BLOCK = 8;

function roundUpToBlock(n: number): number {
  return Math.ceil(n / CHANNEL_BLOCK) * CHANNEL_BLOCK;
}

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Input [batch, height, width, inChannels] (NHWC). */
  x: Tensor;
  /** Filters [kernelHeight, kernelWidth, inChannels, outChannels] (tfjs layout). */
  weight: Tensor;
  /** Per-output-channel offset [outChannels]; none when omitted. */
  bias?: Tensor;
  /** Step between output pixels, in input pixels, on both axes (default 1). */
  stride?: number;
  /**
   * Zero pixels added on each side of both axes (default 0), or "same": (k - 1) / 2
   * per axis, which keeps the size for odd kernels at stride 1.
   */
  padding?: number | "same";
}

/** Copies `src` [b, h, w, c] into [b, dstH, dstW, dstC] with a pixel offset, dilation and zero fill. */
function padCopy(
  src: Tensor,
  dstShape: readonly [number, number, number, number],
  offY: number,
  offX: number,
  dilation: number,
): Tensor {
  const [b, h, w, c] = src.shape;
  const [, dstH, dstW, dstC] = dstShape;
  const dst = empty(dstShape);
  runKernel("convPadF32", [src.ptr, h, w, c, dst.ptr, dstH, dstW, dstC, b, offY, offX, dilation], dst.size);
  return dst;
}

/** Weights packed in 8-channel blocks; `flip` gives the transposed, flipped filters of the input gradient. */
function packWeights(weight: Tensor, flip: boolean): Tensor {
  const [kh, kw, cin, cout] = weight.shape;
  const outC = flip ? cin : cout;
  const inC = flip ? cout : cin;
  const packed = empty([roundUpToBlock(outC) * kh * kw * inC]);
  runKernel("convPackWeightsF32", [weight.ptr, kh, kw, cin, cout, packed.ptr, flip ? 1 : 0], packed.size * 4);
  return packed;
}

/**
 * Runs the forward kernel over an input that already holds its zero padding:
 * out [batch, outH, outW, outC] from input [batch, inH, inW, inC] and packed weights.
 */
function convolvePadded(options: {
  input: Tensor;
  packed: Tensor;
  kernelHeight: number;
  kernelWidth: number;
  outChannels: number;
  biasPadded: Tensor | null;
  out: Tensor;
  stride: number;
}): void {
  const { input, packed, kernelHeight, kernelWidth, outChannels, biasPadded, out, stride } = options;
  const [batch, inH, inW, inC] = input.shape;
  const [, outH, outW] = out.shape;
  const work = 2 * batch * outH * outW * kernelHeight * kernelWidth * inC * roundUpToBlock(outChannels);
  runKernel(
    "conv2dForwardF32",
    [
      input.ptr, inH, inW, inC,
      packed.ptr, kernelHeight, kernelWidth, outChannels,
      biasPadded ? biasPadded.ptr : 0, biasPadded ? 1 : 0,
      out.ptr, batch, outH, outW, stride,
    ],
    work,
  );
}

function resolvePadding(padding: number | "same", kh: number, kw: number, stride: number): [number, number] {
  if (padding === "same") {
    if (kh % 2 === 0 || kw % 2 === 0 || stride !== 1) {
      throw new Error(`conv2d: padding "same" needs an odd kernel and stride 1, got kernel ${kh}x${kw}, stride ${stride}`);
    }
    return [(kh - 1) / 2, (kw - 1) / 2];
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw new Error(`conv2d: padding must be a whole number >= 0 or "same", got ${padding}`);
  }
  return [padding, padding];
}

/**
 * 2D cross-correlation (what deep-learning frameworks call convolution), NHWC:
 * out[b, oy, ox, co] = bias[co] + sum_{ky, kx, ci} x[b, oy*stride + ky - pad, ox*stride + kx - pad, ci] * weight[ky, kx, ci, co],
 * pixels outside x counting as zero.
 *
 * x [batch, height, width, inChannels], weight [kh, kw, inChannels, outChannels],
 * bias [outChannels]. Returns [batch, outHeight, outWidth, outChannels] with
 * outHeight = floor((height + 2 * pad - kh) / stride) + 1 (likewise the width).
 * Differentiable in x, weight and bias.
 */
export function conv2d(options: Conv2dOptions): Tensor {
  const { x, weight, bias, stride = 1, padding = 0 } = options;
  if (x.rank !== 4) throw new Error(`conv2d: x must be [batch, height, width, channels], got [${x.shape}]`);
  if (weight.rank !== 4) {
    throw new Error(`conv2d: weight must be [kernelHeight, kernelWidth, inChannels, outChannels], got [${weight.shape}]`);
  }
  const [batch, height, width, cin] = x.shape;
  const [kh, kw, wcin, cout] = weight.shape;
  if (wcin !== cin) throw new Error(`conv2d: x [${x.shape}] has ${cin} channels but weight [${weight.shape}] expects ${wcin}`);
  if (kh < 1 || kw < 1 || cout < 1 || cin < 1) throw new Error(`conv2d: empty weight [${weight.shape}]`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) {
    throw new Error(`conv2d: bias must be [${cout}] for weight [${weight.shape}], got [${bias.shape}]`);
  }
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`conv2d: stride must be a whole number >= 1, got ${stride}`);
  const [padY, padX] = resolvePadding(padding, kh, kw, stride);
  const paddedH = height + 2 * padY;
  const paddedW = width + 2 * padX;
  const outH = Math.floor((paddedH - kh) / stride) + 1;
  const outW = Math.floor((paddedW - kw) / stride) + 1;
  if (batch < 1 || outH < 1 || outW < 1) {
    throw new Error(`conv2d: x [${x.shape}] with kernel ${kh}x${kw}, padding ${padY},${padX}, stride ${stride} gives no output pixels`);
  }

  const padInput = (): Tensor =>
    padY || padX ? padCopy(x, [batch, paddedH, paddedW, cin], padY, padX, 1) : x;

  const out = empty([batch, outH, outW, cout]);
  const xPadded = padInput();
  const packed = packWeights(weight, false);
  let biasPadded: Tensor | null = null;
  if (bias) {
    // The kernel reads bias in whole 8-channel blocks.
    biasPadded = empty([roundUpToBlock(cout)]);
    const d = biasPadded.data;
    d.fill(0);
    d.set(bias.data);
  }
  convolvePadded({ input: xPadded, packed, kernelHeight: kh, kernelWidth: kw, outChannels: cout, biasPadded, out, stride });
  if (xPadded !== x) xPadded.dispose();
  packed.dispose();
  biasPadded?.dispose();

  recordOp({
    name: "conv2d",
    inputs: bias ? [x, weight, bias] : [x, weight],
    outputs: [out],
    backward: ([dOut]) => {
      const none = bias ? [null, null, null] : [null, null];
      if (!dOut) return none;
      let dx: Tensor | null = null;
      let dWeight: Tensor | null = null;
      let dBias: Tensor | null = null;
      if (x.requiresGrad) {
        // dx is a stride-1 conv of dOut, dilated by the stride and padded by
        // k - 1 - pad, with the filters flipped and their channel axes swapped.
        // With stride 1 and padding k - 1 (1x1 filters unpadded, say) dOut is already that.
        const spreadNeeded = stride !== 1 || padY !== kh - 1 || padX !== kw - 1;
        const spread = spreadNeeded
          ? padCopy(dOut, [batch, height + kh - 1, width + kw - 1, cout], kh - 1 - padY, kw - 1 - padX, stride)
          : dOut;
        const flipped = packWeights(weight, true);
        dx = empty(x.shape);
        convolvePadded({ input: spread, packed: flipped, kernelHeight: kh, kernelWidth: kw, outChannels: cin, biasPadded: null, out: dx, stride: 1 });
        if (spread !== dOut) spread.dispose();
        flipped.dispose();
      }
      if (weight.requiresGrad) {
        // The kernel reads dOut and writes dWeight in whole 8-channel blocks.
        const coutPadded = roundUpToBlock(cout);
        const aligned = coutPadded === cout;
        const dOutWide = aligned ? dOut : padCopy(dOut, [batch, outH, outW, coutPadded], 0, 0, 1);
        const xPad = padInput();
        dWeight = empty(weight.shape);
        const dWeightWide = aligned ? dWeight : empty([1, kh * kw * cin, 1, coutPadded]);
        runKernel(
          "conv2dWeightGradF32",
          [xPad.ptr, paddedH, paddedW, cin, dOutWide.ptr, coutPadded, batch, outH, outW, stride, dWeightWide.ptr, kh, kw],
          2 * batch * outH * outW * kh * kw * cin * coutPadded,
        );
        if (!aligned) {
          runKernel(
            "convPadF32",
            [dWeightWide.ptr, kh * kw * cin, 1, coutPadded, dWeight.ptr, kh * kw * cin, 1, cout, 1, 0, 0, 1],
            dWeight.size,
          );
          dWeightWide.dispose();
          dOutWide.dispose();
        }
        if (xPad !== x) xPad.dispose();
      }
      if (bias?.requiresGrad) {
        dBias = empty([cout]);
        runKernel("conv2dBiasGradF32", [dOut.ptr, batch * outH * outW, cout, dBias.ptr], dOut.size);
      }
      return bias ? [dx, dWeight, dBias] : [dx, dWeight];
    },
  });
  return out;
}

function checkFactor(op: string, x: Tensor, factor: number): void {
  if (x.rank !== 4) throw new Error(`${op}: x must be [batch, height, width, channels], got [${x.shape}]`);
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`${op}: factor must be a whole number >= 1, got ${factor}`);
}

/**
 * Pixel shuffle (depth to space), the sub-pixel convolution upsampler of ESPCN
 * (Shi et al. 2016, https://arxiv.org/abs/1609.05158), NHWC with the channel order
 * of tf.depthToSpace: out[b, y*r + i, x*r + j, c] = x[b, y, x, (i*r + j)*C + c].
 * x [batch, height, width, C*r*r] -> [batch, height*r, width*r, C]. Differentiable
 * (the gradient is space to depth).
 */
export function pixelShuffle({ x, factor }: { x: Tensor; factor: number }): Tensor {
  checkFactor("pixelShuffle", x, factor);
  const [batch, height, width, deepC] = x.shape;
  if (deepC % (factor * factor) !== 0) {
    throw new Error(`pixelShuffle: x [${x.shape}] has ${deepC} channels, not a multiple of factor^2 = ${factor * factor}`);
  }
  const c = deepC / (factor * factor);
  const out = empty([batch, height * factor, width * factor, c]);
  runKernel("pixelShuffleF32", [x.ptr, out.ptr, batch, height, width, c, factor, 1], out.size);
  recordOp({
    name: "pixelShuffle",
    inputs: [x],
    outputs: [out],
    backward: ([dOut]) => {
      if (!dOut) return [null];
      const dx = empty(x.shape);
      runKernel("pixelShuffleF32", [dx.ptr, dOut.ptr, batch, height, width, c, factor, 0], dx.size);
      return [dx];
    },
  });
  return out;
}

/**
 * Nearest-neighbour upsampling by an integer factor r, NHWC:
 * out[b, y*r + i, x*r + j, c] = x[b, y, x, c]. x [batch, height, width, C] ->
 * [batch, height*r, width*r, C]. Differentiable (the gradient sums each r x r block).
 */
export function upsampleNearest({ x, factor }: { x: Tensor; factor: number }): Tensor {
  checkFactor("upsampleNearest", x, factor);
  const [batch, height, width, c] = x.shape;
  const out = empty([batch, height * factor, width * factor, c]);
  runKernel("upsampleNearestF32", [x.ptr, out.ptr, batch, height, width, c, factor], out.size);
  recordOp({
    name: "upsampleNearest",
    inputs: [x],
    outputs: [out],
    backward: ([dOut]) => {
      if (!dOut) return [null];
      const dx = empty(x.shape);
      runKernel("upsampleNearestGradF32", [dOut.ptr, dx.ptr, batch, height, width, c, factor], dOut.size);
      return [dx];
    },
  });
  return out;
}
