/**
 * Occupancy grids for empty-space skipping when rendering a trained avatar (as
 * Instant-NGP and Plenoxels skip empty cells): a coarse boolean grid over a
 * field's normalized cube marks the cells where the field has density; samples
 * in unmarked cells are not sent through the networks.
 */

/** A boolean grid over the cube [-1, 1]^3, `resolution` cells a side, x fastest. */
export interface OccupancyGrid {
  readonly resolution: number;
  /** 1 where the cell may hold density [resolution^3]. */
  readonly cells: Uint8Array;
}

/** The centres of every cell of a grid of side `resolution` over [-1, 1]^3, [R^3 * 3], x fastest. */
export function occupancyCellCenters(resolution: number): Float32Array {
  const out = new Float32Array(resolution ** 3 * 3);
  let o = 0;
  for (let z = 0; z < resolution; z++) {
    for (let y = 0; y < resolution; y++) {
      for (let x = 0; x < resolution; x++) {
        out[o++] = ((x + 0.5) / resolution) * 2 - 1;
        out[o++] = ((y + 0.5) / resolution) * 2 - 1;
        out[o++] = ((z + 0.5) / resolution) * 2 - 1;
      }
    }
  }
  return out;
}

/**
 * A grid from per-cell densities [R^3] (x fastest): cells above `threshold`,
 * dilated by `dilation` cells in every direction (a cube neighbourhood), so that
 * what lies near a dense cell (a deforming surface, detail between centres) is kept.
 */
export function occupancyFromDensities(densities: ArrayLike<number>, resolution: number, threshold: number, dilation: number): OccupancyGrid {
  const r = resolution;
  if (densities.length !== r ** 3) throw new RangeError(`occupancyFromDensities: ${densities.length} densities for a grid of ${r}^3 cells`);
  const cells = new Uint8Array(r ** 3);
  for (let z = 0; z < r; z++) {
    for (let y = 0; y < r; y++) {
      for (let x = 0; x < r; x++) {
        if (!(densities[(z * r + y) * r + x] > threshold)) continue;
        for (let dz = Math.max(0, z - dilation); dz <= Math.min(r - 1, z + dilation); dz++) {
          for (let dy = Math.max(0, y - dilation); dy <= Math.min(r - 1, y + dilation); dy++) {
            const row = (dz * r + dy) * r;
            cells.fill(1, row + Math.max(0, x - dilation), row + Math.min(r - 1, x + dilation) + 1);
          }
        }
      }
    }
  }
  return { resolution: r, cells };
}

/** Whether the normalized point (x, y, z) lies in an occupied cell; points outside the cube are empty. */
export function isOccupied(grid: OccupancyGrid, x: number, y: number, z: number): boolean {
  const r = grid.resolution;
  const ix = Math.floor(((x + 1) / 2) * r), iy = Math.floor(((y + 1) / 2) * r), iz = Math.floor(((z + 1) / 2) * r);
  if (ix < 0 || iy < 0 || iz < 0 || ix >= r || iy >= r || iz >= r) return false;
  return grid.cells[(iz * r + iy) * r + ix] === 1;
}

/** The fraction of occupied cells. */
export function occupiedFraction(grid: OccupancyGrid): number {
  let n = 0;
  for (const c of grid.cells) n += c;
  return n / grid.cells.length;
}
