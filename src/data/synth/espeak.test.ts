import { describe, expect, it } from "vitest";
import { arpabetFromEspeak, espeakAvailable, speakWithEspeak } from "./espeak.js";

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

describe("espeak-ng voice", () => {
  it("maps espeak-ng's phoneme spelling to ARPAbet", () => {
    expect(arpabetFromEspeak("h_@_l_'oU")).toEqual(["HH", "AH", "L", "OW"]);
    expect(arpabetFromEspeak("a#_b_,aU_t")).toEqual(["AH", "B", "AA", "UW", "T"]);
    expect(arpabetFromEspeak("T_'a_N_k")).toEqual(["TH", "AE", "NG", "K"]);
    expect(arpabetFromEspeak("l_'aI_t__:__:")).toEqual(["L", "AY", "T"]);
  });

  // Both branches check something real: the espeak path where the program is
  // installed (CI installs it), and the clear refusal where it is not.
  if (espeakAvailable()) {
    it("speaks words with phoneme times that tile the audio, silent in pauses", () => {
      const { audio, sampleRate, phonemes } = speakWithEspeak({ text: "hello, world" });
      expect(phonemes[0].phoneme).toBe("sil");
      for (let i = 1; i < phonemes.length; i++) expect(phonemes[i].startS).toBeCloseTo(phonemes[i - 1].endS, 9);
      expect(audio.length / sampleRate).toBeCloseTo(phonemes.at(-1)!.endS, 2);
      expect(phonemes.map((p) => p.phoneme).filter((p) => p !== "sil")).toEqual(["HH", "AH", "L", "OW", "W", "ER", "L", "D"]);
      const cut = (a: number, b: number) => audio.subarray(Math.round(a * sampleRate), Math.round(b * sampleRate));
      expect(rms(cut(0, 0.15))).toBeLessThan(1e-4);
      const ow = phonemes.find((p) => p.phoneme === "OW")!;
      expect(rms(cut(ow.startS, ow.endS))).toBeGreaterThan(0.02);
    });
  } else {
    it("refuses clearly when espeak-ng is not installed", () => {
      expect(() => speakWithEspeak({ text: "hello" })).toThrow(/espeak-ng is not installed/);
    });
  }
});
