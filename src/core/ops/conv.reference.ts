/**
 * Plain-loop reference implementations of the conv group's kernels (forward and
 * backward), on Float32Array data with float64 sums. Obviously correct and slow:
 * tests compare the WebAssembly kernels against these.
 */

/** Geometry of a reference convolution: NHWC input, [kh, kw, inC, outC] weights. */
export interface Conv2dReferenceShape {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  /** Zero pixels added above and below. */
  padY: number;
  /** Zero pixels added left and right. */
  padX: number;
}

/** Output height and width: floor((size + 2 * pad - kernel) / stride) + 1. */
export function conv2dReferenceOutputSize(s: Conv2dReferenceShape): { outHeight: number; outWidth: number } {
  return {
    outHeight: Math.floor((s.height + 2 * s.padY - s.kernelHeight) / s.stride) + 1,
    outWidth: Math.floor((s.width + 2 * s.padX - s.kernelWidth) / s.stride) + 1,
  };
}

/**
 * out[b, oy, ox, co] = bias[co] + sum x[b, oy*s + ky - padY, ox*s + kx - padX, ci] * w[ky, kx, ci, co]
 * (pixels outside x count as 0). Returns [batch, outHeight, outWidth, outChannels].
 */
export function conv2dForwardReference(
  x: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  s: Conv2dReferenceShape,
): Float32Array {
  const { outHeight, outWidth } = conv2dReferenceOutputSize(s);
  const { batch, height, width, inChannels: ci_, outChannels: co_, kernelHeight, kernelWidth } = s;
  const out = new Float32Array(batch * outHeight * outWidth * co_);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let co = 0; co < co_; co++) {
          let sum = bias ? bias[co] : 0;
          for (let ky = 0; ky < kernelHeight; ky++) {
            const iy = oy * s.stride + ky - s.padY;
            if (iy < 0 || iy >= height) continue;
            for (let kx = 0; kx < kernelWidth; kx++) {
              const ix = ox * s.stride + kx - s.padX;
              if (ix < 0 || ix >= width) continue;
              for (let ci = 0; ci < ci_; ci++) {
                sum += x[((b * height + iy) * width + ix) * ci_ + ci] * weight[((ky * kernelWidth + kx) * ci_ + ci) * co_ + co];
              }
            }
          }
          out[((b * outHeight + oy) * outWidth + ox) * co_ + co] = sum;
        }
      }
    }
  }
  return out;
}

/**
 * Gradients of {@link conv2dForwardReference} given dOut [batch, outHeight, outWidth, outChannels]:
 * dx (x's shape), dWeight (the weight's shape), dBias [outChannels].
 */
export function conv2dBackwardReference(
  x: Float32Array,
  weight: Float32Array,
  dOut: Float32Array,
  s: Conv2dReferenceShape,
): { dx: Float32Array; dWeight: Float32Array; dBias: Float32Array } {
  const { outHeight, outWidth } = conv2dReferenceOutputSize(s);
  const { batch, height, width, inChannels: ci_, outChannels: co_, kernelHeight, kernelWidth } = s;
  const dx = new Float64Array(x.length);
  const dWeight = new Float64Array(weight.length);
  const dBias = new Float64Array(co_);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let co = 0; co < co_; co++) {
          const g = dOut[((b * outHeight + oy) * outWidth + ox) * co_ + co];
          dBias[co] += g;
          for (let ky = 0; ky < kernelHeight; ky++) {
            const iy = oy * s.stride + ky - s.padY;
            if (iy < 0 || iy >= height) continue;
            for (let kx = 0; kx < kernelWidth; kx++) {
              const ix = ox * s.stride + kx - s.padX;
              if (ix < 0 || ix >= width) continue;
              for (let ci = 0; ci < ci_; ci++) {
                const xi = ((b * height + iy) * width + ix) * ci_ + ci;
                const wi = ((ky * kernelWidth + kx) * ci_ + ci) * co_ + co;
                dx[xi] += g * weight[wi];
                dWeight[wi] += g * x[xi];
              }
            }
          }
        }
      }
    }
  }
  return { dx: Float32Array.from(dx), dWeight: Float32Array.from(dWeight), dBias: Float32Array.from(dBias) };
}

/**
 * Depth-to-space, NHWC, tf.depthToSpace's channel order:
 * out[b, y*r + i, x*r + j, c] = x[b, y, x, (i*r + j)*C + c]. x [batch, height, width, C*r*r].
 */
export function pixelShuffleReference(
  x: Float32Array,
  shape: readonly [number, number, number, number],
  factor: number,
): Float32Array {
  const [batch, height, width, deepC] = shape;
  const r = factor;
  const c_ = deepC / (r * r);
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < width; xx++)
        for (let i = 0; i < r; i++)
          for (let j = 0; j < r; j++)
            for (let c = 0; c < c_; c++) {
              out[((b * height * r + y * r + i) * width * r + xx * r + j) * c_ + c] =
                x[((b * height + y) * width + xx) * deepC + (i * r + j) * c_ + c];
            }
  return out;
}

/** Gradient of {@link pixelShuffleReference}: space-to-depth of dOut; returns x's shape. */
export function pixelShuffleBackwardReference(
  dOut: Float32Array,
  shape: readonly [number, number, number, number],
  factor: number,
): Float32Array {
  const [batch, height, width, deepC] = shape;
  const r = factor;
  const c_ = deepC / (r * r);
  const dx = new Float32Array(dOut.length);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < width; xx++)
        for (let i = 0; i < r; i++)
          for (let j = 0; j < r; j++)
            for (let c = 0; c < c_; c++) {
              dx[((b * height + y) * width + xx) * deepC + (i * r + j) * c_ + c] =
                dOut[((b * height * r + y * r + i) * width * r + xx * r + j) * c_ + c];
            }
  return dx;
}

/** Nearest upsampling: out[b, y*r + i, x*r + j, c] = x[b, y, x, c]. x [batch, height, width, C]. */
export function upsampleNearestReference(
  x: Float32Array,
  shape: readonly [number, number, number, number],
  factor: number,
): Float32Array {
  const [batch, height, width, c_] = shape;
  const r = factor;
  const out = new Float32Array(x.length * r * r);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < height * r; oy++)
      for (let ox = 0; ox < width * r; ox++)
        for (let c = 0; c < c_; c++) {
          out[((b * height * r + oy) * width * r + ox) * c_ + c] =
            x[((b * height + Math.floor(oy / r)) * width + Math.floor(ox / r)) * c_ + c];
        }
  return out;
}

/** Gradient of {@link upsampleNearestReference}: the sum over each r x r block of dOut. */
export function upsampleNearestBackwardReference(
  dOut: Float32Array,
  shape: readonly [number, number, number, number],
  factor: number,
): Float32Array {
  const [batch, height, width, c_] = shape;
  const r = factor;
  const dx = new Float64Array(batch * height * width * c_);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < height * r; oy++)
      for (let ox = 0; ox < width * r; ox++)
        for (let c = 0; c < c_; c++) {
          dx[((b * height + Math.floor(oy / r)) * width + Math.floor(ox / r)) * c_ + c] +=
            dOut[((b * height * r + oy) * width * r + ox) * c_ + c];
        }
  return Float32Array.from(dx);
}
