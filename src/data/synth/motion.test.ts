import { describe, expect, it } from "vitest";
import { expressionSweep, headMotion, lightingSequence, speechMotion } from "./motion.js";
import { phonemesFromText } from "./phonemes.js";

describe("motion scripts", () => {
  it("sweeps every expression parameter alone to its peak", () => {
    const names = ["jawOpen", "blinkLeft", "gazeYaw"];
    const frames = expressionSweep({ expressionNames: names, framesPerParameter: 10, fps: 30 });
    for (const [k, name] of names.entries()) {
      const own = frames.slice(10 * k, 10 * k + 10);
      const peak = Math.max(...own.map((f) => Math.abs(f.expression[name] ?? 0)));
      expect(peak).toBeGreaterThan(0.9);
      for (const f of own) for (const other of names) if (other !== name) expect(f.expression[other] ?? 0).toBe(0);
    }
    expect(Math.min(...frames.slice(20, 30).map((f) => f.expression.gazeYaw))).toBeLessThan(-0.9);
    frames.forEach((f, i) => expect(f.timeSeconds).toBeCloseTo(i / 30, 9));
  });

  it("moves the head smoothly within bounds", () => {
    const frames = headMotion({ frames: 300, fps: 30, seed: 2 });
    let maxStep = 0;
    for (let i = 0; i < frames.length; i++) {
      const [yaw, pitch, roll] = frames[i].headYawPitchRoll;
      expect(Math.abs(yaw)).toBeLessThan((26 * Math.PI) / 180);
      expect(Math.abs(pitch)).toBeLessThan((13 * Math.PI) / 180);
      expect(Math.abs(roll)).toBeLessThan((7 * Math.PI) / 180);
      if (i > 0) maxStep = Math.max(maxStep, Math.abs(yaw - frames[i - 1].headYawPitchRoll[0]));
    }
    expect(maxStep).toBeLessThan((2 * Math.PI) / 180);
  });

  it("opens the jaw on vowels, closes the lips on m, and labels each frame's phoneme", () => {
    const phonemes = phonemesFromText("me me me");
    const frames = speechMotion({ phonemes, fps: 100, seed: 1 });
    const at = (t: number) => frames[Math.round(t * 100)];
    const m = phonemes.find((p) => p.phoneme === "M")!;
    const iy = phonemes.find((p) => p.phoneme === "IY")!;
    expect(at((m.startS + m.endS) / 2).phoneme).toBe("M");
    const jaw = (t: number) => at(t).expression.jawOpen ?? 0;
    expect(jaw((iy.startS + iy.endS) / 2)).toBeGreaterThan(jaw((m.startS + m.endS) / 2));
    expect(at(0.05).phoneme).toBe("sil");
  });

  it("sweeps the key light across and changes its colour", () => {
    const frames = lightingSequence({ frames: 60, fps: 30 });
    const az = frames.map((f) => f.keyLight.azimuth);
    expect(Math.max(...az)).toBeGreaterThan(1);
    expect(Math.min(...az)).toBeLessThan(-1);
    expect(frames[0].keyLight.color[0]).toBeGreaterThan(frames[30].keyLight.color[0]);
  });
});
