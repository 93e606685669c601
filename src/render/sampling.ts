/**
 * Sample points along rays for volume rendering: stratified samples between near
 * and far (NeRF, Mildenhall et al. 2020, https://arxiv.org/abs/2003.08934, eq. 2),
 * and hierarchical (importance) samples drawn from the weights of a coarse pass
 * (NeRF section 5.2).
 */
import { tensor, type Random, type Tensor } from "../core/index.js";
import { RenderError } from "./error.js";

/** Samples along R rays, S per ray, front to back; none of them requires grad. */
export interface RaySamples {
  /** Sample positions [R*S, 3], world frame: origin + t * direction. */
  pointsWorld: Tensor;
  /** The ray's unit direction at every sample [R*S, 3], world frame. */
  viewDirs: Tensor;
  /** Distance t of each sample along its ray [R, S], world units, non-decreasing. */
  tValues: Tensor;
  /** Length of ray each sample stands for [R, S], world units; sums to far - near (0 for empty intervals). */
  deltas: Tensor;
}

/** Options of {@link sampleAlongRays}. */
export interface SampleAlongRaysOptions {
  /** Ray origins [R*3], world frame. */
  origins: Float32Array;
  /** Unit ray directions [R*3], world frame. */
  directions: Float32Array;
  /** Entry distance per ray [R]. */
  near: Float32Array;
  /** Exit distance per ray [R]; far <= near is an empty interval. */
  far: Float32Array;
  /** Samples per ray S >= 1. */
  numSamples: number;
  /** Jitters each sample uniformly within its bin (training); bin midpoints when omitted (evaluation). */
  rng?: Random;
}

/** Checks packed rays and bounds; returns R. */
export function checkRayInputs(fn: string, o: { origins: Float32Array; directions: Float32Array; near: Float32Array; far: Float32Array }): number {
  const numRays = o.near.length;
  if (o.origins.length !== 3 * numRays || o.directions.length !== 3 * numRays || o.far.length !== numRays) {
    throw new RenderError(
      `${fn}: origins and directions must be [R*3] and near, far [R]; got ${o.origins.length}, ${o.directions.length}, ` +
        `${o.near.length} and ${o.far.length} values`,
    );
  }
  return numRays;
}

function checkCount(fn: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RenderError(`${fn}: ${name} must be a whole number >= 1, got ${n}`);
}

/** Positions and view directions for distances `t` [R*S] along the rays. */
function pointsAt(origins: Float32Array, directions: Float32Array, t: Float32Array, numSamples: number): { pointsWorld: Tensor; viewDirs: Tensor } {
  const n = t.length;
  const points = new Float32Array(3 * n);
  const dirs = new Float32Array(3 * n);
  for (let r = 0, i = 0; i < n; r++) {
    const ox = origins[3 * r], oy = origins[3 * r + 1], oz = origins[3 * r + 2];
    const dx = directions[3 * r], dy = directions[3 * r + 1], dz = directions[3 * r + 2];
    for (let k = 0; k < numSamples; k++, i++) {
      const ti = t[i];
      points[3 * i] = ox + ti * dx;
      points[3 * i + 1] = oy + ti * dy;
      points[3 * i + 2] = oz + ti * dz;
      dirs[3 * i] = dx;
      dirs[3 * i + 1] = dy;
      dirs[3 * i + 2] = dz;
    }
  }
  return { pointsWorld: tensor(points, [n, 3]), viewDirs: tensor(dirs, [n, 3]) };
}

/**
 * Stratified samples: [near, far] is cut into S equal bins; sample k lies at a
 * uniform random place in bin k (with `rng`) or at its midpoint, and stands for
 * the whole bin (delta = (far - near) / S), so sum_k density_k delta_k is an
 * unbiased estimate of the optical depth. Rays with far <= near get their S samples
 * at the origin with delta 0: they contribute nothing.
 */
export function sampleAlongRays(options: SampleAlongRaysOptions): RaySamples {
  const { origins, directions, near, far, numSamples, rng } = options;
  const numRays = checkRayInputs("sampleAlongRays", options);
  checkCount("sampleAlongRays", "numSamples", numSamples);
  const t = new Float32Array(numRays * numSamples);
  const deltas = new Float32Array(numRays * numSamples);
  for (let r = 0; r < numRays; r++) {
    const t0 = near[r];
    const span = far[r] - t0;
    if (!(span > 0)) continue;
    const step = span / numSamples;
    for (let k = 0; k < numSamples; k++) {
      const u = rng ? rng.uniform() : 0.5;
      t[r * numSamples + k] = t0 + (k + u) * step;
      deltas[r * numSamples + k] = step;
    }
  }
  return {
    ...pointsAt(origins, directions, t, numSamples),
    tValues: tensor(t, [numRays, numSamples]),
    deltas: tensor(deltas, [numRays, numSamples]),
  };
}

/** Options of {@link samplesAtDistances}. */
export interface SamplesAtDistancesOptions {
  origins: Float32Array;
  directions: Float32Array;
  near: Float32Array;
  far: Float32Array;
  /** Distances [R*S], each ray's S values non-decreasing and within [near, far]. */
  tValues: Float32Array;
}

/**
 * Samples at given distances, each standing for its Voronoi cell along the ray:
 * delta_i runs from the midpoint with the previous sample (or near) to the midpoint
 * with the next (or far), so the deltas of a ray sum to far - near. For merged
 * coarse and fine samples of hierarchical sampling.
 */
export function samplesAtDistances(options: SamplesAtDistancesOptions): RaySamples {
  const { origins, directions, near, far, tValues } = options;
  const numRays = checkRayInputs("samplesAtDistances", options);
  if (numRays === 0 || tValues.length % numRays !== 0) {
    throw new RenderError(`samplesAtDistances: tValues has ${tValues.length} values, not a multiple of R = ${numRays}`);
  }
  const numSamples = tValues.length / numRays;
  const deltas = new Float32Array(tValues.length);
  for (let r = 0; r < numRays; r++) {
    if (!(far[r] > near[r])) continue;
    const base = r * numSamples;
    let lower = near[r];
    for (let k = 0; k < numSamples; k++) {
      const upper = k + 1 < numSamples ? 0.5 * (tValues[base + k] + tValues[base + k + 1]) : far[r];
      deltas[base + k] = Math.max(upper - lower, 0);
      lower = upper;
    }
  }
  return {
    ...pointsAt(origins, directions, tValues, numSamples),
    tValues: tensor(tValues, [numRays, numSamples]),
    deltas: tensor(deltas, [numRays, numSamples]),
  };
}

/** Options of {@link samplePiecewiseConstant}. */
export interface SamplePiecewiseConstantOptions {
  /** Bin edges [R*(B+1)], non-decreasing per ray. */
  edges: Float32Array;
  /** Non-negative weight of each bin [R*B] (e.g. the coarse pass's w_i). */
  weights: Float32Array;
  /** Samples to draw per ray. */
  numSamples: number;
  /** Stratified jitter of the CDF positions (training); evenly spaced (j + 0.5) / N when omitted. */
  rng?: Random;
  /** Added to every weight, so empty-looking bins keep some samples; default 1e-5 (as NeRF). */
  padding?: number;
}

/**
 * Hierarchical sampling (NeRF section 5.2): inverse-transform samples of the
 * piecewise-constant density over the bins whose mass is proportional to
 * weights + padding. CDF positions u_j = (j + xi_j) / N, xi_j uniform in [0, 1)
 * with `rng`, else 1/2, so the result [R*N] is sorted within each ray.
 */
export function samplePiecewiseConstant(options: SamplePiecewiseConstantOptions): Float32Array {
  const { edges, weights, numSamples, rng } = options;
  const padding = options.padding ?? 1e-5;
  checkCount("samplePiecewiseConstant", "numSamples", numSamples);
  if (!(padding >= 0)) throw new RenderError(`samplePiecewiseConstant: padding must be >= 0, got ${padding}`);
  // R*(B+1) edges and R*B weights: R = edges - weights.
  const numRays = edges.length - weights.length;
  if (numRays < 1 || weights.length % numRays !== 0) {
    throw new RenderError(`samplePiecewiseConstant: edges [R*(B+1)] = ${edges.length} and weights [R*B] = ${weights.length} do not fit`);
  }
  const numBins = weights.length / numRays;
  const out = new Float32Array(numRays * numSamples);
  const cdf = new Float64Array(numBins + 1);
  for (let r = 0; r < numRays; r++) {
    const e = r * (numBins + 1);
    let total = 0;
    for (let b = 0; b < numBins; b++) {
      const w = weights[r * numBins + b];
      total += (w > 0 ? w : 0) + padding;
      cdf[b + 1] = total;
    }
    let bin = 0;
    for (let j = 0; j < numSamples; j++) {
      const u = ((j + (rng ? rng.uniform() : 0.5)) / numSamples) * total;
      while (bin < numBins - 1 && cdf[bin + 1] <= u) bin++;
      const mass = cdf[bin + 1] - cdf[bin];
      const frac = mass > 0 ? Math.min(Math.max((u - cdf[bin]) / mass, 0), 1) : 0.5;
      out[r * numSamples + j] = edges[e + bin] + frac * (edges[e + bin + 1] - edges[e + bin]);
    }
  }
  return out;
}

/** Per-ray sorted union of two sample sets: a [R*Sa] and b [R*Sb] to [R*(Sa+Sb)]. */
export function mergeSortedDistances(a: Float32Array, b: Float32Array, numRays: number): Float32Array {
  if (numRays < 1 || a.length % numRays !== 0 || b.length % numRays !== 0) {
    throw new RenderError(`mergeSortedDistances: ${a.length} and ${b.length} values do not split into R = ${numRays} rays`);
  }
  const sa = a.length / numRays;
  const sb = b.length / numRays;
  const out = new Float32Array(a.length + b.length);
  for (let r = 0; r < numRays; r++) {
    let i = 0;
    let j = 0;
    let k = r * (sa + sb);
    while (i < sa || j < sb) {
      const takeA = j >= sb || (i < sa && a[r * sa + i] <= b[r * sb + j]);
      out[k++] = takeA ? a[r * sa + i++] : b[r * sb + j++];
    }
  }
  return out;
}

/** Options of {@link guidedDistances}. */
export interface GuidedDistancesOptions {
  /** Entry distance per ray [R]. */
  near: Float32Array;
  /** Exit distance per ray [R]. */
  far: Float32Array;
  /** A surface distance per ray [R] (e.g. to a fitted mesh); Infinity or NaN where there is none. */
  guides: Float32Array;
  /** Samples per ray S in all. */
  numSamples: number;
  /** Of them, how many go in the window around the guide (0 < G < S). */
  numGuided: number;
  /** Half-width of that window, world units. */
  halfWidth: number;
  /** Jitters each sample in its bin (training); bin midpoints when omitted. */
  rng?: Random;
}

/**
 * Sample distances [R*S], sorted per ray, concentrated where a guide says the
 * surface is: S - G stratified over [near, far] and G stratified over the
 * window [guide - halfWidth, guide + halfWidth] clipped to [near, far]. Rays
 * without a guide, or whose window misses [near, far], get S stratified samples.
 * Give the result to {@link samplesAtDistances}: each sample then stands for its
 * Voronoi cell, so the estimate of the optical depth stays consistent.
 */
export function guidedDistances(options: GuidedDistancesOptions): Float32Array {
  const { near, far, guides, numSamples, numGuided, halfWidth, rng } = options;
  const numRays = near.length;
  checkCount("guidedDistances", "numSamples", numSamples);
  if (!Number.isInteger(numGuided) || numGuided < 1 || numGuided >= numSamples) {
    throw new RenderError(`guidedDistances: numGuided must be a whole number in [1, ${numSamples - 1}], got ${numGuided}`);
  }
  if (!(halfWidth > 0)) throw new RenderError(`guidedDistances: halfWidth must be > 0, got ${halfWidth}`);
  if (far.length !== numRays || guides.length !== numRays) {
    throw new RenderError(`guidedDistances: near, far and guides must all be [R]; got ${numRays}, ${far.length} and ${guides.length} values`);
  }
  const out = new Float32Array(numRays * numSamples);
  const spread = (dst: number, from: number, to: number, count: number): void => {
    const step = (to - from) / count;
    for (let k = 0; k < count; k++) out[dst + k] = from + (k + (rng ? rng.uniform() : 0.5)) * step;
  };
  const coarse = numSamples - numGuided;
  const scratch = new Float32Array(numSamples);
  for (let r = 0; r < numRays; r++) {
    const base = r * numSamples;
    const t0 = near[r], t1 = far[r];
    if (!(t1 > t0)) continue;
    const g = guides[r];
    const lo = Math.max(t0, g - halfWidth), hi = Math.min(t1, g + halfWidth);
    if (!Number.isFinite(g) || !(hi > lo)) {
      spread(base, t0, t1, numSamples);
      continue;
    }
    spread(base, t0, t1, coarse);
    spread(base + coarse, lo, hi, numGuided);
    // Merge the two sorted runs.
    let i = 0, j = 0;
    for (let k = 0; k < numSamples; k++) {
      const takeCoarse = j >= numGuided || (i < coarse && out[base + i] <= out[base + coarse + j]);
      scratch[k] = takeCoarse ? out[base + i++] : out[base + coarse + j++];
    }
    out.set(scratch, base);
  }
  return out;
}

/**
 * Bin edges [R*(S+1)] of samples at distances [R*S]: near, the midpoints between
 * neighbours, far (their Voronoi cells, as {@link samplesAtDistances} uses), for
 * hierarchical sampling from samples that are not evenly spaced.
 */
export function voronoiEdges(tValues: Float32Array, near: Float32Array, far: Float32Array): Float32Array {
  const numRays = near.length;
  const s = tValues.length / numRays;
  const edges = new Float32Array(numRays * (s + 1));
  for (let r = 0; r < numRays; r++) {
    const e = r * (s + 1), b = r * s;
    edges[e] = near[r];
    for (let k = 1; k < s; k++) edges[e + k] = 0.5 * (tValues[b + k - 1] + tValues[b + k]);
    edges[e + s] = Math.max(far[r], near[r]);
  }
  return edges;
}
