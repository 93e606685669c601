// The public surface of the render layer: camera rays in pixel tiles, samples along rays, differentiable volume rendering.
export { RenderError } from "./error.js";
export {
  DEFAULT_TILE_SIZE_PX, cameraRays, intersectBox, intersectSphere, raysForPixels, sampleRayBatch, tileOrder, toTileOrder, untile,
  type CameraRaysOptions, type IntersectBoxOptions, type IntersectSphereOptions, type RayBounds, type Rays,
  type SampleRayBatchOptions, type TileOrderOptions,
} from "./rays.js";
export {
  guidedDistances, mergeSortedDistances, sampleAlongRays, samplePiecewiseConstant, samplesAtDistances, voronoiEdges,
  type GuidedDistancesOptions, type RaySamples, type SampleAlongRaysOptions, type SamplePiecewiseConstantOptions, type SamplesAtDistancesOptions,
} from "./sampling.js";
export {
  intersectBounds, renderImage, renderRays,
  type FieldOutput, type RayGuide, type RadianceField, type RenderBounds, type RenderImageOptions, type RenderRaysOptions,
  type RenderRaysResult, type RenderedImage,
} from "./volume.js";
export { renderBoundsSchema, volumeRenderConfigSchema, type VolumeRenderConfig } from "./config.js";
