// The public surface of the geometry layer: rigid transforms, pinhole cameras and rays, rasterization.
export * from "./rigid.js";
export * from "./camera.js";
export { interpolateAttributes, rasterizeMesh, rayDistances, type RasterBuffers, type RasterizeOptions } from "./rasterize.js";
export { makeUvSphere } from "./sphere.js";
export { rigidTransformPoints, rodriguesCoefficients, rotationAndDerivatives, type RigidTransformPointsOptions } from "./pose-op.js";
