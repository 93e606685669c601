import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { projectPoints } from "../../geometry/camera.js";
import { loadDataset } from "../load.js";
import { readWav } from "../wav.js";
import { captureSynthetic, CONTACT_SHEET_FILE, type SynthCaptureOptions } from "./capture.js";
import { builtInSubject, BUILT_IN_SUBJECTS, subjectFromSeed } from "./subjects.js";
import { createFaceModel } from "../../face/index.js";

const quiet = { write: () => true };

function options(outDir: string, overrides: Partial<SynthCaptureOptions> = {}): SynthCaptureOptions {
  return {
    subject: builtInSubject("bruno"),
    outDir,
    sizePx: 48,
    rig: "front",
    domeCameras: 3,
    sequence: "all",
    framesPerExpression: 2,
    fps: 30,
    sentence: "hello you",
    voice: "formant",
    seed: 3,
    overwrite: false,
    progress: quiet,
    ...overrides,
  };
}

describe("captureSynthetic", () => {
  it("names only identity parameters the face model has, for every built-in subject", () => {
    const model = createFaceModel();
    expect(BUILT_IN_SUBJECTS.length).toBeGreaterThanOrEqual(6);
    for (const s of BUILT_IN_SUBJECTS) for (const name of Object.keys(s.identity)) expect(model.identityNames).toContain(name);
  });

  it("makes the same random subject from the same seed and another from another seed", () => {
    const names = createFaceModel().identityNames;
    expect(subjectFromSeed(5, names)).toEqual(subjectFromSeed(5, names));
    expect(subjectFromSeed(6, names).appearance.skin).not.toEqual(subjectFromSeed(5, names).appearance.skin);
    for (const v of Object.values(subjectFromSeed(7, names).identity)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });

  it("writes a loadable dataset whose 2D landmarks are the projections of its 3D landmarks, with speech audio and a contact sheet", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "likeness-synth-")), "bruno");
    const result = await captureSynthetic(options(out, { rig: "dome", sequence: "speech" }));
    const ds = await loadDataset(out);
    expect(result.images).toBe(ds.frames.length);
    expect(ds.cameras.size).toBe(3);
    expect(new Set(ds.frames.map((f) => f.split))).toEqual(new Set(["train", "val"]));
    expect(ds.frames.some((f) => f.phoneme && f.phoneme !== "sil")).toBe(true);
    const frame = ds.frames[ds.frames.length - 1];
    const camera = ds.cameras.get(frame.cameraId)!;
    const pts = Float32Array.from(frame.landmarks3d!.flat());
    const { pixels } = projectPoints(camera.camera, pts);
    for (let i = 0; i < 478; i += 37) {
      expect(frame.landmarks2d![i][0]).toBeCloseTo(pixels[2 * i], 2);
      expect(frame.landmarks2d![i][1]).toBeCloseTo(pixels[2 * i + 1], 2);
    }
    const wav = readWav(ds.audio!.path);
    expect(wav.sampleRate).toBe(16000);
    expect(ds.audio!.offsetSeconds).toBe(0);
    expect(existsSync(result.contactSheet)).toBe(true);
    expect(result.contactSheet).toBe(join(out, CONTACT_SHEET_FILE));
  });

  it("integrates each pixel over 3x3 samples unless told otherwise: a soft matte at the outline, binary with one sample", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-synth-"));
    const levels = async (out: string): Promise<Set<number>> => {
      const ds = await loadDataset(out);
      const mask = await sharp(ds.frames[0].maskPaths.foreground!).raw().toBuffer();
      return new Set(mask);
    };
    await captureSynthetic(options(join(dir, "soft"), { maxFrames: 1 }));
    const soft = await levels(join(dir, "soft"));
    expect(soft.has(0) && soft.has(255)).toBe(true);
    expect([...soft].filter((v) => v > 0 && v < 255).length).toBeGreaterThan(3);
    await captureSynthetic(options(join(dir, "hard"), { maxFrames: 1, samplesPerAxis: 1 }));
    expect([...(await levels(join(dir, "hard")))].sort((a, b) => a - b)).toEqual([0, 255]);
  });

  it("scripts a performance: the expression sweep, then speech with its audio, the head moving throughout", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "likeness-synth-")), "bruno");
    await captureSynthetic(options(out, { sizePx: 24, sequence: "performance" }));
    const ds = await loadDataset(out, { checkImageSizes: false });
    const sweep = (createFaceModel().expressionNames.length + 3) * 2; // each parameter, then three combinations
    const turned = (f: (typeof ds.frames)[number]): number => Math.hypot(...f.headPose!.rotationAxisAngle);
    expect(ds.frames.length).toBeGreaterThan(sweep);
    expect(Math.max(...ds.frames.slice(0, sweep).map(turned))).toBeGreaterThan(0.05);
    expect(Math.max(...ds.frames.slice(sweep).map(turned))).toBeGreaterThan(0.05);
    expect(ds.frames.slice(sweep).some((f) => f.phoneme && f.phoneme !== "sil")).toBe(true);
    expect(ds.audio!.offsetSeconds).toBeCloseTo(sweep / 30, 6);
  });

  it("refuses an existing output before rendering and leaves nothing behind on failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-synth-"));
    const out = join(dir, "x");
    await captureSynthetic(options(out, { sequence: "expressions", maxFrames: 2 }));
    await expect(captureSynthetic(options(out, { sequence: "expressions", maxFrames: 2 }))).rejects.toThrow(/already exists/);
    const bad = join(dir, "bad");
    await expect(captureSynthetic(options(bad, { sequence: "speech", sentence: "hello xylophone" }))).rejects.toThrow(/xylophone/);
    expect(readdirSync(dir).sort()).toEqual(["x"]);
  });
});
