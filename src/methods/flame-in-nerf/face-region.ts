/**
 * The spatial prior of FLAME-in-NeRF (Athar et al. 2022, https://arxiv.org/abs/2108.04913):
 * which samples lie in the face model's dilated region. A sample is inside when
 * its distance to the nearest vertex of the posed face-model mesh is at most the
 * dilation distance. (The distance to the nearest vertex over-estimates the
 * distance to the surface by at most half an edge, a few millimetres for this
 * mesh, which the dilation absorbs.) Vertices are bucketed in a dense grid of
 * cells one dilation wide over their bounding box, built once per frame: a query
 * checks the 27 cells around the sample's.
 */

/** Vertices bucketed by a dense grid of cells, for "which vertices lie within `dilation`" queries. */
export interface FaceRegionGrid {
  /** Dilation distance (and cell size), world units. */
  readonly dilation: number;
  /** Vertices [V*3], world frame. */
  readonly vertices: Float32Array;
  /** Cell index (integer, in units of `dilation`) of the grid's first cell on each axis. */
  readonly origin: readonly [number, number, number];
  /** Cells along each axis (the vertices' cells plus a margin of one on each side). */
  readonly dims: readonly [number, number, number];
  /** Cell c's vertex indices are `indices[starts[c] .. starts[c + 1])`; cells are x-fastest. */
  readonly starts: Int32Array;
  readonly indices: Int32Array;
}

/** Builds the grid over posed vertices [V*3] (world frame) for a dilation distance (world units, > 0). */
export function buildFaceRegionGrid(vertices: Float32Array, dilation: number): FaceRegionGrid {
  if (!(dilation > 0) || !Number.isFinite(dilation)) throw new RangeError(`buildFaceRegionGrid: dilation must be a positive number, got ${dilation}`);
  if (vertices.length % 3 !== 0 || vertices.length === 0) throw new RangeError(`buildFaceRegionGrid: vertices must be [V*3], V >= 1, got ${vertices.length} values`);
  const numVertices = vertices.length / 3;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let v = 0; v < numVertices; v++) {
    for (let k = 0; k < 3; k++) {
      const c = Math.floor(vertices[3 * v + k] / dilation);
      lo[k] = Math.min(lo[k], c);
      hi[k] = Math.max(hi[k], c);
    }
  }
  const origin: [number, number, number] = [lo[0] - 1, lo[1] - 1, lo[2] - 1];
  const dims: [number, number, number] = [hi[0] - lo[0] + 3, hi[1] - lo[1] + 3, hi[2] - lo[2] + 3];
  const numCells = dims[0] * dims[1] * dims[2];
  const cell = new Int32Array(numVertices);
  const starts = new Int32Array(numCells + 1);
  for (let v = 0; v < numVertices; v++) {
    const ix = Math.floor(vertices[3 * v] / dilation) - origin[0];
    const iy = Math.floor(vertices[3 * v + 1] / dilation) - origin[1];
    const iz = Math.floor(vertices[3 * v + 2] / dilation) - origin[2];
    cell[v] = (iz * dims[1] + iy) * dims[0] + ix;
    starts[cell[v] + 1]++;
  }
  for (let c = 0; c < numCells; c++) starts[c + 1] += starts[c];
  const fill = starts.slice(0, numCells);
  const indices = new Int32Array(numVertices);
  for (let v = 0; v < numVertices; v++) indices[fill[cell[v]]++] = v;
  return { dilation, vertices, origin, dims, starts, indices };
}

/**
 * Calls `visit(vertexIndex, squaredDistance)` for every grid vertex within the
 * dilation distance of (x, y, z). Points whose 27 cells lie outside the grid visit nothing.
 */
function forVerticesNear(grid: FaceRegionGrid, x: number, y: number, z: number, visit: (v: number, d2: number) => void): void {
  const { dilation, vertices, origin, dims, starts, indices } = grid;
  const r2 = dilation * dilation;
  const cx = Math.floor(x / dilation) - origin[0], cy = Math.floor(y / dilation) - origin[1], cz = Math.floor(z / dilation) - origin[2];
  // The grid has a margin of one cell: a sample whose cell is outside it has no vertex within reach.
  if (cx < 0 || cy < 0 || cz < 0 || cx >= dims[0] || cy >= dims[1] || cz >= dims[2]) return;
  const x0 = Math.max(cx - 1, 0), x1 = Math.min(cx + 1, dims[0] - 1);
  const y0 = Math.max(cy - 1, 0), y1 = Math.min(cy + 1, dims[1] - 1);
  const z0 = Math.max(cz - 1, 0), z1 = Math.min(cz + 1, dims[2] - 1);
  for (let iz = z0; iz <= z1; iz++) {
    for (let iy = y0; iy <= y1; iy++) {
      const row = (iz * dims[1] + iy) * dims[0];
      // Cells x0..x1 of a row are contiguous in the index.
      for (let k = starts[row + x0]; k < starts[row + x1 + 1]; k++) {
        const v = 3 * indices[k];
        const ex = vertices[v] - x, ey = vertices[v + 1] - y, ez = vertices[v + 2] - z;
        const d2 = ex * ex + ey * ey + ez * ez;
        if (d2 <= r2) visit(v, d2);
      }
    }
  }
}

/**
 * The spatial-prior mask of points [N*3] (world frame): 1 where some grid vertex
 * lies within the dilation distance, else 0. Returns [N].
 */
export function faceRegionMask(grid: FaceRegionGrid, points: Float32Array): Float32Array {
  const n = points.length / 3;
  const out = new Float32Array(n);
  let inside: boolean;
  const mark = (): void => {
    inside = true;
  };
  for (let i = 0; i < n; i++) {
    inside = false;
    forVerticesNear(grid, points[3 * i], points[3 * i + 1], points[3 * i + 2], mark);
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
  if (displacements.length !== grid.vertices.length) throw new RangeError(`faceRegionWarp: ${displacements.length / 3} displacements for ${grid.vertices.length / 3} vertices`);
  const n = points.length / 3;
  const mask = new Float32Array(n);
  const offsets = new Float32Array(3 * n);
  const r2 = grid.dilation * grid.dilation;
  let total = 0, ox = 0, oy = 0, oz = 0, nearest = Infinity;
  const blend = (v: number, d2: number): void => {
    const w = warpWeight(d2, r2);
    total += w;
    ox += w * displacements[v];
    oy += w * displacements[v + 1];
    oz += w * displacements[v + 2];
    if (d2 < nearest) nearest = d2;
  };
  for (let i = 0; i < n; i++) {
    total = ox = oy = oz = 0;
    nearest = Infinity;
    forVerticesNear(grid, points[3 * i], points[3 * i + 1], points[3 * i + 2], blend);
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
