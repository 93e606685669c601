import * as L from "./landmarks.js";
import { HeadPart, type HeadTopology } from "./topology.js";

/**
 * One parameter of the face model: a linear displacement field over the head.
 * `description` says what 1.0 does; displacements are in centimetres in the text
 * (the model itself is in metres). Coefficients are dimensionless; about [-1, 1]
 * is the intended range (gaze and blink included), and 0 is the template.
 */
export interface FaceParameter {
  readonly name: string;
  readonly description: string;
}

type V3 = [number, number, number];

/** A displacement field builder: fills `out` [V*3] (cm) from the template positions (cm). */
interface FieldContext {
  readonly pos: readonly V3[];
  readonly topo: HeadTopology;
  /** Eyeball centres (cm), right then left. */
  readonly eyes: readonly [V3, V3];
}

type Field = (ctx: FieldContext, out: Float64Array) => void;

const gauss = (d2: number, sigma: number): number => Math.exp(-d2 / (2 * sigma * sigma));
const dist2 = (a: readonly number[], b: readonly number[]): number => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};
const centroid = (pos: readonly V3[], idx: readonly number[]): V3 => {
  const c: V3 = [0, 0, 0];
  for (const i of idx) for (let k = 0; k < 3; k++) c[k] += pos[i][k] / idx.length;
  return c;
};

/** Parts that deform as skin (everything but the rigid eyeballs and teeth). */
function isSkin(part: number): boolean {
  return part <= HeadPart.mouth;
}

/**
 * Radial-basis envelope of a landmark group: 1 - prod(1 - g_k) over Gaussians of
 * width `sigma` (cm) at the group's points, so a group moves as one piece.
 */
function envelope(ctx: FieldContext, p: V3, group: readonly number[], sigma: number): number {
  let keep = 1;
  for (const i of group) keep *= 1 - gauss(dist2(p, ctx.pos[i]), sigma);
  return 1 - keep;
}

/**
 * A smooth field: every skin vertex moves by `disp(p) * envelope(p)`; eyeballs
 * move rigidly with the field at their centre; teeth follow per vertex with
 * `teeth` (default true) or stay.
 */
function groupField(group: readonly number[], sigma: number, disp: (p: V3) => V3, options: { teeth?: boolean; mask?: (v: number, p: V3) => number } = {}): Field {
  return (ctx, out) => {
    const { pos, topo } = ctx;
    const envAt = (p: V3): number => envelope(ctx, p, group, sigma);
    const eyeShift = ctx.eyes.map((c) => {
      const d = disp(c), e = envAt(c);
      return [d[0] * e, d[1] * e, d[2] * e];
    });
    for (let v = 0; v < pos.length; v++) {
      const part = topo.parts[v];
      if (part === HeadPart.eyeballRight || part === HeadPart.eyeballLeft) {
        out.set(eyeShift[part === HeadPart.eyeballRight ? 0 : 1], 3 * v);
        continue;
      }
      if (!isSkin(part) && !(options.teeth ?? true)) continue;
      const p = pos[v];
      const e = envAt(p) * (options.mask ? options.mask(v, p) : 1);
      if (e < 1e-6) continue;
      const d = disp(p);
      out[3 * v] += d[0] * e;
      out[3 * v + 1] += d[1] * e;
      out[3 * v + 2] += d[2] * e;
    }
  };
}

/** A field made of one field per side: the second is the first mirrored in x. */
function mirrored(make: (side: 1 | -1) => Field): Field {
  return (ctx, out) => {
    make(-1)(ctx, out);
    make(1)(ctx, out);
  };
}

/** Landmarks of one side: `right` for side -1 (subject's right, -x), `left` for +1. */
const side = <T>(s: 1 | -1, right: T, left: T): T => (s < 0 ? right : left);

/** A field that scales positions about `center` by `factor` along the axes in `axes`, with an envelope over the head. */
function scaleField(center: (ctx: FieldContext) => V3, factor: V3, weight: (v: number, p: V3, ctx: FieldContext) => number): Field {
  return (ctx, out) => {
    const c = center(ctx);
    const d = (p: V3): V3 => [(p[0] - c[0]) * factor[0], (p[1] - c[1]) * factor[1], (p[2] - c[2]) * factor[2]];
    for (let v = 0; v < ctx.pos.length; v++) {
      const part = ctx.topo.parts[v];
      const p = part === HeadPart.eyeballRight ? ctx.eyes[0] : part === HeadPart.eyeballLeft ? ctx.eyes[1] : ctx.pos[v];
      const w = weight(v, p, ctx);
      const dv = d(p);
      out[3 * v] += dv[0] * w;
      out[3 * v + 1] += dv[1] * w;
      out[3 * v + 2] += dv[2] * w;
    }
  };
}

/** Weight of the face region: 1 on the face mesh and its surroundings, fading over the skull. */
const faceWeight = (_v: number, p: V3): number => smoothstep(-3, 3, p[2]) * (1 - smoothstep(6, 10, p[1])) * (1 - smoothstep(-13, -17, -p[1]));

const eyeGroup = (s: 1 | -1): readonly number[] => side(s, [...L.RIGHT_EYE_LOWER, ...L.RIGHT_EYE_UPPER], [...L.LEFT_EYE_LOWER, ...L.LEFT_EYE_UPPER]);

interface ParameterDef extends FaceParameter {
  readonly field: Field;
}

/** Identity (shape) parameters. */
const IDENTITY: ParameterDef[] = [
  { name: "faceWidth", description: "1.0 widens the face by 1.2 cm (cheeks, jaw, eyes apart), fading over the skull.", field: scaleField(() => [0, 0, 0], [0.085, 0, 0], faceWeight) },
  { name: "faceHeight", description: "1.0 lengthens the face by about 1.5 cm below the eyes (chin down) and 0.5 cm above.", field: scaleField(() => [0, 1.5, 0], [0, 0.1, 0], (v, p) => faceWeight(v, p) * (p[1] < 1.5 ? 1 : 0.4)) },
  { name: "jawWidth", description: "1.0 moves each jaw angle (gonion) 0.7 cm outwards.", field: mirrored((s) => groupField(side(s, [172, 136, 58, 132], [397, 365, 288, 361]), 2.6, () => [0.7 * s, 0, 0])) },
  { name: "chinLength", description: "1.0 moves the chin 0.8 cm down.", field: groupField([152, 148, 176, 377, 400, 175, 199], 2.2, () => [0, -0.8, 0]) },
  { name: "chinProtrusion", description: "1.0 moves the chin 0.7 cm forward.", field: groupField([152, 148, 176, 377, 400, 175, 199], 2.0, () => [0, 0, 0.7]) },
  { name: "cheekboneWidth", description: "1.0 moves each cheekbone (zygoma) 0.6 cm outwards.", field: mirrored((s) => groupField(side(s, [116, 123, 117, 111, 34], [345, 352, 346, 340, 264]), 1.8, () => [0.6 * s, 0, 0])) },
  { name: "cheekboneHeight", description: "1.0 raises the cheekbones 0.5 cm and brings them 0.3 cm forward.", field: mirrored((s) => groupField(side(s, [116, 123, 117, 50], [345, 352, 346, 280]), 1.6, () => [0, 0.5, 0.3])) },
  { name: "noseLength", description: "1.0 moves the nose tip and base 0.5 cm down.", field: groupField([1, 4, 5, 19, 94, 2, 98, 327], 1.3, () => [0, -0.5, 0]) },
  { name: "noseWidth", description: "1.0 moves each nostril wing (ala) 0.35 cm outwards.", field: mirrored((s) => groupField(side(s, [48, 64, 98, 102, 129, 49], [278, 294, 327, 331, 358, 279]), 0.8, () => [0.35 * s, 0, 0])) },
  { name: "noseBridge", description: "1.0 raises the nasal bridge 0.4 cm forward.", field: groupField([6, 197, 195, 168], 1.0, () => [0, 0, 0.4]) },
  { name: "noseTip", description: "1.0 moves the nose tip 0.5 cm forward.", field: groupField([1, 4, 19], 0.9, () => [0, 0, 0.5]) },
  {
    name: "eyeSize", description: "1.0 enlarges each eye opening by 12% about its centre; the eyeball grows 5%.",
    field: mirrored((s) => (ctx, out) => {
      const c = ctx.eyes[s < 0 ? 0 : 1];
      const ballPart = s < 0 ? HeadPart.eyeballRight : HeadPart.eyeballLeft;
      const group = eyeGroup(s);
      for (let v = 0; v < ctx.pos.length; v++) {
        const p = ctx.pos[v], part = ctx.topo.parts[v];
        const k = part === ballPart ? 0.05 : isSkin(part) ? 0.12 * envelope(ctx, p, group, 0.6) : 0;
        for (let i = 0; i < 3; i++) out[3 * v + i] += k * (p[i] - c[i]) * (i === 2 && part !== ballPart ? 0.3 : 1);
      }
    }),
  },
  { name: "eyeSpacing", description: "1.0 moves each eye (and its lids) 0.35 cm outwards.", field: mirrored((s) => groupField(eyeGroup(s), 1.3, () => [0.35 * s, 0, 0], { teeth: false })) },
  { name: "eyeHeight", description: "1.0 moves both eyes (and lids) 0.4 cm up.", field: groupField([...eyeGroup(-1), ...eyeGroup(1)], 1.3, () => [0, 0.4, 0], { teeth: false }) },
  { name: "browHeight", description: "1.0 raises the eyebrows 0.5 cm.", field: groupField([...L.RIGHT_BROW_INNER, ...L.RIGHT_BROW_OUTER, ...L.RIGHT_BROW_MIDDLE, ...L.LEFT_BROW_INNER, ...L.LEFT_BROW_OUTER, ...L.LEFT_BROW_MIDDLE], 0.9, () => [0, 0.5, 0], { teeth: false }) },
  { name: "browProtrusion", description: "1.0 brings the brow ridge 0.45 cm forward.", field: groupField([...L.RIGHT_BROW_INNER, ...L.RIGHT_BROW_MIDDLE, ...L.LEFT_BROW_INNER, ...L.LEFT_BROW_MIDDLE, 9, 8], 1.2, () => [0, 0, 0.45], { teeth: false }) },
  {
    name: "mouthWidth", description: "1.0 widens the mouth by 0.8 cm (each corner 0.4 cm out).",
    field: groupField([...L.LIPS_UPPER_OUTER, ...L.LIPS_LOWER_OUTER], 1.0, (p) => [Math.max(-1, Math.min(1, p[0] / 2.2)) * 0.4, 0, 0]),
  },
  { name: "upperLipThickness", description: "1.0 moves the upper lip's outer contour 0.2 cm up and 0.15 cm forward.", field: groupField(L.LIPS_UPPER_OUTER.slice(1, -1), 0.45, () => [0, 0.2, 0.15], { teeth: false }) },
  { name: "lowerLipThickness", description: "1.0 moves the lower lip's outer contour 0.2 cm down and 0.15 cm forward.", field: groupField(L.LIPS_LOWER_OUTER.slice(1, -1), 0.45, () => [0, -0.2, 0.15], { teeth: false }) },
  { name: "foreheadHeight", description: "1.0 raises the top of the forehead and the crown by 1 cm.", field: scaleField(() => [0, 3, 0], [0, 0.12, 0], (_v, p) => smoothstep(3, 7, p[1])) },
  { name: "foreheadSlope", description: "1.0 tilts the upper forehead back: 1 cm back at the hairline.", field: groupField([10, 109, 338, 67, 297, 151, 108, 337], 2.2, (p) => [0, 0, -1 * smoothstep(2, 6, p[1])], { teeth: false }) },
  { name: "headLength", description: "1.0 lengthens the back of the head by 1.5 cm.", field: scaleField(() => [0, 0, -1], [0, 0, 0.16], (_v, p) => smoothstep(-2, -7, p[2]) * smoothstep(-16, -8, p[1])) },
  { name: "headWidth", description: "1.0 widens the skull by 1.2 cm above and behind the ears.", field: scaleField(() => [0, 0, 0], [0.08, 0, 0], (v, p, ctx) => (ctx.topo.parts[v] === HeadPart.skull ? smoothstep(-6, 0, p[1]) * smoothstep(2, -3, p[2]) : 0)) },
  { name: "neckThickness", description: "1.0 thickens the neck by 1.2 cm in diameter.", field: scaleField(() => [0, 0, -1], [0.11, 0, 0.11], (v, p, ctx) => (ctx.topo.parts[v] === HeadPart.skull ? smoothstep(-10, -15, p[1]) : 0)) },
  { name: "cheekFullness", description: "1.0 pushes the soft cheeks 0.45 cm outwards (and slightly forward).", field: mirrored((s) => groupField(side(s, [50, 205, 187, 147, 123], [280, 425, 411, 376, 352]), 1.5, () => [0.4 * s, 0, 0.2], { teeth: false })) },
  { name: "faceDepth", description: "1.0 deepens the face: nose, mouth and chin 0.6 cm further forward than the cheeks.", field: scaleField(() => [0, 0, 1.5], [0, 0, 0.1], (_v, p) => faceWeight(_v, p) * smoothstep(3, 6, p[2]) * (1 - smoothstep(3.5, 6, Math.abs(p[0])))) },
];

/** Linearized rotation about `axis` (unit) through `pivot` by `angle`: angle * axis x (p - pivot). */
function rotationField(p: V3, pivot: V3, axis: V3, angle: number): V3 {
  const r: V3 = [p[0] - pivot[0], p[1] - pivot[1], p[2] - pivot[2]];
  return [angle * (axis[1] * r[2] - axis[2] * r[1]), angle * (axis[2] * r[0] - axis[0] * r[2]), angle * (axis[0] * r[1] - axis[1] * r[0])];
}

/**
 * Lid closure of one eye: contour points move to meeting points a quarter of the
 * way up from the lower lid (`lowerShare`), pushed out onto the eyeball's surface
 * plus 1 mm; the lid skin around follows with a normalized radial-basis blend.
 */
function lidField(s: 1 | -1, upperFraction: number, lowerFraction: number, meet = true): Field {
  return (ctx, out) => {
    const upper: readonly number[] = side<readonly number[]>(s, L.RIGHT_EYE_UPPER, L.LEFT_EYE_UPPER);
    const lower: readonly number[] = side<readonly number[]>(s, L.RIGHT_EYE_LOWER, L.LEFT_EYE_LOWER).slice(1, -1);
    const corners = side(s, [33, 133], [263, 362]);
    const c = ctx.eyes[s < 0 ? 0 : 1];
    const shell = ctx.topo.eyeRadius * 100 + 0.1;
    const handles: { v: number; d: V3 }[] = [];
    upper.forEach((u, k) => {
      const l = lower[k];
      const pu = ctx.pos[u], pl = ctx.pos[l];
      let m: V3 = [pl[0] + 0.25 * (pu[0] - pl[0]), pl[1] + 0.25 * (pu[1] - pl[1]), pl[2] + 0.25 * (pu[2] - pl[2])];
      const r = Math.sqrt(dist2(m, c));
      if (r < shell) m = [c[0] + ((m[0] - c[0]) * shell) / r, c[1] + ((m[1] - c[1]) * shell) / r, c[2] + ((m[2] - c[2]) * shell) / r];
      const du: V3 = [m[0] - pu[0], m[1] - pu[1], m[2] - pu[2]];
      const dl: V3 = [m[0] - pl[0], m[1] - pl[1], m[2] - pl[2]];
      if (meet) {
        handles.push({ v: u, d: du.map((x) => x * upperFraction) as V3 });
        handles.push({ v: l, d: dl.map((x) => x * lowerFraction) as V3 });
      } else {
        // Squint: each lid moves by its fraction of the opening, towards the other.
        const gap: V3 = [pl[0] - pu[0], pl[1] - pu[1], pl[2] - pu[2]];
        handles.push({ v: u, d: gap.map((x) => x * upperFraction) as V3 });
        handles.push({ v: l, d: gap.map((x) => -x * lowerFraction) as V3 });
      }
    });
    for (const v of corners) handles.push({ v, d: [0, 0, 0] });
    const sigma = 0.45;
    const ballPart = s < 0 ? HeadPart.eyeballRight : HeadPart.eyeballLeft;
    const exact = new Map(handles.map((h) => [h.v, h.d]));
    for (let v = 0; v < ctx.pos.length; v++) {
      const part = ctx.topo.parts[v];
      if (!isSkin(part) || part === ballPart) continue;
      const hd = exact.get(v);
      if (hd) {
        for (let i = 0; i < 3; i++) out[3 * v + i] += hd[i];
        continue;
      }
      const p = ctx.pos[v];
      let ws = 0, env = 1;
      const acc: V3 = [0, 0, 0];
      for (const h of handles) {
        const g = gauss(dist2(p, ctx.pos[h.v]), sigma);
        ws += g;
        env *= 1 - g;
        for (let i = 0; i < 3; i++) acc[i] += g * h.d[i];
      }
      if (ws < 1e-9) continue;
      const e = 1 - env;
      for (let i = 0; i < 3; i++) out[3 * v + i] += (acc[i] / ws) * e;
    }
  };
}

/** Jaw pivot (cm, model frame): near the jaw joints, below and in front of the ears. */
const JAW_PIVOT: V3 = [0, -4.0, -1.0];
/** Jaw rotation at jawOpen = 1 (radians), and the forward glide of the condyles that goes with it (cm). */
const JAW_ANGLE = 0.25;
const JAW_GLIDE = 0.6;

const jawMask = (topo: HeadTopology) => (v: number): number => topo.jawWeights[v];
const upperMask = (topo: HeadTopology) => (v: number): number => 1 - topo.jawWeights[v];
const mouthCorner = (s: 1 | -1): readonly number[] => side(s, [61, 78, 62, 76], [291, 308, 292, 306]);

/** Gaze rotation: 1.0 is 30 degrees. */
const GAZE_ANGLE = Math.PI / 6;

function gazeField(axis: V3): Field {
  return (ctx, out) => {
    for (let v = 0; v < ctx.pos.length; v++) {
      const part = ctx.topo.parts[v];
      if (part !== HeadPart.eyeballRight && part !== HeadPart.eyeballLeft) continue;
      const d = rotationField(ctx.pos[v], ctx.eyes[part === HeadPart.eyeballRight ? 0 : 1], axis, GAZE_ANGLE);
      out.set(d, 3 * v);
    }
  };
}

const withMask = (f: (topo: HeadTopology) => (v: number) => number) => (ctxMask: FieldContext) => f(ctxMask.topo);

/** Expression parameters. "Left"/"Right" are the subject's (Left is +x). */
const EXPRESSION: ParameterDef[] = [
  {
    name: "jawOpen",
    description: "1.0 opens the jaw by 0.25 rad (about 14 degrees, linearized) about an axis near the jaw joints, with a 0.6 cm forward glide: the chin drops about 2.5 cm. The lower lip, lower teeth and the lower mouth cavity follow.",
    field: (ctx, out) => {
      for (let v = 0; v < ctx.pos.length; v++) {
        const w = ctx.topo.jawWeights[v];
        if (w === 0) continue;
        const d = rotationField(ctx.pos[v], JAW_PIVOT, [1, 0, 0], JAW_ANGLE);
        out[3 * v] += w * d[0];
        out[3 * v + 1] += w * d[1];
        out[3 * v + 2] += w * (d[2] + JAW_GLIDE);
      }
    },
  },
  {
    name: "lipPucker", description: "1.0 gathers the lips: 35% narrower towards the mouth's centre and 0.6 cm forward.",
    field: (ctx, out) => {
      const c = centroid(ctx.pos, [13, 14]);
      groupField([...L.LIPS_UPPER_OUTER, ...L.LIPS_LOWER_OUTER, ...L.LIPS_UPPER_INNER], 0.9, (p) => [-0.35 * (p[0] - c[0]), -0.15 * (p[1] - c[1]), 0.6], { teeth: false })(ctx, out);
    },
  },
  { name: "lipStretchLeft", description: "1.0 pulls the left mouth corner 0.7 cm outwards and 0.2 cm back.", field: groupField(mouthCorner(1), 1.1, () => [0.7, -0.05, -0.2], { teeth: false }) },
  { name: "lipStretchRight", description: "1.0 pulls the right mouth corner 0.7 cm outwards and 0.2 cm back.", field: groupField(mouthCorner(-1), 1.1, () => [-0.7, -0.05, -0.2], { teeth: false }) },
  { name: "mouthCornerUpLeft", description: "1.0 (half a smile) lifts the left mouth corner 0.6 cm, 0.4 cm out and 0.3 cm back; the cheek rises a little.", field: groupField(mouthCorner(1), 1.2, () => [0.4, 0.6, -0.3], { teeth: false }) },
  { name: "mouthCornerUpRight", description: "1.0 lifts the right mouth corner 0.6 cm, 0.4 cm out and 0.3 cm back.", field: groupField(mouthCorner(-1), 1.2, () => [-0.4, 0.6, -0.3], { teeth: false }) },
  { name: "mouthCornerDownLeft", description: "1.0 pulls the left mouth corner 0.55 cm down and 0.15 cm out.", field: groupField(mouthCorner(1), 1.1, () => [0.15, -0.55, 0], { teeth: false }) },
  { name: "mouthCornerDownRight", description: "1.0 pulls the right mouth corner 0.55 cm down and 0.15 cm out.", field: groupField(mouthCorner(-1), 1.1, () => [-0.15, -0.55, 0], { teeth: false }) },
  {
    name: "upperLipRaise", description: "1.0 lifts the upper lip 0.4 cm (showing the upper teeth).",
    field: (ctx, out) => groupField([0, 37, 267, 13, 82, 312, 11, 12], 0.9, () => [0, 0.4, 0.05], { teeth: false, mask: withMask(upperMask)(ctx) })(ctx, out),
  },
  {
    name: "lowerLipDepress", description: "1.0 pulls the lower lip 0.45 cm down and 0.1 cm forward.",
    field: (ctx, out) => groupField([17, 84, 314, 14, 87, 317, 16, 15], 0.9, () => [0, -0.45, 0.1], { teeth: false, mask: withMask(jawMask)(ctx) })(ctx, out),
  },
  { name: "cheekPuff", description: "1.0 puffs both cheeks 0.8 cm outwards.", field: mirrored((s) => groupField(side(s, [50, 205, 187, 147, 207, 216], [280, 425, 411, 376, 427, 436]), 1.2, () => [0.7 * s, 0, 0.35], { teeth: false })) },
  { name: "blinkLeft", description: "1.0 closes the left eye: the upper lid meets the lower lid (contours under 0.1 mm apart).", field: lidField(1, 1, 1) },
  { name: "blinkRight", description: "1.0 closes the right eye.", field: lidField(-1, 1, 1) },
  { name: "browInnerRaise", description: "1.0 raises the inner ends of both brows 0.6 cm.", field: groupField([...L.RIGHT_BROW_INNER, ...L.LEFT_BROW_INNER], 1.0, () => [0, 0.6, 0], { teeth: false }) },
  { name: "browOuterRaiseLeft", description: "1.0 raises the outer end of the left brow 0.6 cm.", field: groupField(L.LEFT_BROW_OUTER, 1.1, () => [0, 0.6, 0], { teeth: false }) },
  { name: "browOuterRaiseRight", description: "1.0 raises the outer end of the right brow 0.6 cm.", field: groupField(L.RIGHT_BROW_OUTER, 1.1, () => [0, 0.6, 0], { teeth: false }) },
  { name: "browLower", description: "1.0 lowers both brows 0.45 cm and draws them 0.2 cm together.", field: mirrored((s) => groupField(side(s, [...L.RIGHT_BROW_INNER, ...L.RIGHT_BROW_MIDDLE, ...L.RIGHT_BROW_OUTER], [...L.LEFT_BROW_INNER, ...L.LEFT_BROW_MIDDLE, ...L.LEFT_BROW_OUTER]), 0.9, () => [-0.2 * s, -0.45, 0], { teeth: false })) },
  { name: "squintLeft", description: "1.0 narrows the left eye: the lower lid rises by 30% of the opening, the upper lid drops 10%.", field: lidField(1, 0.1, 0.3, false) },
  { name: "squintRight", description: "1.0 narrows the right eye.", field: lidField(-1, 0.1, 0.3, false) },
  { name: "gazeYaw", description: "1.0 turns both eyeballs 30 degrees (linearized) towards +x, the subject's left.", field: gazeField([0, 1, 0]) },
  { name: "gazePitch", description: "1.0 turns both eyeballs 30 degrees (linearized) up.", field: gazeField([-1, 0, 0]) },
];

/** Identity parameter names and meanings, in basis order. */
export const IDENTITY_PARAMETERS: readonly FaceParameter[] = IDENTITY.map(({ name, description }) => ({ name, description }));
/** Expression parameter names and meanings, in basis order. */
export const EXPRESSION_PARAMETERS: readonly FaceParameter[] = EXPRESSION.map(({ name, description }) => ({ name, description }));

/**
 * The displacement bases, metres per unit coefficient: identity [I, 3V] and
 * expression [E, 3V], row-major (row = parameter, columns x, y, z per vertex).
 */
export function buildBases(topo: HeadTopology): { identity: Float32Array; expression: Float32Array } {
  const pos: V3[] = [];
  for (let v = 0; v < topo.numVertices; v++) {
    pos.push([topo.templateVertices[3 * v] * 100, topo.templateVertices[3 * v + 1] * 100, topo.templateVertices[3 * v + 2] * 100]);
  }
  const eyes = topo.eyeCenters.map((c) => [c[0] * 100, c[1] * 100, c[2] * 100] as V3) as [V3, V3];
  const ctx: FieldContext = { pos, topo, eyes };
  const build = (defs: ParameterDef[]): Float32Array => {
    const n = 3 * topo.numVertices;
    const out = new Float32Array(defs.length * n);
    defs.forEach((def, k) => {
      const field = new Float64Array(n);
      def.field(ctx, field);
      for (let i = 0; i < n; i++) out[k * n + i] = field[i] * 0.01;
    });
    return out;
  };
  return { identity: build(IDENTITY), expression: build(EXPRESSION) };
}
