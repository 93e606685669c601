import { describe, expect, it } from "vitest";
import { isOccupied, occupancyCellCenters, occupancyFromDensities, occupiedFraction } from "./occupancy.js";

describe("occupancy grids", () => {
  it("marks the cells above the threshold and their dilated neighbours, and looks points up in them", () => {
    const r = 8;
    const centers = occupancyCellCenters(r);
    // One dense cell: the one holding the point (0.1, 0.1, 0.1), cell (4, 4, 4).
    const densities = new Float32Array(r ** 3);
    densities[(4 * r + 4) * r + 4] = 10;
    const plain = occupancyFromDensities(densities, r, 5, 0);
    expect(occupiedFraction(plain)).toBe(1 / r ** 3);
    expect(isOccupied(plain, 0.1, 0.1, 0.1)).toBe(true);
    expect(isOccupied(plain, -0.1, 0.1, 0.1)).toBe(false);
    expect(isOccupied(plain, 1.5, 0.1, 0.1)).toBe(false);
    const dilated = occupancyFromDensities(densities, r, 5, 1);
    expect(occupiedFraction(dilated)).toBe(27 / r ** 3);
    expect(isOccupied(dilated, -0.1, 0.3, 0.3)).toBe(true);
    expect(isOccupied(dilated, -0.3, 0.1, 0.1)).toBe(false);
    // Cell centres lie in their own cells.
    for (let c = 0; c < r ** 3; c += 37) {
      const only = new Float32Array(r ** 3);
      only[c] = 10;
      const grid = occupancyFromDensities(only, r, 5, 0);
      expect(isOccupied(grid, centers[3 * c], centers[3 * c + 1], centers[3 * c + 2])).toBe(true);
    }
    expect(() => occupancyFromDensities(new Float32Array(5), r, 5, 0)).toThrow(/5 densities for a grid of 8\^3/);
  });
});
