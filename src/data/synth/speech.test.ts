import { describe, expect, it } from "vitest";
import { phonemesFromText, PHONEMES } from "./phonemes.js";
import { synthesizeSpeech } from "./speech.js";

/** Power of `x` at `hz` (Goertzel). */
function powerAt(x: Float32Array, hz: number, sampleRate: number): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  const k = 2 * Math.cos(w);
  let s1 = 0, s2 = 0;
  for (const v of x) {
    const s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

describe("synthetic speech", () => {
  it("times phonemes from text with silence around, and refuses unknown words", () => {
    const ph = phonemesFromText("hello, world");
    expect(ph[0].phoneme).toBe("sil");
    expect(ph.at(-1)?.phoneme).toBe("sil");
    expect(ph.map((p) => p.phoneme).filter((p) => p !== "sil")).toEqual(["HH", "AH", "L", "OW", "W", "ER", "L", "D"]);
    for (let i = 1; i < ph.length; i++) expect(ph[i].startS).toBeCloseTo(ph[i - 1].endS, 9);
    for (const p of ph) expect(PHONEMES[p.phoneme]).toBeDefined();
    expect(() => phonemesFromText("hello xylophone")).toThrow(/xylophone/);
  });

  it("is silent in pauses, loud in vowels, and puts a vowel's energy near its first formant", () => {
    const sampleRate = 16000;
    const phonemes = [
      { phoneme: "sil", startS: 0, endS: 0.3 },
      { phoneme: "AA", startS: 0.3, endS: 0.9 },
      { phoneme: "sil", startS: 0.9, endS: 1.2 },
    ];
    const audio = synthesizeSpeech({ phonemes, sampleRate, seed: 1 });
    expect(audio.length).toBe(1.2 * sampleRate);
    const cut = (a: number, b: number) => audio.subarray(Math.round(a * sampleRate), Math.round(b * sampleRate));
    expect(rms(cut(0, 0.25))).toBeLessThan(0.01);
    expect(rms(cut(0.4, 0.8))).toBeGreaterThan(0.1);
    expect(rms(cut(1.0, 1.2))).toBeLessThan(0.01);
    const vowel = cut(0.4, 0.8);
    const f1 = PHONEMES.AA.formantsHz![0];
    // Energy near F1 well above energy between the formants and far above them.
    expect(powerAt(vowel, f1, sampleRate)).toBeGreaterThan(5 * powerAt(vowel, 1800, sampleRate));
    expect(powerAt(vowel, f1, sampleRate)).toBeGreaterThan(20 * powerAt(vowel, 5000, sampleRate));
  });

  it("is deterministic for a seed", () => {
    const phonemes = phonemesFromText("see you");
    expect(Array.from(synthesizeSpeech({ phonemes, seed: 4 }).subarray(0, 4000))).toEqual(
      Array.from(synthesizeSpeech({ phonemes, seed: 4 }).subarray(0, 4000)),
    );
  });
});
