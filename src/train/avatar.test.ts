import { describe, expect, it } from "vitest";
import { resolveFlameInNerfConfig } from "../methods/flame-in-nerf/index.js";
import type { JsonValue } from "./avatar-file.js";
import { savedConfig, withPriorDefaults } from "./avatar.js";

describe("withPriorDefaults", () => {
  it("gives configs written before the mesh warp, mesh guide and pose correction the values they were trained with", () => {
    const { meshWarp, meshGuide, poseCorrection, ...older } = JSON.parse(JSON.stringify(resolveFlameInNerfConfig("demo"))) as Record<string, JsonValue>;
    expect([meshWarp, meshGuide, poseCorrection]).toEqual([true, { samples: 8, halfWidth: 0.03 }, { enabled: "auto", learningRate: 1e-3 }]);
    expect(withPriorDefaults(older)).toMatchObject({ meshWarp: false, meshGuide: { samples: 0 }, poseCorrection: { enabled: false } });
    // Resolved through the schema, an old config is the current one with those values.
    expect(savedConfig(older, "old.avatar")).toEqual(
      resolveFlameInNerfConfig("demo", { meshWarp: false, meshGuide: { samples: 0 }, poseCorrection: { enabled: false } }),
    );
    expect(() => savedConfig({ ...older, numSamples: -1 }, "bad.avatar")).toThrow(/bad\.avatar: config: numSamples/);
    // A config that has them keeps them.
    const current = JSON.parse(JSON.stringify(resolveFlameInNerfConfig("demo")));
    expect(withPriorDefaults(current)).toEqual(current);
  });
});
