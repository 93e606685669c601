import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VideoError } from "./error.js";
import { FFMPEG_ENV, ffmpegEncoders, findFfmpeg, locateFfmpeg } from "./ffmpeg.js";
import { probeVideo } from "./probe.js";

const REAL = resolve(import.meta.dirname, "../../../../shared/data/real");

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "likeness-probe-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The message of the VideoError `probeVideo(path)` rejects with. */
async function probeError(path: string): Promise<string> {
  const error: unknown = await probeVideo(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VideoError);
  const message = (error as VideoError).message;
  expect(message).not.toContain("\n");
  expect(message.startsWith(`${path}: `)).toBe(true);
  return message;
}

describe("findFfmpeg", () => {
  it("finds a binary that runs and knows its encoders", () => {
    const info = findFfmpeg();
    expect(info.versionLine).toMatch(/^ffmpeg version /);
    expect(findFfmpeg()).toBe(info);
    expect(ffmpegEncoders().has("rawvideo")).toBe(true);
  });

  it("falls back to the npm binary when PATH has none", () => {
    const info = locateFfmpeg({ PATH: root });
    expect(info.source).toBe("npm");
    expect(info.path).toContain("@ffmpeg-installer");
  });

  it("uses LIKENESS_FFMPEG and refuses one that does not run", () => {
    const npmPath = locateFfmpeg({ PATH: "" }).path;
    expect(locateFfmpeg({ [FFMPEG_ENV]: npmPath, PATH: "" }).source).toBe("env");
    const bogus = join(root, "no-ffmpeg-here");
    expect(() => locateFfmpeg({ [FFMPEG_ENV]: bogus })).toThrow(`${FFMPEG_ENV}=${bogus}: does not run as ffmpeg`);
  });
});

describe("probeVideo", () => {
  it.each([
    ["expressive-woman-480.mp4", 480, 480, 1008, 33.6],
    ["woman-turning-512.mp4", 512, 512, 354, 11.8],
    ["man-mouth-480.mp4", 480, 480, 216, 7.2],
  ])("reads %s", async (name, width, height, frames, seconds) => {
    const info = await probeVideo(join(REAL, name));
    expect(info).toMatchObject({ widthPx: width, heightPx: height, fps: 30, fpsArg: "30", codec: "h264", rotationDegrees: 0, frameCountMethod: "counted" });
    expect(Math.abs(info.frameCount - frames)).toBeLessThanOrEqual(1);
    expect(info.durationSeconds).toBeCloseTo(seconds, 0);
    // All three clips carry an AAC track; only expressive-woman's holds sound (see audio.test.ts).
    expect(info).toMatchObject({ hasAudio: true, audioSampleRate: 44100, audioCodec: "aac" });
  });

  it("estimates the frame count from the duration when asked not to count", async () => {
    const info = await probeVideo(join(REAL, "man-mouth-480.mp4"), { countFrames: false });
    expect(info.frameCountMethod).toBe("estimated");
    expect(Math.abs(info.frameCount - 216)).toBeLessThanOrEqual(2);
  });

  it("refuses a missing path, a directory, an empty file and a text file named .mp4", async () => {
    expect(await probeError(join(root, "missing.mp4"))).toMatch(/no such file/);
    expect(await probeError(root)).toMatch(/is a directory/);
    const empty = join(root, "empty.mp4");
    writeFileSync(empty, "");
    expect(await probeError(empty)).toMatch(/empty file/);
    const text = join(root, "notes.mp4");
    writeFileSync(text, "these are not frames\n".repeat(20));
    expect(await probeError(text)).toMatch(/not a video ffmpeg can read \(.*(Invalid data|moov atom)/);
  });

  it("refuses a file with no video stream and a still image", async () => {
    expect(await probeError(join(REAL, "speech-en-16k.wav"))).toMatch(/has no video stream \(streams: audio pcm_s16le\)/);
    expect(await probeError(join(REAL, "portrait-s0.jpg"))).toMatch(/still image/);
  });
});
