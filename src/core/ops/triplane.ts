/**
 * Tri-plane feature sampling (EG3D, Chan et al. 2022, https://arxiv.org/abs/2112.07945):
 * a 3D point reads bilinearly from three axis-aligned feature planes; the three
 * samples are summed or concatenated. Kernels in assembly/triplane.ts.
 */
import { recordOp } from "../autograd.js";
import { getCore, runKernel } from "../runtime.js";
import { empty, type Tensor } from "../tensor.js";

/** How the three plane samples are combined. */
export const TRIPLANE_REDUCTIONS = ["sum", "concat"] as const;

/** `"sum"`: [N, C], the three samples added; `"concat"`: [N, 3C], the samples of planes 0, 1, 2 side by side. */
export type TriplaneReduction = (typeof TRIPLANE_REDUCTIONS)[number];

/** Options of {@link sampleTriplane}. */
export interface SampleTriplaneOptions {
  /**
   * Feature planes [3, R, R, C], channel-last. Plane 0 spans (x, y), plane 1 (x, z),
   * plane 2 (y, z); in each, the first coordinate picks the column (axis 2) and the
   * second the row (axis 1), as (x, y) do in grid_sample.
   */
  planes: Tensor;
  /** Points [N, 3] in the normalized cube [-1, 1]^3; coordinates outside are clamped to the border. */
  points: Tensor;
  /** How the three samples are combined; default `"sum"`. */
  reduce?: TriplaneReduction;
}

/**
 * Samples tri-plane features at `points` with bilinear interpolation.
 *
 * Convention (align_corners = false, border padding): texel i of R has its centre
 * at -1 + (2i + 1) / R, so the planes tile [-1, 1] edge to edge; a coordinate's
 * continuous texel position ((u + 1) R - 1) / 2 is clamped to [0, R - 1], and the
 * gradient with respect to a clamped coordinate is zero.
 *
 * Returns [N, C] (`reduce: "sum"`) or [N, 3C] (`"concat"`). Gradients flow to both
 * the planes and the points. The planes gradient is race-free: every thread visits
 * every point but writes only texel rows it owns (blocks of 8 rows dealt in turn), so
 * the result is identical for any thread count; the points gradient is summed from
 * per-thread partials. Samples ordered ray by ray, in small tiles of rays, are the
 * cache-friendly order (planes are larger than the caches).
 */
export function sampleTriplane(options: SampleTriplaneOptions): Tensor {
  const { planes, points } = options;
  const reduce = options.reduce ?? "sum";
  if (!TRIPLANE_REDUCTIONS.includes(reduce)) {
    throw new Error(`sampleTriplane: reduce must be one of ${TRIPLANE_REDUCTIONS.join(", ")}, got '${String(reduce)}'`);
  }
  const [three, res, resCols, channels] = planes.shape;
  if (planes.rank !== 4 || three !== 3 || res !== resCols || res < 1 || channels < 1) {
    throw new Error(`sampleTriplane: planes must be [3, R, R, C] with R, C >= 1, got [${planes.shape}]`);
  }
  if (points.rank !== 2 || points.shape[1] !== 3) {
    throw new Error(`sampleTriplane: points must be [N, 3], got [${points.shape}]`);
  }
  if (3 * res * res * channels * 4 >= 2 ** 31) {
    throw new Error(`sampleTriplane: planes [${planes.shape}] exceed the kernels' 2 GiB offset range`);
  }
  const numPoints = points.shape[0];
  const concat = reduce === "concat";
  const out = empty([numPoints, concat ? 3 * channels : channels]);
  runKernel("triplaneForward", [planes.ptr, points.ptr, out.ptr, numPoints, res, channels, concat ? 1 : 0], 24 * numPoints * channels);
  recordOp({
    name: "sampleTriplane",
    inputs: [planes, points],
    outputs: [out],
    backward: ([gradOut]) => {
      if (!gradOut) return [null, null];
      const dPlanes = planes.requiresGrad ? empty(planes.shape) : null;
      const dPoints = points.requiresGrad ? empty(points.shape) : null;
      if (!dPlanes && !dPoints) return [null, null];
      const numThreads = getCore().numThreads;
      // Threads 1.. write their partial point gradients here, after a 16-byte header.
      const scratch = dPlanes && dPoints && numThreads > 1 ? empty([4 + (numThreads - 1) * numPoints * 3]) : null;
      const work = 3 * res * res * channels + (dPlanes ? 24 : 0) * numPoints * channels + (dPoints ? 40 : 0) * numPoints * channels;
      runKernel(
        "triplaneBackward",
        [
          planes.ptr,
          points.ptr,
          gradOut.ptr,
          dPlanes ? dPlanes.ptr : 0,
          dPoints ? dPoints.ptr : 0,
          scratch ? scratch.ptr : 0,
          numPoints,
          res,
          channels,
          concat ? 1 : 0,
        ],
        work,
      );
      if (scratch && dPoints) {
        runKernel("triplaneSumPointGrads", [dPoints.ptr, scratch.ptr, numPoints], 3 * numPoints * numThreads);
        scratch.dispose();
      }
      return [dPlanes, dPoints];
    },
  });
  return out;
}
