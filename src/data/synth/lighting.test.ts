import { describe, expect, it } from "vitest";
import { shadeDiffuse, shFromLights } from "./lighting.js";

describe("spherical-harmonics lighting", () => {
  it("shades a surface facing a light with the light's radiance plus ambient", () => {
    const sh = shFromLights([{ direction: [0, 0, 1], color: [1, 0.5, 0.25] }], [0.1, 0.1, 0.1]);
    const out = new Float32Array(3);
    shadeDiffuse(sh, 0, 0, 1, out);
    expect(out[0]).toBeCloseTo(1.1, 3);
    expect(out[1]).toBeCloseTo(0.6, 3);
    expect(out[2]).toBeCloseTo(0.35, 3);
  });

  it("is uniform under ambient light alone and darker away from a key light", () => {
    const ambient = shFromLights([], [0.3, 0.3, 0.3]);
    const out = new Float32Array(3);
    for (const n of [[1, 0, 0], [0, -1, 0], [0, 0.6, 0.8]]) {
      shadeDiffuse(ambient, n[0], n[1], n[2], out);
      expect(out[0]).toBeCloseTo(0.3, 4);
    }
    const key = shFromLights([{ direction: [1, 0, 0], color: [1, 1, 1] }], [0, 0, 0]);
    const facing = new Float32Array(3), side = new Float32Array(3), away = new Float32Array(3);
    shadeDiffuse(key, 1, 0, 0, facing);
    shadeDiffuse(key, 0, 1, 0, side);
    shadeDiffuse(key, -1, 0, 0, away);
    expect(facing[0]).toBeGreaterThan(side[0]);
    expect(side[0]).toBeGreaterThan(away[0]);
    // Order-2 SH of a clamped cosine, normalized to 1 at 0 degrees: (1/4 + 5/16 P2(cos)) / (17/16)
    // + the band-1 term; at 90 degrees (1/4 - 5/32) / (17/16) = 0.088, at 180 degrees 0.059.
    expect(side[0]).toBeCloseTo(0.0882, 3);
    expect(away[0]).toBeCloseTo(0.0588, 3);
  });
});
