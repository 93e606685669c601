import { describe, expect, it } from "vitest";
import { renderBoundsSchema, volumeRenderConfigSchema } from "./config.js";
import type { RenderBounds } from "./volume.js";

describe("render config schemas", () => {
  it("fills defaults, rejects typos, parses bounds into RenderBounds", () => {
    expect(volumeRenderConfigSchema.parse({})).toEqual({ numSamples: 48, numImportanceSamples: 0, chunkRays: 4096, tileSizePx: 8, background: [1, 1, 1] });
    expect(() => volumeRenderConfigSchema.parse({ numSample: 3 })).toThrow();
    const bounds: RenderBounds = renderBoundsSchema.parse({ kind: "sphere", radius: 0.3 });
    expect(bounds).toEqual({ kind: "sphere", center: [0, 0, 0], radius: 0.3 });
    expect(() => renderBoundsSchema.parse({ kind: "box", min: [0, 0, 0] })).toThrow();
  });
});
