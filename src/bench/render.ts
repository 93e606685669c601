import { Random, activate, dense, reshape, sampleTriplane, slice, type Tensor } from "../core/index.js";
import { focalPxFromFov, lookAtCamera } from "../geometry/index.js";
import { renderImage, type RadianceField } from "../render/index.js";
import { medianSeconds, type BenchResult } from "./result.js";

const SAMPLES_PER_RAY = 48;
/** Radius of the head region around the origin, world units. */
const HEAD_RADIUS = 1;

/**
 * A stand-in avatar field: tri-plane features (3 planes 64 x 64 x 16, summed) and an
 * MLP 16-64-4 (ReLU), colour = sigmoid, density = softplus. Points are normalized by
 * the head radius into the planes' [-1, 1] cube. Random weights: the cost, not the
 * picture, is what is measured.
 */
function standInField(rng: Random): { field: RadianceField; params: Tensor[] } {
  const planes = rng.randn([3, 64, 64, 16], 0.5).asParameter();
  const w1 = rng.randn([16, 64], Math.sqrt(2 / 16)).asParameter();
  const b1 = rng.randn([64], 0.01).asParameter();
  const w2 = rng.randn([64, 4], Math.sqrt(1 / 64)).asParameter();
  const b2 = rng.randn([4], 0.01).asParameter();
  const field: RadianceField = (pointsWorld) => {
    const n = pointsWorld.shape[0];
    const features = sampleTriplane({ planes, points: pointsWorld });
    const hidden = dense({ x: features, weight: w1, bias: b1, activation: "relu" });
    const out = dense({ x: hidden, weight: w2, bias: b2 });
    return {
      rgb: activate({ x: slice(out, { begin: [0, 0], size: [n, 3] }), kind: "sigmoid" }),
      density: reshape(activate({ x: slice(out, { begin: [0, 3], size: [n, 1] }), kind: "softplus" }), [n]),
    };
  };
  return { field, params: [planes, w1, b1, w2, b2] };
}

/**
 * Frames per second of renderImage (48 samples per ray, no gradients, rays inside a
 * sphere of radius 1 that the camera frames with a little margin) at 128 x 128 and
 * 256 x 256, with the stand-in tri-plane + MLP field.
 */
export function benchRender(): BenchResult[] {
  const { field, params } = standInField(new Random(9));
  const results: BenchResult[] = [];
  for (const size of [128, 256]) {
    const camera = lookAtCamera({ eye: [0.4, 0.3, 3], target: [0, 0, 0], widthPx: size, heightPx: size, focalPx: focalPxFromFov(0.75, size) });
    const seconds = medianSeconds(
      () => {
        renderImage({ camera, field, bounds: { kind: "sphere", center: [0, 0, 0], radius: HEAD_RADIUS }, numSamples: SAMPLES_PER_RAY, background: [1, 1, 1] });
      },
      { warmup: 2, repeats: 5 },
    );
    results.push({ name: `render_${size}_fps`, value: 1 / seconds, unit: "frames/s" });
  }
  for (const p of params) p.dispose();
  return results;
}
