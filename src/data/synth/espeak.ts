import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeWav } from "../wav.js";
import { PHONEMES, type TimedPhoneme } from "./phonemes.js";

/**
 * espeak-ng's English phoneme mnemonics (as printed by `espeak-ng -x`) mapped to
 * the ARPAbet inventory of {@link PHONEMES}; diphthongs the inventory lacks become
 * two phonemes. Stress marks and length marks are stripped before the lookup.
 */
const ESPEAK_TO_ARPABET: Readonly<Record<string, readonly string[]>> = {
  "@": ["AH"], "@2": ["AH"], "@5": ["AH"], "a#": ["AH"], "V": ["AH"], "a": ["AE"], "aa": ["AE"], "A": ["AA"], "0": ["AA"],
  "A@": ["AA", "R"], "3": ["ER"], "3:": ["ER"], "E": ["EH"], "e@": ["EH", "R"], "eI": ["EY"], "i": ["IY"], "i:": ["IY"],
  "i@": ["IY", "AH"], "i@3": ["IY", "ER"], "I": ["IH"], "I2": ["IH"], "I#": ["IH"], "O": ["AO"], "O:": ["AO"], "O@": ["AO", "R"],
  "oU": ["OW"], "U": ["UH"], "U@": ["UH", "R"], "u:": ["UW"], "u": ["UW"], "aI": ["AY"], "aI@": ["AY", "ER"], "aU": ["AA", "UW"],
  "OI": ["AO", "IY"], "@L": ["AH", "L"], "p": ["P"], "b": ["B"], "t": ["T"], "t#": ["T"], "d": ["D"], "k": ["K"], "g": ["G"],
  "f": ["F"], "v": ["V"], "T": ["TH"], "D": ["DH"], "s": ["S"], "z": ["Z"], "S": ["SH"], "Z": ["SH"], "tS": ["CH"], "dZ": ["JH"],
  "m": ["M"], "n": ["N"], "N": ["NG"], "l": ["L"], "r": ["R"], "r-": ["R"], "w": ["W"], "j": ["Y"], "h": ["HH"],
};

let available: boolean | undefined;

/** Whether an `espeak-ng` program is on the PATH (checked once). */
export function espeakAvailable(): boolean {
  available ??= spawnSync("espeak-ng", ["--version"], { encoding: "utf8" }).status === 0;
  return available;
}

/** ARPAbet phonemes of one word as espeak-ng spelled it with `-x --sep=_`. */
export function arpabetFromEspeak(spelling: string): string[] {
  const out: string[] = [];
  for (const raw of spelling.trim().split(/[_\s]+/)) {
    const symbol = raw.replace(/['",%=]/g, "");
    if (!symbol || /^:+$/.test(symbol)) continue;
    const mapped = ESPEAK_TO_ARPABET[symbol] ?? ESPEAK_TO_ARPABET[symbol.replace(/:$/, "")] ?? ESPEAK_TO_ARPABET[symbol.replace(/[0-9#-]$/, "")];
    // A symbol the table lacks (a rare allophone) keeps a neutral mouth.
    out.push(...(mapped ?? ["AH"]));
  }
  return out;
}

/**
 * Speech from the installed `espeak-ng` program (GPL; run as a separate program,
 * never bundled): each word is spoken on its own, trimmed of silence, and joined
 * with short pauses (longer at punctuation). Phoneme times are exact at word
 * boundaries; inside a word they are spread in proportion to each phoneme's
 * typical duration, an approximation. Throws if espeak-ng is missing or fails.
 */
export function speakWithEspeak(options: { text: string; voice?: string; pitch?: number; wordsPerMinute?: number }): {
  audio: Float32Array;
  sampleRate: number;
  phonemes: TimedPhoneme[];
} {
  const { text, voice = "en-us", pitch = 50, wordsPerMinute = 150 } = options;
  if (!espeakAvailable()) throw new Error("espeak-ng is not installed (apt-get install espeak-ng); the built-in formant voice works without it");
  const dir = mkdtempSync(join(tmpdir(), "likeness-espeak-"));
  try {
    // Words as samples, pauses as seconds; assembled once the sample rate is known.
    const parts: (Float32Array | number)[] = [];
    const phonemes: TimedPhoneme[] = [];
    let sampleRate = 22050;
    let t = 0;
    const silence = (seconds: number): void => {
      parts.push(seconds);
      phonemes.push({ phoneme: "sil", startS: t, endS: t + seconds });
      t += seconds;
    };
    const tokens = text.match(/[A-Za-z']+|[,.?!;:]/g) ?? [];
    silence(0.2);
    for (const [k, token] of tokens.entries()) {
      if (/^[,.?!;:]$/.test(token)) {
        silence(0.25);
        continue;
      }
      const wav = join(dir, `${k}.wav`);
      const run = spawnSync("espeak-ng", ["-v", voice, "-p", String(pitch), "-s", String(wordsPerMinute), "-x", "--sep=_", "-w", wav, token], { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`espeak-ng failed on '${token}': ${run.stderr.trim() || `exit ${run.status}`}`);
      const decoded = decodeWav(readFileSync(wav), wav);
      sampleRate = decoded.sampleRate;
      const samples = trimSilence(decoded.channels[0], sampleRate);
      const word = arpabetFromEspeak(run.stdout);
      const seconds = samples.length / sampleRate;
      const typical = word.reduce((sum, p) => sum + (PHONEMES[p]?.durationS ?? 0.08), 0);
      let start = t;
      for (const p of word) {
        const d = (seconds * (PHONEMES[p]?.durationS ?? 0.08)) / typical;
        phonemes.push({ phoneme: p, startS: start, endS: start + d });
        start += d;
      }
      parts.push(samples);
      t += seconds;
      silence(0.05);
    }
    silence(0.2);
    const audio = new Float32Array(Math.round(t * sampleRate) + 1);
    let seconds = 0;
    for (const part of parts) {
      if (typeof part === "number") {
        seconds += part;
      } else {
        audio.set(part.subarray(0, Math.max(0, audio.length - Math.round(seconds * sampleRate))), Math.round(seconds * sampleRate));
        seconds += part.length / sampleRate;
      }
    }
    return { audio, sampleRate, phonemes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `x` without its leading and trailing samples below 2% of its peak (10 ms kept on each side). */
function trimSilence(x: Float32Array, sampleRate: number): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const threshold = 0.02 * peak;
  let a = 0, b = x.length - 1;
  while (a < b && Math.abs(x[a]) < threshold) a++;
  while (b > a && Math.abs(x[b]) < threshold) b--;
  const pad = Math.round(0.01 * sampleRate);
  return x.slice(Math.max(0, a - pad), Math.min(x.length, b + pad));
}
