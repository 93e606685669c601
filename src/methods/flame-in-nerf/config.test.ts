import { describe, expect, it } from "vitest";
import { configForDataset, resolveFlameInNerfConfig } from "./config.js";

describe("FLAME-in-NeRF config", () => {
  it("learns the pose correction by default only where the dataset's poses were tracked", () => {
    const config = resolveFlameInNerfConfig("demo");
    expect(config.poseCorrection.enabled).toBe("auto");
    expect(configForDataset(config, { posesTracked: true }).poseCorrection.enabled).toBe(true);
    expect(configForDataset(config, { posesTracked: false }).poseCorrection.enabled).toBe(false);
    // An explicit choice stands.
    const off = resolveFlameInNerfConfig("demo", { poseCorrection: { enabled: false } });
    expect(configForDataset(off, { posesTracked: true }).poseCorrection.enabled).toBe(false);
  });

  it("refuses a bad preset, field or sample split, naming it", () => {
    expect(() => resolveFlameInNerfConfig("huge" as never)).toThrow(/unknown preset 'huge'/);
    expect(() => resolveFlameInNerfConfig("demo", { poseCorrection: { enabled: "sometimes" as never } })).toThrow(/poseCorrection\.enabled/);
    expect(() => resolveFlameInNerfConfig("demo", { meshGuide: { samples: 16 } })).toThrow(/meshGuide\.samples \(16\) must be less than numSamples \(16\)/);
  });
});
