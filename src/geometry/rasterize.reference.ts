import { transformPoints } from "./rigid.js";
import type { PinholeCamera } from "./camera.js";
import type { RasterBuffers } from "./rasterize.js";

/**
 * Reference rasterizer, written independently of the fast one: for every pixel,
 * casts the ray through its centre in the camera frame and intersects it with every
 * triangle in 3D (Moller-Trumbore), keeping the nearest hit. Slow: O(pixels x triangles).
 */
export function rasterizeMeshReference(options: {
  camera: PinholeCamera;
  verticesWorld: Float32Array;
  triangles: Uint32Array;
  nearDepth?: number;
}): RasterBuffers {
  const { camera, verticesWorld, triangles, nearDepth = 1e-3 } = options;
  const { widthPx: w, heightPx: h } = camera;
  const v = transformPoints(camera.worldToCamera, verticesWorld);
  const depth = new Float32Array(w * h).fill(Infinity);
  const triangleId = new Int32Array(w * h).fill(-1);
  const barycentrics = new Float32Array(2 * w * h);
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      // Ray from the origin through the pixel centre, scaled so that its z is 1.
      const dx = (px + 0.5 - camera.principalPx[0]) / camera.focalPx[0];
      const dy = (py + 0.5 - camera.principalPx[1]) / camera.focalPx[1];
      for (let t = 0; t < triangles.length / 3; t++) {
        const a = 3 * triangles[3 * t], b = 3 * triangles[3 * t + 1], c = 3 * triangles[3 * t + 2];
        if (v[a + 2] < nearDepth || v[b + 2] < nearDepth || v[c + 2] < nearDepth) continue;
        const e1 = [v[b] - v[a], v[b + 1] - v[a + 1], v[b + 2] - v[a + 2]];
        const e2 = [v[c] - v[a], v[c + 1] - v[a + 1], v[c + 2] - v[a + 2]];
        const d = [dx, dy, 1];
        const p = [d[1] * e2[2] - d[2] * e2[1], d[2] * e2[0] - d[0] * e2[2], d[0] * e2[1] - d[1] * e2[0]];
        const det = e1[0] * p[0] + e1[1] * p[1] + e1[2] * p[2];
        if (Math.abs(det) < 1e-14) continue;
        const s = [-v[a], -v[a + 1], -v[a + 2]];
        const u = (s[0] * p[0] + s[1] * p[1] + s[2] * p[2]) / det;
        const q = [s[1] * e1[2] - s[2] * e1[1], s[2] * e1[0] - s[0] * e1[2], s[0] * e1[1] - s[1] * e1[0]];
        const vv = (d[0] * q[0] + d[1] * q[1] + d[2] * q[2]) / det;
        const z = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) / det;
        if (u < 0 || vv < 0 || u + vv > 1 || z <= 0) continue;
        const i = py * w + px;
        if (z < depth[i]) {
          depth[i] = z;
          triangleId[i] = t;
          barycentrics[2 * i] = u;
          barycentrics[2 * i + 1] = vv;
        }
      }
    }
  }
  return { widthPx: w, heightPx: h, depth, triangleId, barycentrics };
}
