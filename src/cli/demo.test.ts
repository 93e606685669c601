import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readEvalReport } from "../eval/index.js";
import { readAvatarFile } from "../train/index.js";
import { runDemo, runDemoPipeline, type DemoOptions } from "./demo.js";

/** The demo at test size: 24 px, a short sweep and sentences, a few frames per video, no re-tracking (the eval tests cover it). */
const small = (out: string, steps: number): DemoOptions => ({
  out, sizePx: 24, steps, subject: "ada", driver: "bruno", ablations: false,
  framesPerExpression: 2, sentence: "hello you", driverSentence: "good day", crossFrames: 6, orbitFrames: 4, retrack: false,
});

describe("likeness demo", () => {
  it("captures, trains, renders three videos and evaluates; a second run resumes without capturing again", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "likeness-demo-")), "demo");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await runDemoPipeline(small(out, 4))).toBe(0);
      for (const video of ["reenactment", "cross-identity", "orbit"]) expect(existsSync(join(out, video, "render.mp4")), video).toBe(true);
      expect(readAvatarFile(join(out, "ada.avatar")).training.step).toBe(4);
      const report = readEvalReport(join(out, "report", "report.json"));
      expect(report.counts.framesEvaluated).toBe(report.counts.framesInSplit);
      expect(report.counts.framesEvaluated).toBeGreaterThan(0);
      expect(log.mock.calls.flat().join("\n")).toMatch(/PSNR/);

      const captured = statSync(join(out, "dataset", "dataset.json")).mtimeMs;
      expect(await runDemoPipeline(small(out, 6))).toBe(0);
      expect(statSync(join(out, "dataset", "dataset.json")).mtimeMs).toBe(captured);
      expect(readAvatarFile(join(out, "ada.avatar")).training.step).toBe(6);
    } finally {
      log.mockRestore();
      stderr.mockRestore();
    }
  }, 300_000);

  it("refuses a folder that is not a demo's, and bad options", async () => {
    const other = mkdtempSync(join(tmpdir(), "likeness-demo-"));
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, "notes.txt"), "mine");
    await expect(runDemo(["--out", other])).rejects.toThrow(/is not a demo folder/);
    await expect(runDemo(["--steps", "0"])).rejects.toThrow(/--steps must be a positive whole number/);
    await expect(runDemo(["--subject", "nobody"])).rejects.toThrow(/nobody/);
  });
});
