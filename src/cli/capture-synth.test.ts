import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCaptureSynth } from "./capture-synth.js";

describe("likeness capture synth", () => {
  it("refuses a sample count outside 1 to 16 before writing anything", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "likeness-capture-synth-")), "ds");
    for (const [samples, message] of [["0", /--samples must be a positive whole number, got '0'/], ["17", /--samples must be a whole number from 1 to 16, got '17'/]] as const) {
      await expect(runCaptureSynth(["--out", out, "--frames", "1", "--samples", samples])).rejects.toThrow(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});
