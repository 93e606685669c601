import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { captureVideo, stableCrop, VIDEO_CAPTURE_FILES, type VideoCaptureOptions } from "./capture-video.js";
import { loadDataset } from "./load.js";
import { encodeVideo } from "./video/index.js";
import { readDatasetManifest } from "./load.js";
import { captureSynthetic } from "./synth/capture.js";
import { builtInSubject } from "./synth/subjects.js";
import { rotationAngleBetween } from "../geometry/rigid.js";

const REAL = resolve("../shared/data/real");
const quiet = { write: () => true };

function options(input: string, outDir: string, overrides: Partial<VideoCaptureOptions> = {}): VideoCaptureOptions {
  return { input, outDir, sizePx: 128, maxFrames: 24, overlay: false, overwrite: false, progress: quiet, ...overrides };
}

describe("captureVideo", () => {
  it("turns a real clip into a dataset: every frame tracked, fit error under 2% of the face box, masks, audio, report", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "likeness-video-")), "woman");
    const { report, contactSheet, overlayVideo } = await captureVideo(options(join(REAL, "expressive-woman-480.mp4"), out, { overlay: true }));
    expect(report.trackedFrames).toBe(24);
    expect(report.fitMeanErrorOfBoxSide).toBeLessThan(0.02);
    const ds = await loadDataset(out);
    expect(ds.frames.length).toBe(24);
    expect(ds.frames.filter((f) => f.split === "val").length).toBe(4);
    expect(ds.frames.every((f) => f.tracked && f.maskPaths.foreground && f.maskPaths.face && f.maskPaths.mouth && f.maskPaths.eyes)).toBe(true);
    expect(ds.audio?.sampleRate).toBe(16000);
    expect(existsSync(contactSheet)).toBe(true);
    expect(overlayVideo && existsSync(overlayVideo)).toBe(true);
    const written = JSON.parse(readFileSync(join(out, VIDEO_CAPTURE_FILES.report), "utf8"));
    expect(written.frames).toBe(24);
    expect(written.crop.width).toBe(written.crop.height);
  });

  it("reads a folder of frames", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-video-folder-"));
    const frames = join(dir, "frames");
    mkdirSync(frames);
    for (const i of [1, 2, 10]) copyFileSync(join(REAL, "portrait-s1.jpg"), join(frames, `f${i}.jpg`));
    const { report } = await captureVideo(options(frames, join(dir, "out"), { folderFps: 25 }));
    expect(report.trackedFrames).toBe(3);
    const ds = await loadDataset(join(dir, "out"));
    expect(ds.manifest.fps).toBe(25);
    expect(ds.frames.map((f) => f.timeSeconds)).toEqual([0, 0.04, 0.08]);
  });

  it("gives one clear error for each bad input, leaving nothing behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-video-bad-"));
    const text = join(dir, "notes.mp4");
    writeFileSync(text, "this is not a video\n");
    const empty = join(dir, "empty.mp4");
    writeFileSync(empty, "");
    const grey = join(dir, "grey.mp4");
    const frames = Array.from({ length: 6 }, () => new Uint8Array(64 * 64 * 3).fill(128));
    await encodeVideo({ outPath: grey, widthPx: 64, heightPx: 64, fps: 30, frames });
    const cases: [string, RegExp][] = [
      [text, /notes\.mp4/],
      [empty, /empty\.mp4.*(empty|zero|0 bytes)/i],
      [join(dir, "missing.mp4"), /missing\.mp4: no such file/],
      [grey, /grey\.mp4: no face found in any of its 6 frames/],
    ];
    for (const [input, message] of cases) {
      await expect(captureVideo(options(input, join(dir, "out")))).rejects.toThrow(message);
    }
    expect(readdirSync(dir).sort()).toEqual(["empty.mp4", "grey.mp4", "notes.mp4"]);
  });

  it("recovers the head rotation of a synthetic capture through tracking and fitting, closer with the tracked depths", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-video-synth-"));
    await captureSynthetic({
      subject: builtInSubject("bruno"), outDir: join(dir, "synth"), sizePx: 256, rig: "front", domeCameras: 1, sequence: "head",
      framesPerExpression: 1, maxFrames: 45, fps: 30, sentence: "hello", voice: "formant", seed: 1, overwrite: false, progress: quiet,
    });
    const truth = readDatasetManifest(join(dir, "synth")).frames;
    const rotationErrors = async (fitDepths: boolean): Promise<{ mean: number; max: number }> => {
      const out = join(dir, fitDepths ? "fit-depths" : "fit");
      const { report } = await captureVideo(options(join(dir, "synth", "frames", "front"), out, { maxFrames: undefined, matting: "none", sizePx: 256, fitDepths }));
      expect(report.fitDepths).toBe(fitDepths);
      const errors = readDatasetManifest(out).frames.map((f, i) => (rotationAngleBetween(f.headPose!.rotationAxisAngle, truth[i].headPose!.rotationAxisAngle) * 180) / Math.PI);
      return { mean: errors.reduce((x, y) => x + y, 0) / errors.length, max: Math.max(...errors) };
    };
    const image = await rotationErrors(false), depths = await rotationErrors(true);
    console.log(
      `synthetic head motion, tracked and fitted: rotation error mean ${image.mean.toFixed(2)} deg, max ${image.max.toFixed(2)} deg; ` +
      `with the tracked depths mean ${depths.mean.toFixed(2)}, max ${depths.max.toFixed(2)}`,
    );
    // With exact landmarks the fit is within 0.5 degrees (src/data/fit). Human's image landmarks on
    // these CG faces under-read pitch (2.6 deg mean, 5.7 max); its depths bring that to 1.8 and 3.2.
    // What is left is the tracker's own bias: given the true identity and focal length the fit does no better.
    expect(image.mean).toBeLessThan(3.5);
    expect(image.max).toBeLessThan(7.5);
    expect(depths.mean).toBeLessThan(2.5);
    expect(depths.max).toBeLessThan(4.5);
    expect(depths.mean).toBeLessThan(image.mean);
  });

  it("frames the head with one square crop inside the image", () => {
    const boxes: [number, number, number, number][] = [
      [100, 120, 80, 100],
      [104, 118, 82, 98],
      [98, 122, 79, 101],
    ];
    const crop = stableCrop(boxes, 320, 240, 2);
    expect(crop.width).toBe(crop.height);
    expect(crop.width).toBe(202);
    expect(crop.x).toBeGreaterThanOrEqual(0);
    expect(crop.y).toBe(240 - 202);
    expect(crop.x + crop.width).toBeLessThanOrEqual(320);
  });
});
