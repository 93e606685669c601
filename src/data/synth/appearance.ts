import type { Vec3 } from "../../geometry/rigid.js";

/** How a synthetic subject looks: colours are linear RGB albedos in [0, 1]. */
export interface SubjectAppearance {
  /** Base skin albedo. */
  skin: Vec3;
  /** Strength of low-frequency skin blotches and redness, 0-1. */
  skinVariation: number;
  /** Freckle density, 0 (none) to 1 (dense). */
  freckles: number;
  lips: Vec3;
  /** Hair, brows and lashes. */
  hair: Vec3;
  /** Hair coverage of the scalp: `none` (bald), `short` (cropped to the hairline), `full` (down to the neck at the back). */
  hairStyle: "none" | "short" | "full";
  iris: Vec3;
  /** Clothing on the shoulders. */
  cloth: Vec3;
  /** Background gradient, top and bottom. */
  backgroundTop: Vec3;
  backgroundBottom: Vec3;
  /** Seed of the solid-noise textures (pores, freckles, strands). */
  textureSeed: number;
}

/** A built-in synthetic subject: appearance plus face-shape parameters. */
export interface BuiltInSubject {
  name: string;
  description: string;
  appearance: SubjectAppearance;
  /** Identity parameters by name (see the face model's identityNames); unnamed ones are 0. */
  identity: Readonly<Record<string, number>>;
}

/** sRGB hex colour to linear RGB. */
export function linearFromHex(hex: string): Vec3 {
  const v = Number.parseInt(hex.replace("#", ""), 16);
  return [linearFromSrgbByte((v >> 16) & 255), linearFromSrgbByte((v >> 8) & 255), linearFromSrgbByte(v & 255)];
}

/** An 8-bit sRGB value to linear in [0, 1]: the inverse of {@link srgbByteFromLinear}. */
export function linearFromSrgbByte(byte: number): number {
  const s = byte / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** Linear value in [0, 1] to an 8-bit sRGB value. */
export function srgbByteFromLinear(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  const s = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.round(255 * s);
}
