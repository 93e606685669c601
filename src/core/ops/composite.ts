/**
 * Volume rendering quadrature along rays (NeRF, Mildenhall et al. 2020,
 * https://arxiv.org/abs/2003.08934; Max 1995). Kernels in assembly/composite.ts.
 */
import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, type Tensor } from "../tensor.js";

/** Options of {@link compositeAlongRays}. */
export interface CompositeAlongRaysOptions {
  /** Per-sample colours or features [R, S, C], samples ordered front to back. */
  rgb: Tensor;
  /** Per-sample density [R, S], non-negative (already activated), per unit of `deltas`. */
  density: Tensor;
  /** Per-sample step length [R, S], in the units of the ray parameter (e.g. scene units). */
  deltas: Tensor;
  /** Colour behind the volume: one [C] for every ray, or one per ray [R, C]; none when omitted. */
  background?: Tensor | null;
}

/** Results of {@link compositeAlongRays}. */
export interface CompositeAlongRaysResult {
  /** Composited colour or feature [R, C], background included. */
  rgb: Tensor;
  /** Accumulated opacity [R], the sum of the weights (1 - final transmittance). */
  opacity: Tensor;
  /** Per-sample weights w_i = T_i alpha_i [R, S]. */
  weights: Tensor;
}

/**
 * Composites samples along each ray: alpha_i = 1 - exp(-density_i delta_i),
 * T_i = prod_{j<i} (1 - alpha_j), w_i = T_i alpha_i; rgb = sum_i w_i rgb_i, plus
 * (1 - opacity) background when a background is given; opacity = sum_i w_i.
 *
 * Gradients flow to rgb, density, deltas and background from gradients on any of
 * the three outputs; the backward is O(S) per ray (reverse accumulation of
 * sum_{i>k} w_i dL/dw_i).
 */
export function compositeAlongRays(options: CompositeAlongRaysOptions): CompositeAlongRaysResult {
  const { rgb, density, deltas } = options;
  const background = options.background ?? null;
  if (rgb.rank !== 3 || rgb.shape[2] < 1) {
    throw new Error(`compositeAlongRays: rgb must be [R, S, C] with C >= 1, got [${rgb.shape}]`);
  }
  const [numRays, numSamples, channels] = rgb.shape;
  const sameRS = (t: Tensor): boolean => t.rank === 2 && t.shape[0] === numRays && t.shape[1] === numSamples;
  if (!sameRS(density) || !sameRS(deltas)) {
    throw new Error(
      `compositeAlongRays: density and deltas must be [R, S] = [${numRays}, ${numSamples}] to match rgb [${rgb.shape}], ` +
        `got density [${density.shape}] and deltas [${deltas.shape}]`,
    );
  }
  let perRay = false;
  if (background) {
    perRay = background.rank === 2;
    const fits = perRay
      ? background.shape[0] === numRays && background.shape[1] === channels
      : background.rank === 1 && background.shape[0] === channels;
    if (!fits) {
      throw new Error(
        `compositeAlongRays: background must be [C] = [${channels}] or [R, C] = [${numRays}, ${channels}], got [${background.shape}]`,
      );
    }
  }
  const outRgb = empty([numRays, channels]);
  const opacity = empty([numRays]);
  const weights = empty([numRays, numSamples]);
  const work = numRays * numSamples * (40 + 2 * channels);
  runKernel(
    "compositeForward",
    [
      rgb.ptr,
      density.ptr,
      deltas.ptr,
      background ? background.ptr : 0,
      perRay ? 1 : 0,
      outRgb.ptr,
      opacity.ptr,
      weights.ptr,
      numRays,
      numSamples,
      channels,
    ],
    work,
  );
  const inputs = background ? [rgb, density, deltas, background] : [rgb, density, deltas];
  recordOp({
    name: "compositeAlongRays",
    inputs,
    outputs: [outRgb, opacity, weights],
    backward: ([gRgb, gOpacity, gWeights]) => {
      const dRgb = rgb.requiresGrad ? empty(rgb.shape) : null;
      const dDensity = density.requiresGrad ? empty(density.shape) : null;
      const dDeltas = deltas.requiresGrad ? empty(deltas.shape) : null;
      const wantBackground = background !== null && background.requiresGrad;
      const dBackground = wantBackground ? empty(background.shape) : null;
      // A shared background's gradient is the column sum of per-ray gradients.
      const dBackgroundRays = wantBackground && !perRay ? empty([numRays, channels]) : dBackground;
      const scratch = empty([2 * numRays * numSamples]);
      runKernel(
        "compositeBackward",
        [
          rgb.ptr,
          density.ptr,
          deltas.ptr,
          background ? background.ptr : 0,
          perRay ? 1 : 0,
          gRgb ? gRgb.ptr : 0,
          gOpacity ? gOpacity.ptr : 0,
          gWeights ? gWeights.ptr : 0,
          dRgb ? dRgb.ptr : 0,
          dDensity ? dDensity.ptr : 0,
          dDeltas ? dDeltas.ptr : 0,
          dBackgroundRays ? dBackgroundRays.ptr : 0,
          scratch.ptr,
          numRays,
          numSamples,
          channels,
        ],
        work * 2,
      );
      scratch.dispose();
      if (dBackground && dBackgroundRays && dBackgroundRays !== dBackground) {
        runKernel("compositeSumRows", [dBackgroundRays.ptr, dBackground.ptr, numRays, channels], numRays * channels);
        dBackgroundRays.dispose();
      }
      const grads = [dRgb, dDensity, dDeltas];
      return background ? [...grads, dBackground] : grads;
    },
  });
  return { rgb: outRgb, opacity, weights };
}
