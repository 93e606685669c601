import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInSubject, captureSynthetic, loadDataset, type LoadedDataset, type TrackedFace } from "../../data/index.js";
import { loadTrainingFrames } from "../../methods/flame-in-nerf/index.js";
import { FlameInNerfAvatar, trainAvatar } from "../../train/index.js";
import { psnr } from "../metrics.js";
import { spreadEvenly } from "../../train/index.js";
import { evaluateAvatar, type EvaluateAvatarResult } from "./evaluate-avatar.js";
import { formatEvalTable } from "./format-table.js";
import { landmarkDistance } from "./landmarks.js";
import { dilateMask } from "./masks.js";
import { readEvalReport } from "./read-report.js";
import { smooth } from "./report-images.js";
import { EVAL_REPORT_FILES, heatmapFileName, writeEvalReport } from "./write-report.js";

const quiet = { write: () => true };

describe("evaluateAvatar and writeEvalReport on a tiny avatar", () => {
  let dir: string;
  let dataset: LoadedDataset;
  let avatar: FlameInNerfAvatar;
  let result: EvaluateAvatarResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "likeness-eval-"));
    await captureSynthetic({
      subject: builtInSubject("ada"), outDir: join(dir, "ds"), sizePx: 32, rig: "front", domeCameras: 1, sequence: "expressions",
      framesPerExpression: 4, maxFrames: 20, fps: 30, sentence: "hello", voice: "formant", seed: 1, overwrite: false, progress: quiet,
    });
    await trainAvatar({ datasetDir: join(dir, "ds"), outPath: join(dir, "ada.avatar"), preset: "tiny", steps: 10, resume: false, validateEvery: 5, progress: quiet });
    dataset = await loadDataset(join(dir, "ds"));
    avatar = FlameInNerfAvatar.load(join(dir, "ada.avatar"));
    result = await evaluateAvatar({ avatar, dataset, retrack: false, progress: quiet });
  }, 60_000);

  afterAll(() => avatar?.dispose());

  it("measures every held-out frame with finite numbers, and the PSNR of a frame is that of its render", async () => {
    const { report } = result;
    const val = await loadTrainingFrames(dataset, { split: "val", background: [1, 1, 1] });
    expect(report.split).toBe("val");
    expect(report.onTrainingFrames).toBe(false);
    expect(report.counts.framesInSplit).toBe(val.length);
    expect(report.counts.framesEvaluated).toBe(val.length);
    expect(report.frames.map((f) => f.index)).toEqual(val.map((f) => f.frame.index));
    for (const v of [report.means.psnrDb, report.means.ssim, report.means.l1, report.means.leakOutsideFaceL1, report.means.leakBackgroundL1, report.means.leakInsideFaceL1]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    for (const f of report.frames) {
      expect(f.psnrDb).toBeGreaterThan(5);
      expect(f.ssim).toBeLessThanOrEqual(1);
      expect(f.regions.face?.pixels).toBeGreaterThan(0);
      expect(f.regions.background?.pixels).toBeGreaterThan(0);
      expect(f.landmarks).toBeNull();
    }
    expect(report.means.regions.face?.psnrDb).toBeTypeOf("number");
    expect(report.leak.length).toBe(Math.min(3, val.length));
    expect(report.counts.landmarksBoth).toBe(0);
    // The leak frames have an expression to leak; it changes the face more than the rest.
    for (const l of report.leak) {
      expect(l.expressionNorm).toBeGreaterThan(0);
      expect(l.insideFaceL1!).toBeGreaterThan(l.outsideFaceL1!);
    }

    // One frame rendered here, measured directly.
    const f = val[0];
    const pose = f.frame.headPose!;
    const image = avatar.render({ expression: f.expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation }, f.camera);
    expect(report.frames[0].psnrDb).toBeCloseTo(psnr(image.rgb, f.rgb), 6);
    expect(result.renders.frames.length).toBe(val.length);
    expect(formatEvalTable(report)).toMatch(/PSNR\s+\d+\.\d\d dB/);
  });

  it("caps the frames with maxFrames and refuses training frames unless allowed, and a dataset without val frames", async () => {
    const capped = await evaluateAvatar({ avatar, dataset, retrack: false, maxFrames: 1, leakFrames: 0, progress: quiet });
    expect(capped.report.counts.framesEvaluated).toBe(1);
    expect(capped.report.leak).toEqual([]);
    expect(capped.report.means.leakOutsideFaceL1).toBeNull();
    // The leak is measured on the most expressive frames.
    const one = await evaluateAvatar({ avatar, dataset, retrack: false, leakFrames: 1, progress: quiet });
    const indices = one.renders.frames.map((f) => f.index);
    expect(one.report.leak.length).toBe(1);
    expect(one.report.leak[0].expressionNorm).toBe(Math.max(...(await loadTrainingFrames(dataset, { split: "val" })).map((f) => Math.hypot(...f.expression))));
    expect(indices).toContain(one.report.leak[0].index);
    await expect(evaluateAvatar({ avatar, dataset, split: "train", retrack: false, progress: quiet })).rejects.toThrow(/allowTrainingFrames/);
    const onTrain = await evaluateAvatar({ avatar, dataset, split: "train", allowTrainingFrames: true, retrack: false, maxFrames: 2, leakFrames: 0, progress: quiet });
    expect(onTrain.report.onTrainingFrames).toBe(true);
    expect(formatEvalTable(onTrain.report)).toMatch(/TRAINING frames/);

    cpSync(join(dir, "ds"), join(dir, "noval"), { recursive: true });
    const manifest = join(dir, "noval", "dataset.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/"split": "val"/g, '"split": "train"'));
    const noVal = await loadDataset(join(dir, "noval"));
    await expect(evaluateAvatar({ avatar, dataset: noVal, retrack: false, progress: quiet })).rejects.toThrow(/noval: has no tracked frames in the 'val' split/);
  });

  it("writes the report folder with every file, refuses an existing one unless overwrite", async () => {
    const out = join(dir, "report");
    await writeEvalReport(result.report, result.renders, out);
    const files = readdirSync(out).sort();
    expect(files).toEqual(Object.values(EVAL_REPORT_FILES).sort());
    expect(readdirSync(join(out, "heatmaps")).sort()).toEqual(result.report.frames.map((f) => heatmapFileName(f.index)).sort());
    const back = readEvalReport(join(out, "report.json"));
    expect(back.counts).toEqual(result.report.counts);
    expect(back.means.psnrDb).toBeCloseTo(result.report.means.psnrDb!, 10);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/\| PSNR \| \d+\.\d\d dB \|/);
    await expect(writeEvalReport(result.report, result.renders, out)).rejects.toThrow(/already exists/);
    await writeEvalReport(result.report, result.renders, out, { overwrite: true, contactRows: 2 });
    expect(readdirSync(dir).filter((n) => n.includes("staging") || n.includes(".old-"))).toEqual([]);
    expect(existsSync(join(out, "contact-sheet.png"))).toBe(true);
  });

  it("re-tracking: a 10-step avatar's 32 px renders have no face for the tracker; counted by status, not dropped or crashed", async () => {
    const { report } = await evaluateAvatar({ avatar, dataset, retrack: true, maxFrames: 2, leakFrames: 0, progress: quiet });
    const c = report.counts;
    expect(c.landmarksBoth + c.landmarksNoFaceInTruth + c.landmarksNoFaceInRender + c.landmarksNoFaceInEither).toBe(2);
    expect(c.landmarksNoFaceInRender + c.landmarksNoFaceInEither).toBe(2);
    expect(report.frames.every((f) => f.landmarks !== null && f.landmarks.status !== "both" && f.landmarks.meanDistancePx === null)).toBe(true);
    expect(report.means.landmarkDistancePx).toBeNull();
    expect(formatEvalTable(report)).toMatch(/landmark distance\s+n\/a \(no frame with a face in both\)/);
    expect(formatEvalTable(report)).toMatch(/re-tracked faces\s+0 both, \d none in render/);
  }, 30_000);
});

describe("report helpers", () => {
  const face = (shift: number): TrackedFace => {
    const landmarks = new Float32Array(2 * 478);
    for (let i = 0; i < 478; i++) { landmarks[2 * i] = (i % 20) + shift; landmarks[2 * i + 1] = Math.floor(i / 20); }
    return { boxPx: [0, 0, 16, 25], landmarks, landmarks3d: new Float32Array(3 * 478), rotation: null, confidence: 1 };
  };

  it("landmarkDistance: mean distance in pixels and over the face box size; missing faces by status", () => {
    expect(landmarkDistance(face(0), face(3))).toEqual({ status: "both", meanDistancePx: 3, faceFraction: 3 / 20 });
    expect(landmarkDistance(null, face(0)).status).toBe("no-face-in-truth");
    expect(landmarkDistance(face(0), null)).toEqual({ status: "no-face-in-render", meanDistancePx: null, faceFraction: null });
    expect(landmarkDistance(null, null).status).toBe("no-face-in-either");
  });

  it("dilateMask grows a thresholded mask by a disc", () => {
    const m = new Float32Array(7 * 7);
    m[3 * 7 + 3] = 0.9;
    m[0] = 0.4; // below threshold
    const d = dilateMask(m, 7, 7, 1);
    expect(Array.from(d).reduce((a, b) => a + b, 0)).toBe(5);
    expect(d[0]).toBe(0);
    expect(Array.from(dilateMask(m, 7, 7, 2)).reduce((a, b) => a + b, 0)).toBe(13);
  });

  it("spreadEvenly and smooth", () => {
    expect(spreadEvenly([0, 1, 2, 3, 4, 5, 6, 7, 8], 3)).toEqual([0, 4, 8]);
    expect(spreadEvenly([1, 2], 5)).toEqual([1, 2]);
    expect(smooth([0, 3, 0, 3], 3)).toEqual([1.5, 1, 2, 1.5]);
  });
});
