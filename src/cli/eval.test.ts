import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EVAL_REPORT_FILES, readEvalReport } from "../eval/index.js";
import { trainTinyAvatar } from "../train/testing.js";
import { EVAL_HELP, runEval } from "./eval.js";

let dir = "";
let avatarPath = "";
let datasetDir = "";

beforeAll(async () => {
  ({ dir, datasetDir, avatarPath } = await trainTinyAvatar({ prefix: "likeness-eval-cli-", sizePx: 48, sequence: "expressions", framesPerExpression: 4, steps: 10 }));
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
}, 60_000);

afterAll(() => vi.restoreAllMocks());

describe("likeness eval", () => {
  it("evaluates the held-out frames, prints the table and writes the report folder", async () => {
    const out = join(dir, "report");
    expect(await runEval([avatarPath, datasetDir, "--out", out])).toBe(0);
    const printed = vi.mocked(console.log).mock.calls.map((c) => String(c[0])).join("\n");
    expect(printed).toMatch(/^metric\s+value$/m);
    expect(printed).toMatch(/^PSNR\s+\d+\.\d\d dB$/m);
    expect(printed).toMatch(/^re-tracked faces\s+\d+ both/m);
    expect(printed).toMatch(/^prior leak outside face\s+L1 \d\.\d\de-\d \(background .*; inside face \d\.\d\de-\d; 3 frames\)$/m);
    expect(printed).toMatch(/report in .*report$/m);
    expect(readdirSync(out).sort()).toEqual(Object.values(EVAL_REPORT_FILES).sort());
    const report = readEvalReport(join(out, "report.json"));
    expect(report.split).toBe("val");
    expect(report.settings.retrack).toBe(true);
    expect(report.counts.framesEvaluated).toBe(report.counts.framesInSplit);
    expect(readdirSync(join(out, "heatmaps")).length).toBe(report.counts.framesEvaluated);
    const sheet = await sharp(join(out, "contact-sheet.png")).metadata();
    expect(sheet.width).toBeGreaterThan(3 * 48);
    const curves = await sharp(join(out, "curves.png")).metadata();
    expect([curves.width, curves.height]).toEqual([800, 600]);
  }, 30_000);

  it("--frames, --no-retrack and --overwrite", async () => {
    const out = join(dir, "report");
    await expect(runEval([avatarPath, datasetDir, "--out", out, "--no-retrack"])).rejects.toThrow(/report: already exists; pass --overwrite/);
    expect(await runEval([avatarPath, datasetDir, "--out", out, "--frames", "1", "--no-retrack", "--overwrite"])).toBe(0);
    const report = readEvalReport(join(out, "report.json"));
    expect(report.counts.framesEvaluated).toBe(1);
    expect(report.settings.retrack).toBe(false);
    expect(report.frames[0].landmarks).toBeNull();
    expect(readdirSync(dir).filter((n) => n.includes("staging") || n.includes(".old-"))).toEqual([]);
  }, 30_000);

  it("errors: missing avatar, missing arguments, bad --frames, a dataset with no val frames", async () => {
    await expect(runEval([join(dir, "none.avatar"), datasetDir, "--out", join(dir, "r1")])).rejects.toThrow(/none\.avatar: no such avatar file/);
    await expect(runEval([avatarPath, "--out", join(dir, "r1")])).rejects.toThrow(/give the \.avatar file and the dataset folder/);
    await expect(runEval([avatarPath, datasetDir])).rejects.toThrow(/--out/);
    await expect(runEval([avatarPath, datasetDir, "--out", join(dir, "r1"), "--frames", "0"])).rejects.toThrow(/--frames must be a positive whole number/);
    await expect(runEval([avatarPath, datasetDir, "--out", join(dir, "r1"), "--bogus"])).rejects.toThrow(/bogus/);
    const trainOnly = join(dir, "train-only");
    cpSync(datasetDir, trainOnly, { recursive: true });
    const manifest = join(trainOnly, "dataset.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/"split": "val"/g, '"split": "train"'));
    await expect(runEval([avatarPath, trainOnly, "--out", join(dir, "r2"), "--no-retrack"])).rejects.toThrow(/train-only: has no tracked frames in the 'val' split/);
    expect(existsSync(join(dir, "r1")) || existsSync(join(dir, "r2"))).toBe(false);
  }, 30_000);

  it("--help", async () => {
    expect(await runEval(["--help"])).toBe(0);
    expect(EVAL_HELP).toMatch(/^Usage: likeness eval <file\.avatar> <dataset dir> --out <report dir>/);
    expect(EVAL_HELP).toMatch(/--no-retrack/);
  });
});
