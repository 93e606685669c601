import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { audioDurationSeconds } from "../wav.js";
import { extractAudio } from "./audio.js";

const REAL = resolve(import.meta.dirname, "../../../../shared/data/real");

describe("extractAudio", () => {
  it("extracts expressive-woman's speech as 16 kHz mono", async () => {
    const audio = await extractAudio(join(REAL, "expressive-woman-480.mp4"));
    if (!audio) throw new Error("expected audio");
    expect(audio.sampleRate).toBe(16000);
    expect(audio.channels.length).toBe(1);
    expect(audioDurationSeconds(audio)).toBeGreaterThan(33.5);
    expect(audioDurationSeconds(audio)).toBeLessThan(33.7);
    let sumSq = 0;
    for (const x of audio.channels[0]) sumSq += x * x;
    const rms = Math.sqrt(sumSq / audio.channels[0].length);
    // ffmpeg measures a mean volume of -25 dBFS on this track (0.056 RMS).
    expect(rms).toBeGreaterThan(0.02);
    expect(rms).toBeLessThan(0.2);
  });

  it("resamples to the rate asked for", async () => {
    const audio = await extractAudio(join(REAL, "expressive-woman-480.mp4"), { sampleRate: 8000 });
    expect(audio?.sampleRate).toBe(8000);
    expect(audio?.channels[0].length).toBeGreaterThan(8000 * 33.5);
  });

  it("returns null for the digitally silent tracks of woman-turning and man-mouth, unless kept", async () => {
    expect(await extractAudio(join(REAL, "woman-turning-512.mp4"))).toBeNull();
    expect(await extractAudio(join(REAL, "man-mouth-480.mp4"))).toBeNull();
    const kept = await extractAudio(join(REAL, "man-mouth-480.mp4"), { keepSilent: true });
    expect(kept?.channels[0].every((x) => x === 0)).toBe(true);
    expect(audioDurationSeconds(kept ?? { sampleRate: 1, channels: [] })).toBeCloseTo(7.2, 0);
  });

  it("refuses a bad sample rate and a missing file", async () => {
    await expect(extractAudio(join(REAL, "man-mouth-480.mp4"), { sampleRate: 0 })).rejects.toThrow(/sampleRate/);
    await expect(extractAudio(join(REAL, "missing.mp4"))).rejects.toThrow(`${join(REAL, "missing.mp4")}: no such file`);
  });
});
