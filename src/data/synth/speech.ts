import { Random } from "../../core/random.js";
import { PHONEMES, type TimedPhoneme } from "./phonemes.js";

/** Options of {@link synthesizeSpeech}. */
export interface SpeechOptions {
  phonemes: readonly TimedPhoneme[];
  sampleRate?: number;
  /** Mean voice pitch in Hz (about 120 for a low voice, 210 for a high one). */
  pitchHz?: number;
  seed?: number;
}

/** A two-pole resonator (Klatt 1980), retuned as the formants move. */
class Resonator {
  private y1 = 0;
  private y2 = 0;
  private a = 0;
  private b = 0;
  private c = 0;

  tune(frequencyHz: number, bandwidthHz: number, sampleRate: number): void {
    const r = Math.exp((-Math.PI * bandwidthHz) / sampleRate);
    this.c = -r * r;
    this.b = 2 * r * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
    this.a = 1 - this.b - this.c;
  }

  step(x: number): number {
    const y = this.a * x + this.b * this.y1 + this.c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/**
 * A small cascade formant synthesizer (after Klatt 1980, "Software for a
 * cascade/parallel formant synthesizer"): a glottal pulse train with falling
 * intonation and jitter drives three resonators whose frequencies glide between
 * the phonemes' formant targets; fricatives and plosive bursts add filtered noise.
 * Robotic, but its timing is exact, so the phoneme ground truth of a synthetic
 * capture matches its audio to the sample. Returns mono samples in [-1, 1].
 */
export function synthesizeSpeech({ phonemes, sampleRate = 16000, pitchHz = 120, seed = 0 }: SpeechOptions): Float32Array {
  if (phonemes.length === 0) return new Float32Array(0);
  const total = Math.ceil(phonemes.at(-1)!.endS * sampleRate);
  const out = new Float32Array(total);
  const rng = new Random(seed);
  // Formant targets at each phoneme's centre; phonemes without formants borrow the nearest.
  const centres = phonemes.map((p) => (p.startS + p.endS) / 2);
  const targets = phonemes.map((p) => PHONEMES[p.phoneme]?.formantsHz ?? null);
  const neutral: readonly [number, number, number] = [500, 1500, 2500];
  for (let i = 0; i < targets.length; i++) {
    if (targets[i]) continue;
    let j = i - 1;
    while (j >= 0 && !targets[j]) j--;
    let k = i + 1;
    while (k < targets.length && !targets[k]) k++;
    targets[i] = (k < targets.length ? targets[k] : null) ?? (j >= 0 ? targets[j] : null) ?? neutral;
  }
  const formants = [new Resonator(), new Resonator(), new Resonator()];
  const bandwidths = [70, 100, 160];
  const noiseFilter = new Resonator();
  let phase = 0;
  let index = 0;
  let voicing = 0;
  let noiseLevel = 0;
  const block = 32;
  let voicedTarget = 0, noiseTarget = 0, noiseHz = 4000;
  for (let n = 0; n < total; n++) {
    const t = n / sampleRate;
    while (index + 1 < phonemes.length && t >= phonemes[index].endS) index++;
    const ph = phonemes[index];
    const info = PHONEMES[ph.phoneme];
    if (!info) throw new Error(`synthesizeSpeech: unknown phoneme '${ph.phoneme}'`);
    if (n % block === 0) {
      // Glide formants linearly between neighbouring centres.
      const c = t < centres[index] ? index - 1 : index;
      const a = Math.max(0, c), b = Math.min(phonemes.length - 1, c + 1);
      const span = centres[b] - centres[a];
      const s = span > 0 ? Math.min(1, Math.max(0, (t - centres[a]) / span)) : 0;
      const fa = targets[a]!, fb = targets[b]!;
      for (let f = 0; f < 3; f++) formants[f].tune(fa[f] + s * (fb[f] - fa[f]), bandwidths[f], sampleRate);
      const within = (t - ph.startS) / Math.max(1e-6, ph.endS - ph.startS);
      const burst = (info.kind === "plosive" && within > 0.7) || info.kind === "affricate";
      voicedTarget = info.kind === "silence" ? 0 : info.kind === "plosive" ? (info.voiced && within < 0.7 ? 0.15 : 0) : info.voiced ? (info.kind === "nasal" ? 0.6 : info.kind === "fricative" ? 0.35 : 1) : 0;
      noiseTarget = info.kind === "fricative" || burst ? (info.voiced ? 0.15 : 0.3) : info.kind === "plosive" ? 0 : 0;
      if (info.noiseHz) noiseHz = info.noiseHz;
      noiseFilter.tune(noiseHz, noiseHz / 3, sampleRate);
    }
    // About 8 ms attack/release on both sources.
    voicing += (voicedTarget - voicing) * 0.008;
    noiseLevel += (noiseTarget - noiseLevel) * 0.008;
    // Falling intonation over each phrase, with a little jitter.
    const f0 = pitchHz * (1.1 - 0.2 * (t / (phonemes.at(-1)!.endS || 1))) * (1 + 0.01 * (rng.uniform() - 0.5));
    phase += f0 / sampleRate;
    let source = 0;
    if (phase >= 1) {
      phase -= 1;
      source = 1;
    }
    // Differentiated glottal pulse approximated by an impulse, smoothed by the cascade.
    let v = voicing * source * 6;
    for (const r of formants) v = r.step(v);
    const noise = noiseFilter.step((rng.uniform() * 2 - 1) * noiseLevel);
    out[n] = v * 0.05 + noise * 0.5;
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let n = 0; n < total; n++) out[n] *= 0.8 / peak;
  return out;
}
