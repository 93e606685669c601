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
