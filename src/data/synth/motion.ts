import { Random } from "../../core/random.js";
import type { Vec3 } from "../../geometry/rigid.js";
import { PHONEMES, type TimedPhoneme } from "./phonemes.js";

/** The scripted state of a synthetic subject at one frame. */
export interface MotionFrame {
  timeSeconds: number;
  /** Semantic expression weights by parameter name (missing = 0). */
  expression: Record<string, number>;
  /** Head rotation as yaw, pitch, roll in radians (see rotationFromYawPitchRoll). */
  headYawPitchRoll: Vec3;
  /** Head translation in metres. */
  headTranslation: Vec3;
  /** The phoneme being spoken, if the script speaks. */
  phoneme: string | null;
  /** Key light: azimuth and elevation in radians (0, 0 = from the front), and colour. */
  keyLight: { azimuth: number; elevation: number; color: Vec3 };
}

/** A neutral frame: no expression, head straight, front key light of white colour. */
export function neutralFrame(timeSeconds: number): MotionFrame {
  return {
    timeSeconds,
    expression: {},
    headYawPitchRoll: [0, 0, 0],
    headTranslation: [0, 0, 0],
    phoneme: null,
    keyLight: { azimuth: 0.5, elevation: 0.35, color: [1, 1, 1] },
  };
}

/** Smooth 0 -> 1 -> 0 bump over [0, 1]. */
function bump(s: number): number {
  return s <= 0 || s >= 1 ? 0 : 0.5 - 0.5 * Math.cos(2 * Math.PI * s);
}

/**
 * Every expression parameter in turn goes from 0 to `peak` and back over
 * `framesPerParameter` frames (signed gaze parameters also to -peak), so a capture
 * covers each parameter alone; then a few combinations (smile with blink, jaw open
 * with brows raised).
 */
export function expressionSweep(options: { expressionNames: readonly string[]; framesPerParameter: number; fps: number; peak?: number }): MotionFrame[] {
  const { expressionNames, framesPerParameter, fps, peak = 1 } = options;
  const frames: MotionFrame[] = [];
  const add = (weights: Record<string, number>): void => {
    const f = neutralFrame(frames.length / fps);
    f.expression = weights;
    frames.push(f);
  };
  for (const name of expressionNames) {
    const signed = name.startsWith("gaze");
    for (let i = 0; i < framesPerParameter; i++) {
      const s = i / framesPerParameter;
      const value = signed ? peak * Math.sin(2 * Math.PI * s) : peak * bump(s);
      add({ [name]: value });
    }
  }
  const combos: Record<string, number>[] = [
    { mouthCornerUpLeft: 1, mouthCornerUpRight: 1, squintLeft: 0.5, squintRight: 0.5, blinkLeft: 1 },
    { jawOpen: 0.8, browInnerRaise: 1, browOuterRaiseLeft: 1, browOuterRaiseRight: 1 },
    { lipPucker: 1, cheekPuff: 0.6 },
  ];
  for (const combo of combos) {
    for (let i = 0; i < framesPerParameter; i++) {
      const s = bump(i / framesPerParameter);
      add(Object.fromEntries(Object.entries(combo).filter(([n]) => expressionNames.includes(n)).map(([n, v]) => [n, v * s])));
    }
  }
  return frames;
}

/**
 * Natural head motion: smooth yaw, pitch and roll (within about +-25, +-12, +-6
 * degrees) and a little sway, from sums of incommensurate sines with random phases.
 */
export function headMotion(options: { frames: number; fps: number; seed: number; amplitude?: number }): MotionFrame[] {
  const { frames, fps, seed, amplitude = 1 } = options;
  const rng = new Random(seed);
  const phases = Array.from({ length: 12 }, () => 2 * Math.PI * rng.uniform());
  const deg = Math.PI / 180;
  return Array.from({ length: frames }, (_, i) => {
    const t = i / fps;
    const s = (k: number, hz: number): number => Math.sin(2 * Math.PI * hz * t + phases[k]);
    const f = neutralFrame(t);
    f.headYawPitchRoll = [
      amplitude * deg * (18 * s(0, 0.11) + 7 * s(1, 0.29)),
      amplitude * deg * (8 * s(2, 0.17) + 4 * s(3, 0.41)),
      amplitude * deg * (4 * s(4, 0.13) + 2 * s(5, 0.37)),
    ];
    f.headTranslation = [amplitude * 0.01 * s(6, 0.07), amplitude * 0.005 * s(7, 0.19), amplitude * 0.01 * s(8, 0.09)];
    return f;
  });
}

/**
 * Mouth motion for speech: at each frame, a blend of the visemes of the phonemes
 * within +-`spreadS` seconds, weighted by a raised cosine of the time distance to
 * each phoneme's centre (coarticulation), plus a blink every few seconds.
 */
export function speechMotion(options: { phonemes: readonly TimedPhoneme[]; fps: number; seed: number; spreadS?: number }): MotionFrame[] {
  const { phonemes, fps, seed, spreadS = 0.09 } = options;
  const rng = new Random(seed);
  const duration = phonemes.at(-1)?.endS ?? 0;
  const frames = Math.ceil(duration * fps);
  const blinks: number[] = [];
  for (let t = 0.5 + 2 * rng.uniform(); t < duration; t += 2 + 3 * rng.uniform()) blinks.push(t);
  const out: MotionFrame[] = [];
  for (let i = 0; i < frames; i++) {
    const t = i / fps;
    const f = neutralFrame(t);
    const current = phonemes.find((p) => t >= p.startS && t < p.endS) ?? phonemes.at(-1)!;
    f.phoneme = current.phoneme;
    let total = 0;
    const mix: Record<string, number> = {};
    for (const p of phonemes) {
      const centre = (p.startS + p.endS) / 2;
      const half = Math.max(spreadS, (p.endS - p.startS) / 2);
      const d = Math.abs(t - centre);
      if (d >= half + spreadS) continue;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / (half + spreadS));
      total += w;
      for (const [name, v] of Object.entries(PHONEMES[p.phoneme].viseme)) mix[name] = (mix[name] ?? 0) + w * v;
    }
    for (const name of Object.keys(mix)) f.expression[name] = mix[name] / Math.max(total, 1e-6);
    for (const b of blinks) {
      const s = (t - b) / 0.2;
      if (s > 0 && s < 1) {
        f.expression.blinkLeft = bump(s);
        f.expression.blinkRight = bump(s);
      }
    }
    out.push(f);
  }
  return out;
}

/**
 * A lighting sequence: the key light sweeps from the subject's right to left and
 * back, rises and falls, and changes colour from warm to cool, over `frames` frames.
 */
export function lightingSequence(options: { frames: number; fps: number }): MotionFrame[] {
  const { frames, fps } = options;
  return Array.from({ length: frames }, (_, i) => {
    const s = frames > 1 ? i / (frames - 1) : 0;
    const f = neutralFrame(i / fps);
    const warm: Vec3 = [1.15, 0.95, 0.7];
    const cool: Vec3 = [0.75, 0.9, 1.2];
    const mixAmount = 0.5 - 0.5 * Math.cos(2 * Math.PI * s);
    f.keyLight = {
      azimuth: 1.2 * Math.sin(2 * Math.PI * s),
      elevation: 0.2 + 0.35 * Math.sin(4 * Math.PI * s),
      color: [mixChannel(warm[0], cool[0], mixAmount), mixChannel(warm[1], cool[1], mixAmount), mixChannel(warm[2], cool[2], mixAmount)],
    };
    return f;
  });
}

function mixChannel(a: number, b: number, s: number): number {
  return a * (1 - s) + b * s;
}
