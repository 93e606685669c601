import { FaceRegion, type FaceModel } from "../face/index.js";
import type { PinholeCamera } from "../geometry/camera.js";
import { rasterizeMesh } from "../geometry/rasterize.js";

/** Bits of a per-pixel region mask. */
export const REGION_FACE = 1;
export const REGION_MOUTH = 2;
export const REGION_EYES = 4;

/** Region-mask bits of a face-model vertex region: the face includes the mouth and eyes. */
export function regionBitsOfFaceRegion(region: number): number {
  switch (region) {
    case FaceRegion.lips:
    case FaceRegion.mouthInterior:
    case FaceRegion.teeth:
      return REGION_FACE | REGION_MOUTH;
    case FaceRegion.eyelids:
    case FaceRegion.eyeSocket:
    case FaceRegion.eyeball:
    case FaceRegion.iris:
    case FaceRegion.pupil:
      return REGION_FACE | REGION_EYES;
    case FaceRegion.faceSkin:
      return REGION_FACE;
    default:
      return 0;
  }
}

/** Region bits of every triangle of the face model (from its first vertex's region). */
export function triangleRegionBits(model: FaceModel): Uint8Array {
  const bits = new Uint8Array(model.triangles.length / 3);
  for (let t = 0; t < bits.length; t++) bits[t] = regionBitsOfFaceRegion(model.regions[model.triangles[3 * t]]);
  return bits;
}

/**
 * Face, mouth and eye masks (255 inside) of the posed face model seen by `camera`:
 * the visible triangles' regions, with the whole head occluding what is behind it.
 */
export function rasterizeRegionMasks(options: { camera: PinholeCamera; verticesWorld: Float32Array; model: FaceModel; triangleBits?: Uint8Array }): {
  face: Uint8Array;
  mouth: Uint8Array;
  eyes: Uint8Array;
} {
  const { camera, verticesWorld, model } = options;
  const bits = options.triangleBits ?? triangleRegionBits(model);
  const raster = rasterizeMesh({ camera, verticesWorld, triangles: model.triangles });
  const n = camera.widthPx * camera.heightPx;
  const face = new Uint8Array(n), mouth = new Uint8Array(n), eyes = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const t = raster.triangleId[p];
    if (t < 0) continue;
    const b = bits[t];
    if (b & REGION_FACE) face[p] = 255;
    if (b & REGION_MOUTH) mouth[p] = 255;
    if (b & REGION_EYES) eyes[p] = 255;
  }
  return { face, mouth, eyes };
}
