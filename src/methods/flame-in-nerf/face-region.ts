/**
 * The spatial prior of FLAME-in-NeRF (Athar et al. 2022, https://arxiv.org/abs/2108.04913):
 * which samples lie in the face model's dilated region. A sample is inside when
 * its distance to the nearest vertex of the posed face-model mesh is at most the
 * dilation distance. (The distance to the nearest vertex over-estimates the
 * distance to the surface by at most half an edge, a few millimetres for this
 * mesh, which the dilation absorbs.) Nearest vertices are found in a uniform
 * grid of cells one dilation wide, hashed into buckets, built once per frame:
 * a query checks the 27 cells around the sample's.
 */

/** Vertices bucketed by a uniform hash grid, for "is any vertex within `dilation`" queries. */
export interface FaceRegionGrid {
  /** Dilation distance (and cell size), world units. */
  readonly dilation: number;
  /** Vertices [V*3], world frame. */
  readonly vertices: Float32Array;
  /** Bucket b's vertex indices are `indices[starts[b] .. starts[b + 1])`. */
  readonly starts: Int32Array;
  readonly indices: Int32Array;
}

function bucketOf(ix: number, iy: number, iz: number, numBuckets: number): number {
  const h = Math.imul(ix, 73856093) ^ Math.imul(iy, 19349663) ^ Math.imul(iz, 83492791);
  return (h >>> 0) % numBuckets;
}

/** Builds the grid over posed vertices [V*3] (world frame) for a dilation distance (world units, > 0). */
export function buildFaceRegionGrid(vertices: Float32Array, dilation: number): FaceRegionGrid {
  if (!(dilation > 0) || !Number.isFinite(dilation)) throw new RangeError(`buildFaceRegionGrid: dilation must be a positive number, got ${dilation}`);
  if (vertices.length % 3 !== 0) throw new RangeError(`buildFaceRegionGrid: vertices must be [V*3], got ${vertices.length} values`);
  const numVertices = vertices.length / 3;
  const numBuckets = Math.max(1, 2 * numVertices);
  const bucket = new Int32Array(numVertices);
  const starts = new Int32Array(numBuckets + 1);
  for (let v = 0; v < numVertices; v++) {
    const b = bucketOf(
      Math.floor(vertices[3 * v] / dilation), Math.floor(vertices[3 * v + 1] / dilation), Math.floor(vertices[3 * v + 2] / dilation), numBuckets,
    );
    bucket[v] = b;
    starts[b + 1]++;
  }
  for (let b = 0; b < numBuckets; b++) starts[b + 1] += starts[b];
  const fill = starts.slice(0, numBuckets);
  const indices = new Int32Array(numVertices);
  for (let v = 0; v < numVertices; v++) indices[fill[bucket[v]]++] = v;
  return { dilation, vertices, starts, indices };
}

/**
 * The spatial-prior mask of points [N*3] (world frame): 1 where some grid vertex
 * lies within the dilation distance, else 0. Returns [N].
 */
export function faceRegionMask(grid: FaceRegionGrid, points: Float32Array): Float32Array {
  const { dilation, vertices, starts, indices } = grid;
  const numBuckets = starts.length - 1;
  const n = points.length / 3;
  const out = new Float32Array(n);
  const r2 = dilation * dilation;
  for (let i = 0; i < n; i++) {
    const x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
    const cx = Math.floor(x / dilation), cy = Math.floor(y / dilation), cz = Math.floor(z / dilation);
    let inside = false;
    for (let dx = -1; dx <= 1 && !inside; dx++) {
      for (let dy = -1; dy <= 1 && !inside; dy++) {
        for (let dz = -1; dz <= 1 && !inside; dz++) {
          const b = bucketOf(cx + dx, cy + dy, cz + dz, numBuckets);
          for (let k = starts[b]; k < starts[b + 1]; k++) {
            const v = 3 * indices[k];
            const ex = vertices[v] - x, ey = vertices[v + 1] - y, ez = vertices[v + 2] - z;
            if (ex * ex + ey * ey + ez * ez <= r2) {
              inside = true;
              break;
            }
          }
        }
      }
    }
    out[i] = inside ? 1 : 0;
  }
  return out;
}

/** Reference of {@link faceRegionMask}: the same mask by brute force over all vertices. */
export function faceRegionMaskReference(vertices: Float32Array, points: Float32Array, dilation: number): Float32Array {
  const n = points.length / 3;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let v = 0; v < vertices.length; v += 3) {
      best = Math.min(best, Math.hypot(vertices[v] - points[3 * i], vertices[v + 1] - points[3 * i + 1], vertices[v + 2] - points[3 * i + 2]));
    }
    out[i] = best * best <= dilation * dilation ? 1 : 0;
  }
  return out;
}

/** The spatial-prior mask of some points and the face model's warp at them (see {@link faceRegionWarp}). */
export interface FaceRegionWarp {
  /** 1 where some vertex lies within the dilation distance, else 0 (as {@link faceRegionMask}). [N] */
  mask: Float32Array;
  /** The warp's offset at each point [N*3]: 0 outside the region. */
  offsets: Float32Array;
}

/**
 * Weight of a vertex at squared distance d2 from a point, for region radius r
 * (r2 = r^2): sharply peaked at the nearest vertices (so that points on the upper
 * lip follow the upper lip, not the lower one), and 0 at the region's border.
 */
function warpWeight(d2: number, r2: number): number {
  const falloff = 1 - d2 / r2;
  const soft = d2 + r2 / 64;
  return (falloff * falloff) / (soft * soft);
}

/**
 * The mesh-guided warp (as INSTA and other mesh-driven head NeRFs use it): for
 * points [N*3] in the world frame, a blend of the per-vertex `displacements`
 * [V*3] (any frame and units: for FLAME-in-NeRF, from the posed expression back
 * to the neutral face, head frame, normalized units) of the vertices within the
 * dilation distance, weighted by {@link warpWeight}, and faded to 0 at the
 * region's border by (1 - d_min^2 / r^2)^2, where d_min is the distance to the
 * nearest vertex. Continuous in the point.
 */
export function faceRegionWarp(grid: FaceRegionGrid, displacements: Float32Array, points: Float32Array): FaceRegionWarp {
  const { dilation, vertices, starts, indices } = grid;
  if (displacements.length !== vertices.length) throw new RangeError(`faceRegionWarp: ${displacements.length / 3} displacements for ${vertices.length / 3} vertices`);
  const numBuckets = starts.length - 1;
  const n = points.length / 3;
  const mask = new Float32Array(n);
  const offsets = new Float32Array(3 * n);
  const r2 = dilation * dilation;
  for (let i = 0; i < n; i++) {
    const x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
    const cx = Math.floor(x / dilation), cy = Math.floor(y / dilation), cz = Math.floor(z / dilation);
    let total = 0, ox = 0, oy = 0, oz = 0, nearest = Infinity;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          const b = bucketOf(cx + dx, cy + dy, cz + dz, numBuckets);
          for (let k = starts[b]; k < starts[b + 1]; k++) {
            const v = 3 * indices[k];
            const ex = vertices[v] - x, ey = vertices[v + 1] - y, ez = vertices[v + 2] - z;
            const d2 = ex * ex + ey * ey + ez * ez;
            if (d2 > r2) continue;
            // Distinct cells can share a bucket: count each vertex once, from its own cell.
            if (Math.floor(vertices[v] / dilation) !== cx + dx || Math.floor(vertices[v + 1] / dilation) !== cy + dy || Math.floor(vertices[v + 2] / dilation) !== cz + dz) continue;
            const w = warpWeight(d2, r2);
            total += w;
            ox += w * displacements[v];
            oy += w * displacements[v + 1];
            oz += w * displacements[v + 2];
            if (d2 < nearest) nearest = d2;
          }
        }
      }
    }
    if (nearest === Infinity) continue;
    mask[i] = 1;
    if (total <= 0) continue;
    const fade = (1 - nearest / r2) ** 2 / total;
    offsets[3 * i] = ox * fade;
    offsets[3 * i + 1] = oy * fade;
    offsets[3 * i + 2] = oz * fade;
  }
  return { mask, offsets };
}

/** Reference of {@link faceRegionWarp}: the same blend by brute force over all vertices. */
export function faceRegionWarpReference(vertices: Float32Array, displacements: Float32Array, points: Float32Array, dilation: number): FaceRegionWarp {
  const n = points.length / 3;
  const mask = new Float32Array(n);
  const offsets = new Float32Array(3 * n);
  const r2 = dilation * dilation;
  for (let i = 0; i < n; i++) {
    let total = 0, nearest = Infinity;
    const sum = [0, 0, 0];
    for (let v = 0; v < vertices.length; v += 3) {
      const d2 = (vertices[v] - points[3 * i]) ** 2 + (vertices[v + 1] - points[3 * i + 1]) ** 2 + (vertices[v + 2] - points[3 * i + 2]) ** 2;
      if (d2 > r2) continue;
      const w = warpWeight(d2, r2);
      total += w;
      for (let k = 0; k < 3; k++) sum[k] += w * displacements[v + k];
      nearest = Math.min(nearest, d2);
    }
    if (nearest === Infinity) continue;
    mask[i] = 1;
    if (total > 0) for (let k = 0; k < 3; k++) offsets[3 * i + k] = (sum[k] * (1 - nearest / r2) ** 2) / total;
  }
  return { mask, offsets };
}
