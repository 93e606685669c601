/**
 * Camera rays for the volume renderer: whole images in pixel tiles (ray-coherent,
 * so neighbouring rays read the same tri-plane texels while they are cached),
 * random training batches, and near/far bounds from a sphere or box around the head.
 */
import type { Random } from "../core/index.js";
import { generateRays, type PinholeCamera, type Vec3 } from "../geometry/index.js";
import { RenderError } from "./error.js";

/** Default side of the square pixel tiles rays are ordered in. */
export const DEFAULT_TILE_SIZE_PX = 8;

/** Rays in world coordinates: R rays, packed. */
export interface Rays {
  /** Ray origins [R*3], world frame. */
  origins: Float32Array;
  /** Unit ray directions [R*3], world frame. */
  directions: Float32Array;
  /** Row-major pixel index (y * W + x) of each ray [R]. */
  pixelIndices: Int32Array;
}

/** Options of {@link tileOrder}. */
export interface TileOrderOptions {
  widthPx: number;
  heightPx: number;
  /** Side of a square tile in pixels; default {@link DEFAULT_TILE_SIZE_PX}. */
  tileSizePx?: number;
}

/**
 * The tile order of an image's pixels: a permutation [H*W] whose entry k is the
 * row-major pixel index (y * W + x) of the k-th pixel in tile order.
 *
 * Order: tiles of `tileSizePx` x `tileSizePx` pixels, taken row by row (left to
 * right, then top to bottom); within a tile, pixels row by row. Tiles on the right
 * and bottom edges are clipped to the image when its size is not a multiple of the
 * tile size, so every pixel appears exactly once.
 */
export function tileOrder(options: TileOrderOptions): Int32Array {
  const { widthPx: w, heightPx: h } = options;
  const tile = options.tileSizePx ?? DEFAULT_TILE_SIZE_PX;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) {
    throw new RenderError(`tileOrder: image size must be whole numbers >= 1, got ${w} x ${h}`);
  }
  if (!Number.isInteger(tile) || tile < 1) throw new RenderError(`tileOrder: tileSizePx must be a whole number >= 1, got ${tile}`);
  const order = new Int32Array(w * h);
  let k = 0;
  for (let ty = 0; ty < h; ty += tile) {
    for (let tx = 0; tx < w; tx += tile) {
      const yEnd = Math.min(ty + tile, h);
      const xEnd = Math.min(tx + tile, w);
      for (let y = ty; y < yEnd; y++) for (let x = tx; x < xEnd; x++) order[k++] = y * w + x;
    }
  }
  return order;
}

function checkPermutation(fn: string, values: ArrayLike<number>, order: Int32Array, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) throw new RenderError(`${fn}: channels must be a whole number >= 1, got ${channels}`);
  if (values.length !== order.length * channels) {
    throw new RenderError(`${fn}: ${values.length} values do not match ${order.length} pixels x ${channels} channels`);
  }
}

/** Reorders a row-major image [H*W*C] into the tile order `order` of {@link tileOrder}: out[k] = image[order[k]]. */
export function toTileOrder(image: ArrayLike<number>, order: Int32Array, channels = 1): Float32Array {
  checkPermutation("toTileOrder", image, order, channels);
  const out = new Float32Array(image.length);
  for (let k = 0; k < order.length; k++) {
    const src = order[k] * channels;
    for (let c = 0; c < channels; c++) out[k * channels + c] = image[src + c];
  }
  return out;
}

/** The inverse of {@link toTileOrder}: values [H*W*C] in tile order back to a row-major image. */
export function untile(tiled: ArrayLike<number>, order: Int32Array, channels = 1): Float32Array {
  checkPermutation("untile", tiled, order, channels);
  const out = new Float32Array(tiled.length);
  for (let k = 0; k < order.length; k++) {
    const dst = order[k] * channels;
    for (let c = 0; c < channels; c++) out[dst + c] = tiled[k * channels + c];
  }
  return out;
}

// generateRays makes every pixel's ray; batches reuse them while the camera object lives.
const rayCache = new WeakMap<PinholeCamera, { origins: Float32Array; directions: Float32Array }>();

function allRays(camera: PinholeCamera): { origins: Float32Array; directions: Float32Array } {
  let rays = rayCache.get(camera);
  if (!rays) {
    rays = generateRays(camera);
    rayCache.set(camera, rays);
  }
  return rays;
}

/** Gathers the rays of `pixelIndices` (row-major pixel indices) of `camera`. */
export function raysForPixels(camera: PinholeCamera, pixelIndices: Int32Array): Rays {
  const all = allRays(camera);
  const numPixels = camera.widthPx * camera.heightPx;
  const origins = new Float32Array(pixelIndices.length * 3);
  const directions = new Float32Array(pixelIndices.length * 3);
  for (let k = 0; k < pixelIndices.length; k++) {
    const p = pixelIndices[k];
    if (!(p >= 0 && p < numPixels)) throw new RenderError(`raysForPixels: pixel index ${p} (at ${k}) is outside the ${numPixels} pixels`);
    for (let a = 0; a < 3; a++) {
      origins[3 * k + a] = all.origins[3 * p + a];
      directions[3 * k + a] = all.directions[3 * p + a];
    }
  }
  return { origins, directions, pixelIndices: Int32Array.from(pixelIndices) };
}

/** Options of {@link cameraRays}. */
export interface CameraRaysOptions {
  camera: PinholeCamera;
  /** Side of the square pixel tiles; default {@link DEFAULT_TILE_SIZE_PX}. */
  tileSizePx?: number;
}

/**
 * One ray through the centre of every pixel of `camera` (see geometry's
 * generateRays), in the tile order of {@link tileOrder}; `pixelIndices` is that order.
 */
export function cameraRays(options: CameraRaysOptions): Rays {
  const { camera } = options;
  const order = tileOrder({ widthPx: camera.widthPx, heightPx: camera.heightPx, tileSizePx: options.tileSizePx });
  return raysForPixels(camera, order);
}

/** Options of {@link sampleRayBatch}. */
export interface SampleRayBatchOptions {
  camera: PinholeCamera;
  /** Number of rays to draw. */
  count: number;
  rng: Random;
  /**
   * Non-negative per-pixel weights [H*W], row-major (e.g. 1 + 4 * foreground mask):
   * pixels are drawn with probability proportional to their weight. Uniform when omitted.
   */
  weights?: ArrayLike<number>;
  /** Tile size of the sort order of the batch; default {@link DEFAULT_TILE_SIZE_PX}. */
  tileSizePx?: number;
}

/**
 * A training batch of `count` rays of `camera`: pixels drawn independently (with
 * replacement), uniformly or in proportion to `weights`, then sorted by their
 * position in the tile order (for cache coherence; the set is what is random).
 * Deterministic given the state of `rng`.
 */
export function sampleRayBatch(options: SampleRayBatchOptions): Rays {
  const { camera, count, rng, weights } = options;
  const numPixels = camera.widthPx * camera.heightPx;
  if (!Number.isInteger(count) || count < 1) throw new RenderError(`sampleRayBatch: count must be a whole number >= 1, got ${count}`);
  const picked = new Int32Array(count);
  if (!weights) {
    for (let i = 0; i < count; i++) picked[i] = rng.int(numPixels);
  } else {
    if (weights.length !== numPixels) {
      throw new RenderError(`sampleRayBatch: weights has ${weights.length} values, expected H*W = ${numPixels}`);
    }
    const cdf = new Float64Array(numPixels);
    let total = 0;
    for (let i = 0; i < numPixels; i++) {
      const wi = weights[i];
      if (!(wi >= 0) || !Number.isFinite(wi)) throw new RenderError(`sampleRayBatch: weight ${wi} at pixel ${i} is not finite and >= 0`);
      total += wi;
      cdf[i] = total;
    }
    if (!(total > 0)) throw new RenderError("sampleRayBatch: the weights sum to zero");
    for (let i = 0; i < count; i++) {
      const u = rng.uniform() * total;
      // First pixel whose cumulative weight exceeds u (never a zero-weight pixel).
      let lo = 0;
      let hi = numPixels - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      picked[i] = lo;
    }
  }
  // Sort by tile rank.
  const order = tileOrder({ widthPx: camera.widthPx, heightPx: camera.heightPx, tileSizePx: options.tileSizePx });
  const rank = new Int32Array(numPixels);
  for (let k = 0; k < order.length; k++) rank[order[k]] = k;
  const ranks = Int32Array.from(picked, (p) => rank[p]).sort();
  const sorted = Int32Array.from(ranks, (r) => order[r]);
  return raysForPixels(camera, sorted);
}

/** Per-ray bounds of the ray parameter t (distance along the unit direction). */
export interface RayBounds {
  /** Entry distance [R], >= 0. */
  near: Float32Array;
  /** Exit distance [R]; far <= near marks an empty interval (the ray misses). */
  far: Float32Array;
}

function checkRays(fn: string, origins: Float32Array, directions: Float32Array): number {
  if (origins.length % 3 !== 0 || origins.length !== directions.length) {
    throw new RenderError(`${fn}: origins and directions must both be [R*3], got ${origins.length} and ${directions.length} values`);
  }
  return origins.length / 3;
}

/** Options of {@link intersectSphere}. */
export interface IntersectSphereOptions {
  /** Ray origins [R*3], world frame. */
  origins: Float32Array;
  /** Ray directions [R*3], unit length. */
  directions: Float32Array;
  /** Sphere centre, world frame. */
  center: Vec3;
  /** Sphere radius, world units. */
  radius: number;
}

/**
 * Where each ray is inside a sphere: near/far distances along the ray, clipped to
 * t >= 0 (an origin inside the sphere gets near = 0). Rays that miss, or whose
 * sphere lies behind them, get near = far = 0.
 */
export function intersectSphere(options: IntersectSphereOptions): RayBounds {
  const { origins, directions, center, radius } = options;
  const n = checkRays("intersectSphere", origins, directions);
  if (!(radius > 0)) throw new RenderError(`intersectSphere: radius must be > 0, got ${radius}`);
  const near = new Float32Array(n);
  const far = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ox = origins[3 * i] - center[0];
    const oy = origins[3 * i + 1] - center[1];
    const oz = origins[3 * i + 2] - center[2];
    const dx = directions[3 * i];
    const dy = directions[3 * i + 1];
    const dz = directions[3 * i + 2];
    const a = dx * dx + dy * dy + dz * dz;
    const b = ox * dx + oy * dy + oz * dz;
    const c = ox * ox + oy * oy + oz * oz - radius * radius;
    const disc = b * b - a * c;
    if (disc <= 0) continue;
    const root = Math.sqrt(disc);
    const t0 = Math.max((-b - root) / a, 0);
    const t1 = (-b + root) / a;
    if (t1 > t0) {
      near[i] = t0;
      far[i] = t1;
    }
  }
  return { near, far };
}

/** Options of {@link intersectBox}. */
export interface IntersectBoxOptions {
  /** Ray origins [R*3], world frame. */
  origins: Float32Array;
  /** Ray directions [R*3]. */
  directions: Float32Array;
  /** Lower corner of the axis-aligned box, world frame. */
  min: Vec3;
  /** Upper corner, world frame. */
  max: Vec3;
}

/**
 * Where each ray is inside an axis-aligned box (slab method, Kay and Kajiya 1986):
 * near/far distances clipped to t >= 0; rays that miss get near = far = 0.
 */
export function intersectBox(options: IntersectBoxOptions): RayBounds {
  const { origins, directions, min, max } = options;
  const n = checkRays("intersectBox", origins, directions);
  for (let a = 0; a < 3; a++) {
    if (!(max[a] > min[a])) throw new RenderError(`intersectBox: max must exceed min on every axis, got min [${min}] and max [${max}]`);
  }
  const near = new Float32Array(n);
  const far = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let t0 = 0;
    let t1 = Infinity;
    for (let a = 0; a < 3; a++) {
      const o = origins[3 * i + a];
      const d = directions[3 * i + a];
      if (d === 0) {
        if (o < min[a] || o > max[a]) t1 = -Infinity;
        continue;
      }
      const ta = (min[a] - o) / d;
      const tb = (max[a] - o) / d;
      t0 = Math.max(t0, Math.min(ta, tb));
      t1 = Math.min(t1, Math.max(ta, tb));
    }
    if (t1 > t0) {
      near[i] = t0;
      far[i] = t1;
    }
  }
  return { near, far };
}
