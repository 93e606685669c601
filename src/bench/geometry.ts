import { lookAtCamera } from "../geometry/camera.js";
import { rasterizeMesh } from "../geometry/rasterize.js";
import { makeUvSphere } from "../geometry/sphere.js";
import { medianSeconds, type BenchResult } from "./result.js";

/** Rasterizer throughput: 256x256 frames of a 10k-triangle sphere filling most of the view. */
export async function benchGeometry(): Promise<BenchResult[]> {
  const sphere = makeUvSphere(1, 71, 71); // 2 * 71 * 70 = 9940 triangles
  const camera = lookAtCamera({ eye: [0, 0, 2.6], target: [0, 0, 0], widthPx: 256, heightPx: 256, focalPx: 280 });
  const frames = 10;
  const seconds = medianSeconds(() => {
    for (let i = 0; i < frames; i++) rasterizeMesh({ camera, verticesWorld: sphere.vertices, triangles: sphere.triangles });
  }, { warmup: 1, repeats: 5 });
  return [{ name: "rasterize_256_10k_fps", value: frames / seconds, unit: "frames/s" }];
}
