import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audioDurationSeconds, type Audio } from "../wav.js";
import { extractAudio } from "./audio.js";
import { decodeVideoFrames } from "./decode.js";
import { encodeVideo, rateArg } from "./encode.js";
import { VideoError } from "./error.js";
import { ffmpegEncoders, liveFfmpegProcesses } from "./ffmpeg.js";
import { probeVideo } from "./probe.js";

const WIDTH = 96;
const HEIGHT = 64;
const FPS = 24;
const FRAMES = 12;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "likeness-encode-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A smooth diagonal gradient that moves 3 pixels right per frame (smooth so the codec keeps it well). */
function gradientFrame(t: number, width = WIDTH, height = HEIGHT): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      rgb[at] = Math.round(127.5 + 100 * Math.sin((2 * Math.PI * (x - 3 * t)) / width));
      rgb[at + 1] = Math.round((200 * y) / height + 20);
      rgb[at + 2] = Math.round(60 + (100 * (x + y)) / (width + height));
    }
  }
  return rgb;
}

/** A 440 Hz tone of `seconds`, mono. */
function tone(seconds: number, sampleRate = 16000): Audio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
  return { sampleRate, channels: [samples] };
}

async function* asyncFrames(count: number): AsyncGenerator<Uint8Array> {
  for (let t = 0; t < count; t++) yield gradientFrame(t);
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe("encodeVideo", () => {
  it("writes an MP4 with audio that probes and decodes back to the frames", async () => {
    const outPath = join(root, "gradient.mp4");
    const result = await encodeVideo({ outPath, widthPx: WIDTH, heightPx: HEIGHT, fps: FPS, frames: asyncFrames(FRAMES), audio: tone(FRAMES / FPS) });
    const expectedCodec = ffmpegEncoders().has("libx264") ? "h264" : "mpeg4";
    expect(result).toMatchObject({ outPath, frameCount: FRAMES, widthPx: WIDTH, heightPx: HEIGHT, videoCodec: expectedCodec });
    expect(readdirSync(root)).toEqual(["gradient.mp4"]);

    const info = await probeVideo(outPath);
    expect(info).toMatchObject({ widthPx: WIDTH, heightPx: HEIGHT, fps: FPS, frameCount: FRAMES, codec: expectedCodec, hasAudio: true });

    const decoded: Uint8Array[] = [];
    for await (const frame of decodeVideoFrames(outPath)) decoded.push(frame.rgb);
    expect(decoded.length).toBe(FRAMES);
    for (let t = 0; t < FRAMES; t++) {
      // yuv420p halves chroma resolution; crf 18 keeps a smooth picture within a few levels.
      expect(meanAbsDiff(decoded[t], gradientFrame(t))).toBeLessThan(3);
    }
    // No colour shift: the mean error per channel is near 0 (swscale's fast path would give about -1.3).
    const bias = [0, 0, 0];
    for (let t = 0; t < FRAMES; t++) {
      const source = gradientFrame(t);
      for (let i = 0; i < source.length; i++) bias[i % 3] += (decoded[t][i] - source[i]) / ((FRAMES * source.length) / 3);
    }
    for (const b of bias) expect(Math.abs(b)).toBeLessThan(0.5);
    // Frames decode in order: frame 5 is closer to its own source than to its neighbour's.
    expect(meanAbsDiff(decoded[5], gradientFrame(5))).toBeLessThan(meanAbsDiff(decoded[5], gradientFrame(6)));

    const audio = await extractAudio(outPath);
    if (!audio) throw new Error("expected audio");
    // AAC adds priming samples and pads its last frame: within a few 1024-sample frames.
    expect(Math.abs(audioDurationSeconds(audio) - FRAMES / FPS)).toBeLessThan(0.2);
  });

  it("takes plain arrays of frames and lets the producer reuse one buffer", async () => {
    const outPath = join(root, "reused.mp4");
    const buffer = new Uint8Array(WIDTH * HEIGHT * 3);
    function* reused(): Generator<Uint8Array> {
      for (let t = 0; t < 4; t++) {
        buffer.set(gradientFrame(t * 4));
        yield buffer;
      }
    }
    await encodeVideo({ outPath, widthPx: WIDTH, heightPx: HEIGHT, fps: 30, frames: reused() });
    const decoded: Uint8Array[] = [];
    for await (const frame of decodeVideoFrames(outPath)) decoded.push(frame.rgb);
    expect(decoded.length).toBe(4);
    for (let t = 0; t < 4; t++) expect(meanAbsDiff(decoded[t], gradientFrame(t * 4))).toBeLessThan(4);
    const info = await probeVideo(outPath);
    expect(info.hasAudio).toBe(false);
    rmSync(outPath);
  });

  it("handles file names ffmpeg would otherwise misread", async () => {
    const outPath = join(root, "take:2 -y.mp4");
    await encodeVideo({ outPath, widthPx: WIDTH, heightPx: HEIGHT, fps: 30, frames: [gradientFrame(0), gradientFrame(1)] });
    expect((await probeVideo(outPath)).frameCount).toBe(2);
    let count = 0;
    for await (const frame of decodeVideoFrames(outPath)) count += frame.index >= 0 ? 1 : 0;
    expect(count).toBe(2);
    rmSync(outPath);
  });

  it("refuses odd sizes unless padding is asked for", async () => {
    const outPath = join(root, "odd.mp4");
    await expect(encodeVideo({ outPath, widthPx: 33, heightPx: 20, fps: 30, frames: [new Uint8Array(33 * 20 * 3)] })).rejects.toThrow(
      `${outPath}: 33x20 frames: yuv420p video needs an even width and height`,
    );
    const frames = [gradientFrame(0, 33, 21), gradientFrame(1, 33, 21)];
    const result = await encodeVideo({ outPath, widthPx: 33, heightPx: 21, fps: 30, frames, padToEven: true });
    expect([result.widthPx, result.heightPx]).toEqual([34, 22]);
    expect(await probeVideo(outPath)).toMatchObject({ widthPx: 34, heightPx: 22, frameCount: 2 });
    rmSync(outPath);
  });

  it("leaves nothing behind when a frame is wrong or the producer fails", async () => {
    const dir = mkdtempSync(join(root, "fail-"));
    const outPath = join(dir, "bad.mp4");
    const wrongSize = [gradientFrame(0), new Uint8Array(10)];
    await expect(encodeVideo({ outPath, widthPx: WIDTH, heightPx: HEIGHT, fps: 30, frames: wrongSize, audio: tone(0.1) })).rejects.toThrow(
      `${outPath}: frame 1 has 10 bytes, expected ${WIDTH * HEIGHT * 3}`,
    );
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gradientFrame(0);
      throw new Error("renderer crashed");
    }
    await expect(encodeVideo({ outPath, widthPx: WIDTH, heightPx: HEIGHT, fps: 30, frames: failing() })).rejects.toThrow("renderer crashed");
    await expect(encodeVideo({ outPath, widthPx: WIDTH, heightPx: HEIGHT, fps: 30, frames: [] })).rejects.toThrow(`${outPath}: no frames given`);
    expect(readdirSync(dir)).toEqual([]);
    expect(liveFfmpegProcesses()).toEqual([]);
    const nowhere = join(root, "no-such-folder", "x.mp4");
    await expect(encodeVideo({ outPath: nowhere, widthPx: 2, heightPx: 2, fps: 30, frames: [] })).rejects.toThrow(VideoError);
    expect(existsSync(join(root, "no-such-folder"))).toBe(false);
  });

  it("writes exact frame-rate fractions", () => {
    expect(rateArg(30)).toBe("30");
    expect(rateArg(30000 / 1001)).toBe("30000/1001");
    expect(rateArg(12.5)).toBe("25/2");
    expect(rateArg(29.97)).toBe("29970/1000");
  });
});
