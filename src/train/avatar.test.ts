import { describe, expect, it } from "vitest";
import { resolveFlameInNerfConfig } from "../methods/flame-in-nerf/index.js";
import type { JsonValue } from "./avatar-file.js";
import { withPriorDefaults } from "./avatar.js";

describe("withPriorDefaults", () => {
  it("gives configs written before the mesh warp and mesh guide the values they were trained with", () => {
    const { meshWarp, meshGuide, ...older } = JSON.parse(JSON.stringify(resolveFlameInNerfConfig("demo"))) as Record<string, JsonValue>;
    expect([meshWarp, meshGuide]).toEqual([true, { samples: 8, halfWidth: 0.03 }]);
    expect(withPriorDefaults(older)).toMatchObject({ meshWarp: false, meshGuide: { samples: 0 } });
    // A config that has them keeps them.
    const current = JSON.parse(JSON.stringify(resolveFlameInNerfConfig("demo")));
    expect(withPriorDefaults(current)).toEqual(current);
  });
});
