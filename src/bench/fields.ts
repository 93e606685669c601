import { backward, zeroGrad } from "../core/autograd.js";
import { Random } from "../core/random.js";
import { scope, tensor, type Tensor } from "../core/tensor.js";
import { compositeAlongRays } from "../core/ops/composite.js";
import { encodePositions } from "../core/ops/encoding.js";
import { sampleTriplane } from "../core/ops/triplane.js";
import { medianSeconds, type BenchResult } from "./result.js";

const PLANE_RES = 256;
const PLANE_CHANNELS = 32;
/** Rays x samples per ray of the ray-coherent sample sets (2^20 samples). */
const NUM_RAYS = 16384;
const SAMPLES_PER_RAY = 64;
/** Side of the square pixel tiles the rays are ordered in. */
const RAY_TILE = 8;

/**
 * Sample points [NUM_RAYS * SAMPLES_PER_RAY, 3] as a renderer makes them: a 128 x 128
 * pinhole camera 2.5 units from the centre of the [-1, 1]^3 cube looks at it, and each
 * ray is sampled at even steps through the cube, samples front to back, rays in 8 x 8
 * pixel tiles (neighbouring rays reuse each other's texels while they are cached).
 */
function rayCoherentPoints(): Float32Array {
  const side = Math.round(Math.sqrt(NUM_RAYS));
  const pts = new Float32Array(NUM_RAYS * SAMPLES_PER_RAY * 3);
  const origin = [0.7, 0.9, 2.2];
  const norm = Math.hypot(...origin);
  // Camera basis: forward to the centre, right and up orthogonal to it.
  const fwd = origin.map((v) => -v / norm);
  const right = [fwd[2], 0, -fwd[0]].map((v, _, a) => v / Math.hypot(...a));
  const up = [
    right[1] * fwd[2] - right[2] * fwd[1],
    right[2] * fwd[0] - right[0] * fwd[2],
    right[0] * fwd[1] - right[1] * fwd[0],
  ];
  const halfFov = 0.45;
  let k = 0;
  for (let tile = 0; tile < NUM_RAYS; tile += RAY_TILE * RAY_TILE) {
    for (let inTile = 0; inTile < RAY_TILE * RAY_TILE; inTile++) {
      const py = Math.floor(tile / (side * RAY_TILE)) * RAY_TILE + Math.floor(inTile / RAY_TILE);
      const px = ((tile / RAY_TILE) % side) + (inTile % RAY_TILE);
      const sx = ((px + 0.5) / side - 0.5) * 2 * halfFov;
      const sy = ((py + 0.5) / side - 0.5) * 2 * halfFov;
      const dir = [0, 1, 2].map((a) => fwd[a] + sx * right[a] + sy * up[a]);
      const len = Math.hypot(...dir);
      for (let s = 0; s < SAMPLES_PER_RAY; s++) {
        const t = norm - 1.5 + (3 * (s + 0.5)) / SAMPLES_PER_RAY;
        for (let a = 0; a < 3; a++) pts[k++] = origin[a] + (t * dir[a]) / len;
      }
    }
  }
  return pts;
}

/** Millions of samples per second of sampleTriplane forward + backward (planes gradient; points too if asked). */
function timeTriplane(points: Float32Array, withPointGrad: boolean): number {
  const rng = new Random(3);
  const numPoints = points.length / 3;
  const planes = rng.randn([3, PLANE_RES, PLANE_RES, PLANE_CHANNELS], 0.1).asParameter();
  const pts = tensor(points, [numPoints, 3]);
  pts.requiresGrad = withPointGrad;
  const gradOut = rng.randUniform([numPoints, PLANE_CHANNELS], -1, 1);
  const step = (): void => {
    scope(() => {
      const out = sampleTriplane({ planes, points: pts, reduce: "sum" });
      backward(out, gradOut);
    });
    zeroGrad([planes, pts]);
  };
  const seconds = medianSeconds(step, { warmup: 1, repeats: 5 });
  planes.dispose();
  pts.dispose();
  gradOut.dispose();
  return numPoints / seconds / 1e6;
}

/** Millions of points per second of encodePositions (D = 3, F = 10) forward + backward to x. */
function timePositionalEncoding(): number {
  const numPoints = 1 << 20;
  const rng = new Random(4);
  const x = rng.randUniform([numPoints, 3], -1, 1);
  x.requiresGrad = true;
  const gradOut = rng.randUniform([numPoints, 3 + 2 * 3 * 10], -1, 1);
  const step = (): void => {
    scope(() => backward(encodePositions({ x, numFrequencies: 10 }), gradOut));
    zeroGrad([x]);
  };
  const seconds = medianSeconds(step, { warmup: 1, repeats: 5 });
  x.dispose();
  gradOut.dispose();
  return numPoints / seconds / 1e6;
}

/** Millions of rays per second of compositeAlongRays (R = 16384, S = 64, C = 3) forward + backward to rgb and density. */
function timeComposite(): number {
  const rng = new Random(5);
  const rgb = rng.randUniform([NUM_RAYS, SAMPLES_PER_RAY, 3], 0, 1);
  const density = rng.randUniform([NUM_RAYS, SAMPLES_PER_RAY], 0, 20);
  const deltas = rng.randUniform([NUM_RAYS, SAMPLES_PER_RAY], 0.01, 0.05);
  rgb.requiresGrad = true;
  density.requiresGrad = true;
  const gradRgb = rng.randUniform([NUM_RAYS, 3], -1, 1);
  const step = (): void => {
    scope(() => backward(compositeAlongRays({ rgb, density, deltas }).rgb, gradRgb));
    zeroGrad([rgb, density]);
  };
  const seconds = medianSeconds(step, { warmup: 2, repeats: 9 });
  for (const t of [rgb, density, deltas, gradRgb] as Tensor[]) t.dispose();
  return NUM_RAYS / seconds / 1e6;
}

/**
 * Radiance-field kernel numbers, each a full forward + backward through the ops:
 * tri-plane sampling of 3 x 256^2 x 32 planes at 2^20 ray-coherent samples (planes
 * gradient, then planes and points gradients; also at uniformly random points, the
 * cache-hostile worst case), positional encoding of 2^20 points (D 3, F 10), and
 * compositing of 16384 rays x 64 samples x 3 channels.
 */
export async function benchFields(): Promise<BenchResult[]> {
  const coherent = rayCoherentPoints();
  const random = new Float32Array(coherent.length);
  const rng = new Random(6);
  for (let i = 0; i < random.length; i++) random[i] = 2 * rng.uniform() - 1;
  return [
    { name: "triplane_fwd_bwd_msamples", value: timeTriplane(coherent, false), unit: "Msamples/s" },
    { name: "triplane_fwd_bwd_points_msamples", value: timeTriplane(coherent, true), unit: "Msamples/s" },
    { name: "triplane_fwd_bwd_random_msamples", value: timeTriplane(random, false), unit: "Msamples/s" },
    { name: "posenc_fwd_bwd_mpts", value: timePositionalEncoding(), unit: "Mpoints/s" },
    { name: "composite_fwd_bwd_mrays", value: timeComposite(), unit: "Mrays/s" },
  ];
}
