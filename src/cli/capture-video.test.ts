import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { REAL_DATA_DIR } from "../data/track/testing.js";
import { runCaptureVideo } from "./capture-video.js";

describe("likeness capture video", () => {
  it("fits the tracked depths with --fit-depths, and says so in the report and the summary", async () => {
    const root = mkdtempSync(join(tmpdir(), "likeness-capture-video-cli-"));
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      for (const depths of [false, true]) {
        const out = join(root, depths ? "depths" : "image");
        const args = [join(REAL_DATA_DIR, "man-mouth-480.mp4"), "--out", out, "--frames", "12", "--size", "128", "--matte", "none", ...(depths ? ["--fit-depths"] : [])];
        expect(await runCaptureVideo(args)).toBe(0);
        const report = JSON.parse(readFileSync(join(out, "capture-report.json"), "utf8")) as { fitDepths: boolean };
        expect(report.fitDepths).toBe(depths);
        const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
        expect(printed.includes("fit (image positions and depths)")).toBe(depths);
        log.mockClear();
      }
    } finally {
      log.mockRestore();
    }
  });
});
