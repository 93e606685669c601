import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeVideoFrames, type DecodeFramesOptions, type VideoFrame } from "./decode.js";
import { VideoError } from "./error.js";
import { liveFfmpegProcesses, runFfmpeg } from "./ffmpeg.js";
import { probeVideo } from "./probe.js";

const REAL = resolve(import.meta.dirname, "../../../../shared/data/real");
const WOMAN = join(REAL, "expressive-woman-480.mp4");

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "likeness-decode-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(path: string, options: DecodeFramesOptions): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeVideoFrames(path, options)) frames.push(frame);
  return frames;
}

/** Mean and standard deviation of the bytes. */
function stats(bytes: Uint8Array): { mean: number; std: number } {
  let sum = 0;
  let sumSq = 0;
  for (const b of bytes) {
    sum += b;
    sumSq += b * b;
  }
  const mean = sum / bytes.length;
  return { mean, std: Math.sqrt(sumSq / bytes.length - mean * mean) };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The `rect` of an RGB frame `width` pixels wide. */
function cropRgb(rgb: Uint8Array, width: number, rect: { x: number; y: number; width: number; height: number }): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height * 3);
  for (let row = 0; row < rect.height; row++) {
    const from = ((rect.y + row) * width + rect.x) * 3;
    out.set(rgb.subarray(from, from + rect.width * 3), row * rect.width * 3);
  }
  return out;
}

describe("decodeVideoFrames", () => {
  it.each([
    ["expressive-woman-480.mp4", 480],
    ["woman-turning-512.mp4", 512],
    ["man-mouth-480.mp4", 480],
  ])("decodes the first 5 frames of %s", async (name, size) => {
    const frames = await collect(join(REAL, name), { maxFrames: 5 });
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(frames[1].timeSeconds).toBeCloseTo(1 / 30, 9);
    for (const f of frames) {
      expect([f.widthPx, f.heightPx, f.rgb.length]).toEqual([size, size, size * size * 3]);
      const { mean, std } = stats(f.rgb);
      // A real picture: neither black, white nor flat.
      expect(mean).toBeGreaterThan(20);
      expect(mean).toBeLessThan(235);
      expect(std).toBeGreaterThan(10);
    }
    // Frames are separate buffers the consumer owns.
    expect(frames[0].rgb.buffer).not.toBe(frames[1].rgb.buffer);
  });

  it("crops and resizes to a square", async () => {
    const crop = { x: 101, y: 40, width: 300, height: 300 };
    const [full] = await collect(WOMAN, { maxFrames: 1 });
    const [cropped] = await collect(WOMAN, { maxFrames: 1, crop });
    expect([cropped.widthPx, cropped.heightPx]).toEqual([300, 300]);
    // Same pixels as cropping the full frame, up to chroma rounding at an odd offset.
    expect(meanAbsDiff(cropped.rgb, cropRgb(full.rgb, 480, crop))).toBeLessThan(2);
    const [small] = await collect(WOMAN, { maxFrames: 1, crop, outSizePx: 150 });
    expect([small.widthPx, small.heightPx, small.rgb.length]).toEqual([150, 150, 150 * 150 * 3]);
    // A 2x area shrink is the mean of each 2x2 block.
    const block = new Uint8Array(150 * 150 * 3);
    for (let y = 0; y < 150; y++) {
      for (let x = 0; x < 150; x++) {
        for (let c = 0; c < 3; c++) {
          const at = (sy: number, sx: number): number => cropped.rgb[(sy * 300 + sx) * 3 + c];
          block[(y * 150 + x) * 3 + c] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
        }
      }
    }
    expect(meanAbsDiff(small.rgb, block)).toBeLessThan(3);
    const [big] = await collect(WOMAN, { maxFrames: 1, crop: { x: 0, y: 0, width: 100, height: 100 }, outSizePx: 256 });
    expect([big.widthPx, big.heightPx]).toEqual([256, 256]);
  });

  it.each([
    ["expressive-woman-480.mp4", 500],
    ["woman-turning-512.mp4", 37],
    ["man-mouth-480.mp4", 150],
  ])("seeking %s to frame %i gives the frames decoding from the start gives", async (name, from) => {
    const path = join(REAL, name);
    const skipped: VideoFrame[] = [];
    for await (const frame of decodeVideoFrames(path, { outSizePx: 64 })) {
      if (frame.index >= from) skipped.push(frame);
      if (skipped.length === 3) break;
    }
    const seeked = await collect(path, { fromFrame: from, maxFrames: 3, outSizePx: 64 });
    expect(seeked.map((f) => f.index)).toEqual([from, from + 1, from + 2]);
    for (let i = 0; i < 3; i++) expect(seeked[i].rgb).toEqual(skipped[i].rgb);
    // Neighbouring frames differ, so equality means the same frame.
    expect(meanAbsDiff(seeked[0].rgb, skipped[2].rgb)).toBeGreaterThan(0);
  });

  it("decodes every frame the probe counted", async () => {
    const frames = await collect(join(REAL, "man-mouth-480.mp4"), { outSizePx: 16 });
    expect(frames.length).toBe(216);
    expect(frames.at(-1)?.index).toBe(215);
  });

  it("kills ffmpeg when the consumer stops early", async () => {
    const before = liveFfmpegProcesses().length;
    let pid = -1;
    for await (const frame of decodeVideoFrames(WOMAN)) {
      pid = liveFfmpegProcesses()[0];
      if (frame.index === 2) break;
    }
    expect(pid).toBeGreaterThan(0);
    expect(liveFfmpegProcesses().length).toBe(before);
    // The operating system has no such process any more (signal 0 only checks).
    expect(() => process.kill(pid, 0)).toThrow();

    const consumer = async (): Promise<void> => {
      for await (const frame of decodeVideoFrames(WOMAN)) {
        if (frame.index === 1) throw new Error("consumer failed");
      }
    };
    await expect(consumer()).rejects.toThrow("consumer failed");
    expect(liveFfmpegProcesses()).toEqual([]);
  });

  it("applies a phone's rotation tag", async () => {
    // A 96x64 test pattern, and the same stream tagged to be shown rotated.
    const plain = join(root, "plain.mp4");
    const rotated = join(root, "rotated.mp4");
    const make = await runFfmpeg(["-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=30", "-frames:v", "3", "-c:v", "mpeg4", "-y", plain]);
    expect(make.code).toBe(0);
    const tag = await runFfmpeg(["-v", "error", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", "-y", rotated]);
    expect(tag.code).toBe(0);
    const info = await probeVideo(rotated);
    expect([info.widthPx, info.heightPx]).toEqual([64, 96]);
    expect([90, 270]).toContain(info.rotationDegrees);
    const [upright] = await collect(plain, { maxFrames: 1 });
    const [turned] = await collect(rotated, { maxFrames: 1 });
    expect([turned.widthPx, turned.heightPx]).toEqual([64, 96]);
    // Rotate the plain frame clockwise by rotationDegrees: rotation is lossless, so the pixels match exactly.
    const expected = new Uint8Array(64 * 96 * 3);
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 64; x++) {
        const [sx, sy] = info.rotationDegrees === 90 ? [y, 63 - x] : [95 - y, x];
        for (let c = 0; c < 3; c++) expected[(y * 64 + x) * 3 + c] = upright.rgb[(sy * 96 + sx) * 3 + c];
      }
    }
    expect(meanAbsDiff(turned.rgb, expected)).toBeLessThan(1);
  });

  it("fails with ffmpeg's reason on a truncated file, after the frames before the damage", async () => {
    const whole = join(root, "whole.mp4");
    const make = await runFfmpeg(["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-frames:v", "60", "-c:v", "mpeg4", "-movflags", "+faststart", "-y", whole]);
    expect(make.code).toBe(0);
    // With the index at the front, the first half still probes as a video.
    const half = join(root, "half.mp4");
    const bytes = readFileSync(whole);
    writeFileSync(half, bytes.subarray(0, bytes.length >> 1));
    const frames: VideoFrame[] = [];
    let error: unknown;
    try {
      for await (const frame of decodeVideoFrames(half, { outSizePx: 32 })) frames.push(frame);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VideoError);
    const message = (error as Error).message;
    expect(message.startsWith(`${half}: ffmpeg failed while decoding (exit code `)).toBe(true);
    expect(message).not.toContain("\n");
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(60);
    expect(liveFfmpegProcesses()).toEqual([]);
  });

  it("refuses bad options and bad files before starting ffmpeg", async () => {
    await expect(collect(WOMAN, { crop: { x: 400, y: 0, width: 100, height: 100 } })).rejects.toThrow(
      `${WOMAN}: crop {x: 400, y: 0, width: 100, height: 100} must be whole pixels inside the 480x480 frame`,
    );
    await expect(collect(WOMAN, { fromFrame: -1 })).rejects.toThrow(VideoError);
    await expect(collect(WOMAN, { outSizePx: 0 })).rejects.toThrow(/outSizePx/);
    await expect(collect(join(REAL, "missing.mp4"), {})).rejects.toThrow(`${join(REAL, "missing.mp4")}: no such file`);
  });
});
