import { describe, expect, it } from "vitest";
import { colormapColor } from "./colormap.js";
import { colorbar, errorHeatmap, perPixelError } from "./heatmap.js";

const pixel = (rgb: Uint8Array, i: number): number[] => Array.from(rgb.subarray(i * 3, i * 3 + 3));

describe("colormapColor", () => {
  it("runs from the first control point to the last, clamped", () => {
    expect(colormapColor(0)).toEqual([68, 1, 84]);
    expect(colormapColor(1)).toEqual([253, 231, 37]);
    expect(colormapColor(-3)).toEqual([68, 1, 84]);
    expect(colormapColor(7)).toEqual([253, 231, 37]);
    expect(colormapColor(0.5)).toEqual([33, 145, 140]);
    expect(colormapColor(1 / 16)).toEqual([70, 23, 104]); // halfway between the first two points
    expect(colormapColor(0, "inferno")).toEqual([0, 0, 4]);
  });

  it("is monotonic in lightness (green channel of viridis rises)", () => {
    let prev = -1;
    for (let t = 0; t <= 1; t += 0.05) {
      const g = colormapColor(t)[1];
      expect(g).toBeGreaterThanOrEqual(prev);
      prev = g;
    }
  });
});

describe("errorHeatmap", () => {
  it("maps zero error to the first colour and the max to the last", () => {
    const a = new Float32Array([0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1, 0.2, 0.2, 0.2]);
    const b = new Float32Array([0, 0, 0, 0.5, 0.5, 0.4, 0.7, 0.7, 0.7, 0.2, 0.2, 0.2]);
    const rgb = errorHeatmap(a, b, { widthPx: 2, heightPx: 2 });
    expect(rgb.length).toBe(12);
    expect(pixel(rgb, 0)).toEqual(colormapColor(0));
    expect(pixel(rgb, 2)).toEqual(colormapColor(1));
    expect(pixel(rgb, 1)).toEqual(colormapColor((0.1 / 3) / 0.3));
    // A fixed maxError: errors above it clamp to the last colour.
    const fixed = errorHeatmap(a, b, { widthPx: 2, heightPx: 2, maxError: 0.05 });
    expect(pixel(fixed, 2)).toEqual(colormapColor(1));
    // Identical images: all first colour.
    expect(pixel(errorHeatmap(a, a, { widthPx: 2, heightPx: 2 }), 3)).toEqual(colormapColor(0));
  });

  it("reads 8-bit images on the same scale", () => {
    const a = new Uint8Array([255, 255, 255]);
    const b = new Float32Array([0.5, 0.5, 0.5]);
    expect(perPixelError(a, b, { widthPx: 1, heightPx: 1 })[0]).toBeCloseTo(0.5, 6);
    expect(() => errorHeatmap(a, b, { widthPx: 2, heightPx: 1 })).toThrow(/expected 2x1x3/);
  });
});

describe("colorbar", () => {
  it("runs from the first colour at the bottom to the last at the top", () => {
    const bar = colorbar({ heightPx: 100, maxValue: 0.2 });
    expect(bar.rgb.length).toBe(bar.widthPx * 100 * 3);
    const at = (x: number, y: number): number[] => pixel(bar.rgb, y * bar.widthPx + x);
    const column = 6;
    let top = 0;
    while (at(column, top).every((v) => v === 255)) top++;
    let bottom = 99;
    while (at(column, bottom).every((v) => v === 255)) bottom--;
    expect(at(column, top)).toEqual(colormapColor(1));
    expect(at(column, bottom)).toEqual(colormapColor(0));
    expect(() => colorbar({ heightPx: 100, maxValue: 0 })).toThrow(/must exceed/);
  });
});
