/**
 * Method-agnostic differentiable volume rendering (NeRF, Mildenhall et al. 2020,
 * https://arxiv.org/abs/2003.08934): sample rays, query a radiance field, composite.
 * Gradients flow through core autograd into whatever the field used.
 */
import {
  Tensor, compositeAlongRays, mul, noGrad, reshape, scope, sum, tensor, type Random,
} from "../core/index.js";
import type { PinholeCamera, Vec3 } from "../geometry/index.js";
import { RenderError } from "./error.js";
import { cameraRays, intersectBox, intersectSphere, untile, type RayBounds } from "./rays.js";
import {
  checkRayInputs, guidedDistances, mergeSortedDistances, samplePiecewiseConstant, sampleAlongRays, samplesAtDistances, voronoiEdges,
  type RaySamples,
} from "./sampling.js";

/** What a radiance field returns for N points. */
export interface FieldOutput {
  /** Colour or features [N, C]. */
  rgb: Tensor;
  /** Density [N] (or [N, 1]), non-negative (already activated), per world unit. */
  density: Tensor;
}

/**
 * A radiance field: points [N, 3] and unit view directions [N, 3], both world
 * frame, to colour and density. Samples arrive ray by ray (S consecutive rows per
 * ray, rays in pixel tiles), the cache-friendly order for tri-plane lookups.
 */
export type RadianceField = (pointsWorld: Tensor, viewDirs: Tensor) => FieldOutput;

/** Where a guide (e.g. a fitted mesh) says each ray meets the surface: some of the samples go around it (see guidedDistances). */
export interface RayGuide {
  /** Distance along each ray [R] (renderRays) or each pixel's centre ray [H*W] (renderImage); Infinity where there is no surface. */
  distances: Float32Array;
  /** Of the stratified samples, how many go in the window around the guide (less than numSamples). */
  numSamples: number;
  /** Half-width of the window, world units. */
  halfWidth: number;
}

/** Options of {@link renderRays}. */
export interface RenderRaysOptions {
  /** Ray origins [R*3], world frame. */
  origins: Float32Array;
  /** Unit ray directions [R*3], world frame. */
  directions: Float32Array;
  /** Entry distance per ray [R]. */
  near: Float32Array;
  /** Exit distance per ray [R]; far <= near is an empty interval (opacity 0, background colour). */
  far: Float32Array;
  /** Stratified samples per ray (S >= 1). */
  numSamples: number;
  /**
   * Extra samples per ray drawn from the weights of a first pass over the stratified
   * samples (hierarchical sampling, NeRF section 5.2, with one field as in mip-NeRF);
   * the first pass runs without gradients and the field is then evaluated at all
   * S + numImportanceSamples samples. Default 0 (one pass).
   */
  numImportanceSamples?: number;
  field: RadianceField;
  /** Concentrate some of the stratified samples around a guide's surface distance per ray; default none. */
  guide?: RayGuide;
  /** Colour behind the volume: [C] numbers, or a Tensor [C] or [R, C] (may require grad); none (black) when omitted. */
  background?: ArrayLike<number> | Tensor | null;
  /** Jitters the samples (training); deterministic midpoints when omitted (evaluation). */
  rng?: Random;
}

/** Results of {@link renderRays}; Tensors that require grad where the field's outputs did. */
export interface RenderRaysResult {
  /** Rendered colour [R, C], background included. */
  rgb: Tensor;
  /** Accumulated opacity [R], 1 - final transmittance. */
  opacity: Tensor;
  /** Expected termination distance sum_i w_i t_i [R], world units along the ray (0 for empty rays; not divided by opacity). */
  depth: Tensor;
  /** Per-sample weights w_i = T_i alpha_i [R, S'] (S' = numSamples + numImportanceSamples). */
  weights: Tensor;
  /** Sample distances [R, S'] (no grad). */
  tValues: Tensor;
}

function uniformEdges(near: Float32Array, far: Float32Array, numBins: number): Float32Array {
  const edges = new Float32Array(near.length * (numBins + 1));
  for (let r = 0; r < near.length; r++) {
    const span = far[r] > near[r] ? far[r] - near[r] : 0;
    for (let k = 0; k <= numBins; k++) edges[r * (numBins + 1) + k] = near[r] + (span * k) / numBins;
  }
  return edges;
}

function queryField(field: RadianceField, samples: RaySamples): { rgb: Tensor; density: Tensor } {
  const [numRays, numSamples] = samples.tValues.shape;
  const n = numRays * numSamples;
  const out = field(samples.pointsWorld, samples.viewDirs);
  const { rgb, density } = out;
  if (rgb.rank !== 2 || rgb.shape[0] !== n || rgb.shape[1] < 1) {
    throw new RenderError(`renderRays: the field's rgb must be [N, C] = [${n}, C], got [${rgb.shape}]`);
  }
  const densityFits = density.size === n && (density.rank === 1 || (density.rank === 2 && density.shape[1] === 1));
  if (!densityFits) throw new RenderError(`renderRays: the field's density must be [N] = [${n}], got [${density.shape}]`);
  return { rgb: reshape(rgb, [numRays, numSamples, rgb.shape[1]]), density: reshape(density, [numRays, numSamples]) };
}

/**
 * Renders R rays through `field`: samples between near and far, evaluates the
 * field once on all samples, composites front to back (core compositeAlongRays).
 * Gradients reach the field's parameters and a background Tensor that requires grad.
 * Rays with empty intervals still occupy rows of the field's batch (with delta 0);
 * drop them beforehand when that matters for speed.
 */
export function renderRays(options: RenderRaysOptions): RenderRaysResult {
  const { origins, directions, near, far, numSamples, field, rng } = options;
  const numImportance = options.numImportanceSamples ?? 0;
  const numRays = checkRayInputs("renderRays", options);
  if (numRays < 1) throw new RenderError("renderRays: no rays");
  if (!Number.isInteger(numImportance) || numImportance < 0) {
    throw new RenderError(`renderRays: numImportanceSamples must be a whole number >= 0, got ${numImportance}`);
  }
  const guide = options.guide;
  if (guide && guide.distances.length !== numRays) throw new RenderError(`renderRays: guide.distances must be [R] = [${numRays}], got ${guide.distances.length} values`);
  let samples = guide
    ? samplesAtDistances({
      origins, directions, near, far,
      tValues: guidedDistances({ near, far, guides: guide.distances, numSamples, numGuided: guide.numSamples, halfWidth: guide.halfWidth, rng }),
    })
    : sampleAlongRays({ origins, directions, near, far, numSamples, rng });
  if (numImportance > 0) {
    const coarse = samples;
    const coarseWeights = noGrad(() =>
      scope(() => {
        const { rgb, density } = queryField(field, coarse);
        return compositeAlongRays({ rgb, density, deltas: coarse.deltas }).weights.toArray();
      }),
    );
    const edges = guide ? voronoiEdges(coarse.tValues.toArray(), near, far) : uniformEdges(near, far, numSamples);
    const fine = samplePiecewiseConstant({ edges, weights: coarseWeights, numSamples: numImportance, rng });
    const merged = mergeSortedDistances(coarse.tValues.toArray(), fine, numRays);
    for (const t of Object.values(coarse)) t.dispose();
    samples = samplesAtDistances({ origins, directions, near, far, tValues: merged });
  }
  const { rgb, density } = queryField(field, samples);
  let background: Tensor | null = null;
  if (options.background instanceof Tensor) background = options.background;
  else if (options.background) background = tensor(Array.from(options.background));
  const out = compositeAlongRays({ rgb, density, deltas: samples.deltas, background });
  const depth = sum(mul(out.weights, samples.tValues), { axis: 1 });
  return { rgb: out.rgb, opacity: out.opacity, depth, weights: out.weights, tValues: samples.tValues };
}

/** The region that holds the scene: rays are sampled only inside it. */
export type RenderBounds =
  | { kind: "sphere"; /** Centre, world frame. */ center: Vec3; /** Radius, world units. */ radius: number }
  | { kind: "box"; /** Lower corner, world frame. */ min: Vec3; /** Upper corner, world frame. */ max: Vec3 };

/** Near/far of each ray inside `bounds`. */
export function intersectBounds(bounds: RenderBounds, origins: Float32Array, directions: Float32Array): RayBounds {
  return bounds.kind === "sphere"
    ? intersectSphere({ origins, directions, center: bounds.center, radius: bounds.radius })
    : intersectBox({ origins, directions, min: bounds.min, max: bounds.max });
}

/** Options of {@link renderImage}. */
export interface RenderImageOptions {
  camera: PinholeCamera;
  field: RadianceField;
  /** Region of the scene; pixels whose rays miss it show the background. */
  bounds: RenderBounds;
  /** Stratified samples per ray. */
  numSamples: number;
  /** Hierarchical samples per ray (see {@link RenderRaysOptions.numImportanceSamples}); default 0. */
  numImportanceSamples?: number;
  /** Background colour [C]; black when omitted. */
  background?: ArrayLike<number>;
  /** Concentrate samples around a surface distance per pixel ([H*W], row-major); default none. */
  guide?: RayGuide;
  /** Rays rendered at once (bounds the memory); default 4096. */
  chunkRays?: number;
  /** Side of the pixel tiles rays are grouped in; default 8. */
  tileSizePx?: number;
}

/** A rendered image, row-major (pixel y * W + x), top-left first. */
export interface RenderedImage {
  widthPx: number;
  heightPx: number;
  /** Channels C of `rgb`. */
  channels: number;
  /** Colour [H*W*C], channel-last. */
  rgb: Float32Array;
  /** Accumulated opacity [H*W]. */
  opacity: Float32Array;
  /** Expected termination distance along the ray [H*W], world units (0 where nothing was hit). */
  depth: Float32Array;
}

/**
 * Renders a whole image for viewing or evaluation: rays in pixel tiles, only those
 * that enter `bounds`, in chunks of `chunkRays`, each under `noGrad` and `scope`,
 * so memory stays flat however large the image. Sample midpoints (deterministic).
 */
export function renderImage(options: RenderImageOptions): RenderedImage {
  const { camera, field, bounds, numSamples } = options;
  const chunkRays = options.chunkRays ?? 4096;
  if (!Number.isInteger(chunkRays) || chunkRays < 1) throw new RenderError(`renderImage: chunkRays must be a whole number >= 1, got ${chunkRays}`);
  const background = options.background ? Float32Array.from(options.background) : null;
  const rays = cameraRays({ camera, tileSizePx: options.tileSizePx });
  const guide = options.guide;
  if (guide && guide.distances.length !== camera.widthPx * camera.heightPx) {
    throw new RenderError(`renderImage: guide.distances must be [H*W] = [${camera.widthPx * camera.heightPx}], got ${guide.distances.length} values`);
  }
  const { near, far } = intersectBounds(bounds, rays.origins, rays.directions);
  const numPixels = rays.pixelIndices.length;
  const hit: number[] = [];
  for (let k = 0; k < numPixels; k++) if (far[k] > near[k]) hit.push(k);

  let channels = background ? background.length : 3;
  let tiledRgb: Float32Array | null = null;
  const tiledOpacity = new Float32Array(numPixels);
  const tiledDepth = new Float32Array(numPixels);
  const pick = (src: Float32Array, idx: number[], width: number): Float32Array => {
    const out = new Float32Array(idx.length * width);
    idx.forEach((k, i) => out.set(src.subarray(k * width, (k + 1) * width), i * width));
    return out;
  };
  for (let start = 0; start < hit.length; start += chunkRays) {
    const idx = hit.slice(start, start + chunkRays);
    const result = noGrad(() =>
      scope(() => {
        const r = renderRays({
          origins: pick(rays.origins, idx, 3),
          directions: pick(rays.directions, idx, 3),
          near: pick(near, idx, 1),
          far: pick(far, idx, 1),
          numSamples,
          numImportanceSamples: options.numImportanceSamples,
          field,
          background,
          guide: guide && { ...guide, distances: Float32Array.from(idx, (k) => guide.distances[rays.pixelIndices[k]]) },
        });
        return { rgb: r.rgb.toArray(), channels: r.rgb.shape[1], opacity: r.opacity.toArray(), depth: r.depth.toArray() };
      }),
    );
    if (!tiledRgb) {
      if (background && result.channels !== background.length) {
        throw new RenderError(`renderImage: background has ${background.length} channels, the field gives ${result.channels}`);
      }
      channels = result.channels;
      tiledRgb = new Float32Array(numPixels * channels);
    }
    idx.forEach((k, i) => {
      tiledRgb?.set(result.rgb.subarray(i * channels, (i + 1) * channels), k * channels);
      tiledOpacity[k] = result.opacity[i];
      tiledDepth[k] = result.depth[i];
    });
  }
  if (!tiledRgb) tiledRgb = new Float32Array(numPixels * channels);
  if (background) {
    for (let k = 0; k < numPixels; k++) if (!(far[k] > near[k])) tiledRgb.set(background, k * channels);
  }
  return {
    widthPx: camera.widthPx,
    heightPx: camera.heightPx,
    channels,
    rgb: untile(tiledRgb, rays.pixelIndices, channels),
    opacity: untile(tiledOpacity, rays.pixelIndices),
    depth: untile(tiledDepth, rays.pixelIndices),
  };
}
