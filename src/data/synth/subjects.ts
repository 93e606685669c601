import { Random } from "../../core/random.js";
import type { Vec3 } from "../../geometry/rigid.js";
import { linearFromHex, type BuiltInSubject } from "./appearance.js";

/**
 * The built-in synthetic subjects: six people who differ clearly in skin tone,
 * hair, eye colour and face shape. `ada` is the default subject of the demo.
 * Identity values are in the face model's units (see its identity parameter docs);
 * names the face model lacks are refused when a capture starts.
 */
export const BUILT_IN_SUBJECTS: readonly BuiltInSubject[] = [
  {
    name: "ada",
    description: "light skin with freckles, red short hair, green eyes, narrow face",
    appearance: {
      skin: linearFromHex("#e8bca0"), skinVariation: 0.6, freckles: 0.8, lips: linearFromHex("#c07070"),
      hair: linearFromHex("#8a3a1c"), hairStyle: "full", iris: linearFromHex("#5a7a4a"), cloth: linearFromHex("#2c4a6e"),
      backgroundTop: linearFromHex("#9aa4ae"), backgroundBottom: linearFromHex("#58606a"), textureSeed: 101,
    },
    identity: { faceWidth: -0.6, jawWidth: -0.5, noseLength: 0.3, eyeSize: 0.4, upperLipThickness: -0.3 },
  },
  {
    name: "bruno",
    description: "olive skin, short dark-brown hair, brown eyes, wide jaw, strong brows",
    appearance: {
      skin: linearFromHex("#c4956c"), skinVariation: 0.5, freckles: 0, lips: linearFromHex("#a86458"),
      hair: linearFromHex("#2a1c14"), hairStyle: "short", iris: linearFromHex("#4a3020"), cloth: linearFromHex("#6e2c2c"),
      backgroundTop: linearFromHex("#b0a898"), backgroundBottom: linearFromHex("#6a6458"), textureSeed: 202,
    },
    identity: { faceWidth: 0.6, jawWidth: 0.9, chinLength: 0.4, browProtrusion: 0.7, noseWidth: 0.5 },
  },
  {
    name: "chen",
    description: "light-medium skin, black full hair, dark-brown eyes, round face",
    appearance: {
      skin: linearFromHex("#e0b894"), skinVariation: 0.35, freckles: 0, lips: linearFromHex("#b87070"),
      hair: linearFromHex("#101010"), hairStyle: "full", iris: linearFromHex("#2a1a10"), cloth: linearFromHex("#e0e0e0"),
      backgroundTop: linearFromHex("#7a9aa8"), backgroundBottom: linearFromHex("#405a66"), textureSeed: 303,
    },
    identity: { faceWidth: 0.4, faceHeight: -0.4, noseBridge: -0.6, eyeSize: -0.3, cheekboneWidth: 0.5 },
  },
  {
    name: "dara",
    description: "dark skin, bald, dark eyes, long face, full lips",
    appearance: {
      skin: linearFromHex("#5c3a28"), skinVariation: 0.4, freckles: 0, lips: linearFromHex("#4a2a24"),
      hair: linearFromHex("#0c0a08"), hairStyle: "none", iris: linearFromHex("#1e120a"), cloth: linearFromHex("#d8b040"),
      backgroundTop: linearFromHex("#c8c8c0"), backgroundBottom: linearFromHex("#808078"), textureSeed: 404,
    },
    identity: { faceHeight: 0.7, upperLipThickness: 0.8, lowerLipThickness: 0.9, noseWidth: 0.6, foreheadHeight: 0.5 },
  },
  {
    name: "emeka",
    description: "deep brown skin, short black hair, brown eyes, broad nose, square jaw",
    appearance: {
      skin: linearFromHex("#7a4e34"), skinVariation: 0.45, freckles: 0, lips: linearFromHex("#5e3228"),
      hair: linearFromHex("#141010"), hairStyle: "short", iris: linearFromHex("#3a2414"), cloth: linearFromHex("#2e6e46"),
      backgroundTop: linearFromHex("#8c8ca4"), backgroundBottom: linearFromHex("#4c4c62"), textureSeed: 505,
    },
    identity: { jawWidth: 0.7, noseWidth: 0.9, noseLength: -0.3, chinProtrusion: 0.4, neckThickness: 0.6 },
  },
  {
    name: "freya",
    description: "very fair skin, blond full hair, blue eyes, small nose, high cheekbones",
    appearance: {
      skin: linearFromHex("#f4d4c0"), skinVariation: 0.5, freckles: 0.15, lips: linearFromHex("#d08080"),
      hair: linearFromHex("#d8b878"), hairStyle: "full", iris: linearFromHex("#5a8ab8"), cloth: linearFromHex("#404040"),
      backgroundTop: linearFromHex("#a8b8c8"), backgroundBottom: linearFromHex("#687888"), textureSeed: 606,
    },
    identity: { noseLength: -0.5, noseWidth: -0.5, cheekboneHeight: 0.7, eyeSpacing: 0.3, chinLength: -0.3 },
  },
];

/** The subject used when none is named. */
export const DEFAULT_SUBJECT = "ada";

/** The built-in subject called `name`; an unknown name throws, listing the known ones. */
export function builtInSubject(name: string): BuiltInSubject {
  const s = BUILT_IN_SUBJECTS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown subject '${name}'; built-in subjects: ${BUILT_IN_SUBJECTS.map((x) => x.name).join(", ")}`);
  return s;
}

/**
 * A random subject from `seed`: skin tone along a natural range from very fair to
 * deep brown, hair and eye colours, hair style, freckles and a random face shape
 * (every identity parameter of `identityNames` drawn from N(0, 0.4^2), clamped to
 * [-1, 1]). The same seed gives the same subject.
 */
export function subjectFromSeed(seed: number, identityNames: readonly string[]): BuiltInSubject {
  const rng = new Random(seed * 7919 + 13);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const mix = (a: string, b: string, s: number): Vec3 => {
    const ca = linearFromHex(a), cb = linearFromHex(b);
    return [ca[0] + s * (cb[0] - ca[0]), ca[1] + s * (cb[1] - ca[1]), ca[2] + s * (cb[2] - ca[2])];
  };
  const tone = rng.uniform();
  const skin = tone < 0.5 ? mix("#f4d4c0", "#c4956c", tone * 2) : mix("#c4956c", "#4a2c1e", (tone - 0.5) * 2);
  const hair = pick(["#101010", "#2a1c14", "#5a3a22", "#8a3a1c", "#d8b878", "#9a9a9a"]);
  const identity: Record<string, number> = {};
  for (const name of identityNames) identity[name] = Math.max(-1, Math.min(1, 0.4 * rng.normal()));
  return {
    name: `seed-${seed}`,
    description: `random subject from seed ${seed}`,
    appearance: {
      skin,
      skinVariation: 0.3 + 0.4 * rng.uniform(),
      freckles: tone < 0.4 && rng.uniform() < 0.4 ? rng.uniform() : 0,
      lips: mix("#d08080", "#4a2a24", tone * 0.8 + 0.1 * rng.uniform()),
      hair: linearFromHex(hair),
      hairStyle: pick(["none", "short", "full", "full"] as const),
      iris: linearFromHex(pick(["#2a1a10", "#4a3020", "#5a7a4a", "#5a8ab8", "#6a6a5a"])),
      cloth: linearFromHex(pick(["#2c4a6e", "#6e2c2c", "#e0e0e0", "#404040", "#2e6e46", "#d8b040"])),
      backgroundTop: mix("#c8c8c0", "#7a9aa8", rng.uniform()),
      backgroundBottom: mix("#808078", "#405a66", rng.uniform()),
      textureSeed: seed,
    },
    identity,
  };
}
