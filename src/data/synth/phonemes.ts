/**
 * The phoneme inventory of synthetic speech (ARPAbet symbols, as in the CMU
 * pronouncing dictionary) with what the formant synthesizer and the face need of
 * each: voicing, formants for vowels and sonorants, frication, and the mouth shape
 * (viseme) as semantic expression weights.
 */
export interface PhonemeInfo {
  kind: "vowel" | "sonorant" | "nasal" | "fricative" | "plosive" | "affricate" | "silence";
  voiced: boolean;
  /** Formant frequencies F1, F2, F3 in Hz (vowels and sonorants; others use neighbours'). */
  formantsHz?: readonly [number, number, number];
  /** Centre frequency of frication noise in Hz (fricatives, plosive bursts). */
  noiseHz?: number;
  /** Typical duration in seconds at normal speaking rate. */
  durationS: number;
  /** Mouth shape: expression parameter weights by name (missing = 0). */
  viseme: Readonly<Record<string, number>>;
}

/** Lips together (bilabials): the neutral mouth is closed. */
const closed = { jawOpen: 0 } as const;

/** The inventory. Vowel formants are adult averages (Peterson and Barney 1952; Hillenbrand et al. 1995). */
export const PHONEMES: Readonly<Record<string, PhonemeInfo>> = {
  sil: { kind: "silence", voiced: false, durationS: 0.15, viseme: {} },
  AA: { kind: "vowel", voiced: true, formantsHz: [730, 1090, 2440], durationS: 0.16, viseme: { jawOpen: 0.75 } },
  AE: { kind: "vowel", voiced: true, formantsHz: [660, 1720, 2410], durationS: 0.15, viseme: { jawOpen: 0.6, lipStretchLeft: 0.35, lipStretchRight: 0.35 } },
  AH: { kind: "vowel", voiced: true, formantsHz: [640, 1190, 2390], durationS: 0.11, viseme: { jawOpen: 0.5 } },
  AO: { kind: "vowel", voiced: true, formantsHz: [570, 840, 2410], durationS: 0.15, viseme: { jawOpen: 0.55, lipPucker: 0.35 } },
  EH: { kind: "vowel", voiced: true, formantsHz: [530, 1840, 2480], durationS: 0.12, viseme: { jawOpen: 0.4, lipStretchLeft: 0.3, lipStretchRight: 0.3 } },
  ER: { kind: "vowel", voiced: true, formantsHz: [490, 1350, 1690], durationS: 0.14, viseme: { jawOpen: 0.25, lipPucker: 0.3 } },
  IH: { kind: "vowel", voiced: true, formantsHz: [390, 1990, 2550], durationS: 0.1, viseme: { jawOpen: 0.2, lipStretchLeft: 0.45, lipStretchRight: 0.45 } },
  IY: { kind: "vowel", voiced: true, formantsHz: [270, 2290, 3010], durationS: 0.13, viseme: { jawOpen: 0.12, lipStretchLeft: 0.6, lipStretchRight: 0.6 } },
  OW: { kind: "vowel", voiced: true, formantsHz: [450, 900, 2400], durationS: 0.16, viseme: { jawOpen: 0.4, lipPucker: 0.6 } },
  UH: { kind: "vowel", voiced: true, formantsHz: [440, 1020, 2240], durationS: 0.1, viseme: { jawOpen: 0.25, lipPucker: 0.55 } },
  UW: { kind: "vowel", voiced: true, formantsHz: [300, 870, 2240], durationS: 0.14, viseme: { jawOpen: 0.15, lipPucker: 0.85 } },
  AY: { kind: "vowel", voiced: true, formantsHz: [700, 1400, 2500], durationS: 0.2, viseme: { jawOpen: 0.6, lipStretchLeft: 0.2, lipStretchRight: 0.2 } },
  EY: { kind: "vowel", voiced: true, formantsHz: [480, 2000, 2600], durationS: 0.17, viseme: { jawOpen: 0.3, lipStretchLeft: 0.45, lipStretchRight: 0.45 } },
  W: { kind: "sonorant", voiced: true, formantsHz: [300, 700, 2200], durationS: 0.07, viseme: { jawOpen: 0.1, lipPucker: 0.9 } },
  Y: { kind: "sonorant", voiced: true, formantsHz: [280, 2250, 2900], durationS: 0.06, viseme: { jawOpen: 0.1, lipStretchLeft: 0.4, lipStretchRight: 0.4 } },
  L: { kind: "sonorant", voiced: true, formantsHz: [360, 1100, 2700], durationS: 0.07, viseme: { jawOpen: 0.25 } },
  R: { kind: "sonorant", voiced: true, formantsHz: [420, 1300, 1600], durationS: 0.07, viseme: { jawOpen: 0.2, lipPucker: 0.45 } },
  M: { kind: "nasal", voiced: true, formantsHz: [250, 1100, 2200], durationS: 0.08, viseme: closed },
  N: { kind: "nasal", voiced: true, formantsHz: [250, 1500, 2500], durationS: 0.07, viseme: { jawOpen: 0.15 } },
  NG: { kind: "nasal", voiced: true, formantsHz: [250, 1800, 2500], durationS: 0.08, viseme: { jawOpen: 0.2 } },
  B: { kind: "plosive", voiced: true, noiseHz: 800, durationS: 0.07, viseme: closed },
  P: { kind: "plosive", voiced: false, noiseHz: 800, durationS: 0.08, viseme: closed },
  D: { kind: "plosive", voiced: true, noiseHz: 3500, durationS: 0.06, viseme: { jawOpen: 0.15 } },
  T: { kind: "plosive", voiced: false, noiseHz: 4000, durationS: 0.07, viseme: { jawOpen: 0.15 } },
  G: { kind: "plosive", voiced: true, noiseHz: 2000, durationS: 0.07, viseme: { jawOpen: 0.25 } },
  K: { kind: "plosive", voiced: false, noiseHz: 2200, durationS: 0.08, viseme: { jawOpen: 0.25 } },
  F: { kind: "fricative", voiced: false, noiseHz: 6000, durationS: 0.1, viseme: { jawOpen: 0.08, lowerLipDepress: -0.4, upperLipRaise: 0.2 } },
  V: { kind: "fricative", voiced: true, noiseHz: 5000, durationS: 0.07, viseme: { jawOpen: 0.08, lowerLipDepress: -0.4, upperLipRaise: 0.2 } },
  TH: { kind: "fricative", voiced: false, noiseHz: 5500, durationS: 0.09, viseme: { jawOpen: 0.15 } },
  DH: { kind: "fricative", voiced: true, noiseHz: 5000, durationS: 0.05, viseme: { jawOpen: 0.15 } },
  S: { kind: "fricative", voiced: false, noiseHz: 7000, durationS: 0.11, viseme: { jawOpen: 0.05, lipStretchLeft: 0.3, lipStretchRight: 0.3 } },
  Z: { kind: "fricative", voiced: true, noiseHz: 6500, durationS: 0.08, viseme: { jawOpen: 0.05, lipStretchLeft: 0.3, lipStretchRight: 0.3 } },
  SH: { kind: "fricative", voiced: false, noiseHz: 3500, durationS: 0.11, viseme: { jawOpen: 0.1, lipPucker: 0.6, upperLipRaise: 0.2 } },
  CH: { kind: "affricate", voiced: false, noiseHz: 3500, durationS: 0.11, viseme: { jawOpen: 0.1, lipPucker: 0.55 } },
  JH: { kind: "affricate", voiced: true, noiseHz: 3200, durationS: 0.09, viseme: { jawOpen: 0.1, lipPucker: 0.5 } },
  HH: { kind: "fricative", voiced: false, noiseHz: 1500, durationS: 0.06, viseme: { jawOpen: 0.3 } },
};

/**
 * A small built-in lexicon (ARPAbet, stress removed; diphthongs the inventory lacks
 * written as two vowels) for the scripted sentences of synthetic subjects; words
 * outside it are refused with a clear error.
 */
export const LEXICON: Readonly<Record<string, readonly string[]>> = {
  a: ["AH"], about: ["AH", "B", "AA", "UW", "T"],
  and: ["AE", "N", "D"], are: ["AA", "R"], be: ["B", "IY"], blue: ["B", "L", "UW"], boat: ["B", "OW", "T"],
  bright: ["B", "R", "AY", "T"], camera: ["K", "AE", "M", "ER", "AH"], cheese: ["CH", "IY", "Z"], day: ["D", "EY"],
  face: ["F", "EY", "S"], five: ["F", "AY", "V"], four: ["F", "AO", "R"], good: ["G", "UH", "D"], hello: ["HH", "AH", "L", "OW"],
  here: ["HH", "IY", "R"], i: ["AY"], is: ["IH", "Z"], it: ["IH", "T"], light: ["L", "AY", "T"], look: ["L", "UH", "K"],
  me: ["M", "IY"], moon: ["M", "UW", "N"], morning: ["M", "AO", "R", "N", "IH", "NG"], my: ["M", "AY"], name: ["N", "EY", "M"],
  new: ["N", "UW"], nine: ["N", "AY", "N"], now: ["N", "AA", "UW"], one: ["W", "AH", "N"], please: ["P", "L", "IY", "Z"],
  red: ["R", "EH", "D"], see: ["S", "IY"], seven: ["S", "EH", "V", "AH", "N"], she: ["SH", "IY"], six: ["S", "IH", "K", "S"],
  smile: ["S", "M", "AY", "L"], speak: ["S", "P", "IY", "K"], talk: ["T", "AO", "K"], ten: ["T", "EH", "N"],
  thank: ["TH", "AE", "NG", "K"], that: ["DH", "AE", "T"], the: ["DH", "AH"], this: ["DH", "IH", "S"], three: ["TH", "R", "IY"],
  to: ["T", "UW"], today: ["T", "AH", "D", "EY"], two: ["T", "UW"], very: ["V", "EH", "R", "IY"], voice: ["V", "AO", "IY", "S"],
  we: ["W", "IY"], what: ["W", "AH", "T"], where: ["W", "EH", "R"], with: ["W", "IH", "TH"], world: ["W", "ER", "L", "D"],
  yes: ["Y", "EH", "S"], you: ["Y", "UW"], zero: ["Z", "IY", "R", "OW"],
};

/** One timed phoneme of an utterance. */
export interface TimedPhoneme {
  phoneme: string;
  startS: number;
  endS: number;
}

/**
 * Turns `text` (words of {@link LEXICON}, spaces and punctuation) into timed
 * phonemes at `rate` (1 = normal speed), with short pauses between words and a
 * longer one at `,` `.` `?` `!`. Starts and ends with silence.
 */
export function phonemesFromText(text: string, rate = 1): TimedPhoneme[] {
  const out: TimedPhoneme[] = [];
  let t = 0;
  const push = (phoneme: string, duration: number): void => {
    out.push({ phoneme, startS: t, endS: t + duration });
    t += duration;
  };
  push("sil", 0.2);
  const tokens = text.toLowerCase().match(/[a-z']+|[,.?!]/g) ?? [];
  for (const token of tokens) {
    if (/^[,.?!]$/.test(token)) {
      push("sil", 0.25 / rate);
      continue;
    }
    const pron = LEXICON[token];
    if (!pron) throw new Error(`synthetic speech: the word '${token}' is not in the built-in lexicon`);
    for (const p of pron) push(p, PHONEMES[p].durationS / rate);
    push("sil", 0.04 / rate);
  }
  push("sil", 0.2);
  return out;
}
