import { readFileSync } from "node:fs";
import {
  LEFT_EYE_LOWER, LEFT_EYE_RING1, LEFT_EYE_UPPER, LIPS_LOWER_INNER, LIPS_LOWER_OUTER, LIPS_MIDDLE, LIPS_UPPER_INNER,
  LIPS_UPPER_OUTER, RIGHT_EYE_LOWER, RIGHT_EYE_RING1, RIGHT_EYE_UPPER,
} from "./landmarks.js";

/**
 * Per-vertex region labels of the head ({@link HeadTopology.regions}). Renderers
 * colour by them; trackers and priors mask by them.
 */
export enum FaceRegion {
  /** Skin of the MediaPipe face mesh (forehead, cheeks, nose, chin, jaw). */
  faceSkin = 0,
  /** Lips: between the outer and inner lip contours. */
  lips = 1,
  /** Eyelids: the lid contours and the first ring of skin around them. */
  eyelids = 2,
  /** The pocket behind each eye opening (conjunctiva); seen only at the eye corners. */
  eyeSocket = 3,
  /** The cavity behind the inner lip contour; render it dark. */
  mouthInterior = 4,
  /** Upper and lower teeth rows. */
  teeth = 5,
  /** The white of the eyeball (sclera). */
  eyeball = 6,
  /** The iris ring of the eyeball (the cornea in front of it is not modelled separately). */
  iris = 7,
  /** The pupil disc at the front of the eyeball. */
  pupil = 8,
  /** The skull behind the face mesh, above the hairline: where hair grows. */
  scalp = 9,
  /** Skin of the skull below the hairline (around the ears), the under-jaw and the neck. */
  neck = 10,
}

/** Per-triangle material ids ({@link HeadTopology.materials}). */
export enum FaceMaterial {
  skin = 0,
  lips = 1,
  scalp = 2,
  eyeSocket = 3,
  mouthInterior = 4,
  teeth = 5,
  sclera = 6,
  iris = 7,
  pupil = 8,
}

/** Which part of the head a vertex belongs to, for building the deformation bases. */
export enum HeadPart {
  face = 0,
  skull = 1,
  eyeSocketRight = 2,
  eyeSocketLeft = 3,
  mouth = 4,
  eyeballRight = 5,
  eyeballLeft = 6,
  teethUpper = 7,
  teethLower = 8,
}

/**
 * The head mesh in its template shape. Frame: metres, origin near the centre of
 * the head, x right as seen from a front camera (the subject's left), y up, z
 * forward out of the face. Vertices 0..467 are MediaPipe's canonical face mesh in
 * MediaPipe's order; the skull and neck, eye sockets, mouth cavity, eyeballs and
 * teeth follow. Triangles are counter-clockwise seen from outside.
 */
export interface HeadTopology {
  readonly numVertices: number;
  /** Template positions, packed [V*3], metres. */
  readonly templateVertices: Float32Array;
  /** Vertex indices, three per triangle [T*3]. */
  readonly triangles: Uint32Array;
  /** Texture coordinates [V*2]: MediaPipe's UV layout on the face mesh; a spherical chart about the head centre on the skull, neck, mouth and teeth; on eyeballs u = polar angle from the gaze axis / pi, v = azimuth / 2pi. Pick the chart with `regions`. */
  readonly uvs: Float32Array;
  /** {@link FaceRegion} of every vertex [V]. */
  readonly regions: Uint8Array;
  /** {@link FaceMaterial} of every triangle [T]. */
  readonly materials: Uint8Array;
  /** {@link HeadPart} of every vertex [V]. */
  readonly parts: Uint8Array;
  /** Vertex indices of the 478 landmarks: 0..467, then the 10 iris points. */
  readonly landmarkVertices: Int32Array;
  /** Eyeball centres (right, then left), metres, and the eyeball radius. */
  readonly eyeCenters: readonly [readonly [number, number, number], readonly [number, number, number]];
  readonly eyeRadius: number;
  /** How much each vertex follows the jaw, in [0, 1] [V]. */
  readonly jawWeights: Float32Array;
  /** Number of triangles of the skin surface (face, skull, neck, eye sockets, mouth cavity): the closed surface of the head. Eyeballs and teeth are separate closed meshes. */
  readonly skinTriangleCount: number;
}

/** Head centre in the canonical mesh's frame (cm): where the model's origin goes. */
const HEAD_ORIGIN_CM = [0, 2.5, -4.0] as const;
/** Eyeball radius (cm): an adult eye is about 24 mm across. */
const EYE_RADIUS_CM = 1.2;

type V3 = [number, number, number];

const sub = (a: readonly number[], b: readonly number[]): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const len = (a: readonly number[]): number => Math.hypot(a[0], a[1], a[2]);
const scale = (a: readonly number[], s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
const norm = (a: readonly number[]): V3 => scale(a, 1 / len(a));
const dot = (a: readonly number[], b: readonly number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Spherical interpolation between unit vectors. */
function slerp(a: V3, b: V3, t: number): V3 {
  const cos = Math.min(1, Math.max(-1, dot(a, b)));
  const ang = Math.acos(cos);
  if (ang < 1e-9) return a;
  const s = Math.sin(ang);
  const wa = Math.sin((1 - t) * ang) / s, wb = Math.sin(t * ang) / s;
  return norm([a[0] * wa + b[0] * wb, a[1] * wa + b[1] * wb, a[2] * wa + b[2] * wb]);
}

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Polynomial smooth maximum (Quilez) with blend width k. */
function smoothMax(a: number, b: number, k: number): number {
  const h = Math.min(1, Math.max(0, 0.5 + (0.5 * (a - b)) / k));
  return b + (a - b) * h + k * h * (1 - h);
}

/** Distance from the origin (inside) along unit `d` to the ellipsoid with centre `c` and semi-axes `r`. */
function rayEllipsoid(d: V3, c: readonly number[], r: readonly number[]): number {
  let a = 0, b = 0, cc = -1;
  for (let i = 0; i < 3; i++) {
    const o = -c[i] / r[i], dd = d[i] / r[i];
    a += dd * dd;
    b += o * dd;
    cc += o * o;
  }
  return (-b + Math.sqrt(b * b - a * cc)) / a;
}

/** Working mesh under construction (cm, head-centred frame). */
class Builder {
  readonly pos: V3[] = [];
  readonly uv: [number, number][] = [];
  readonly region: FaceRegion[] = [];
  readonly part: HeadPart[] = [];
  readonly tris: number[] = [];
  readonly triMaterial: FaceMaterial[] = [];

  add(p: V3, region: FaceRegion, part: HeadPart, uv: [number, number] = sphericalUv(p)): number {
    this.pos.push(p);
    this.uv.push(uv);
    this.region.push(region);
    this.part.push(part);
    return this.pos.length - 1;
  }

  tri(a: number, b: number, c: number, material: FaceMaterial): void {
    this.tris.push(a, b, c);
    this.triMaterial.push(material);
  }
}

function sphericalUv(p: V3): [number, number] {
  const r = len(p) || 1;
  return [0.5 + Math.atan2(p[0], p[2]) / (2 * Math.PI), 0.5 + Math.asin(Math.max(-1, Math.min(1, p[1] / r))) / Math.PI];
}

/**
 * Closes the boundary loop `rim` (vertex indices in the winding order of the
 * triangles beside it) with rings of new vertices converging to a pole. `path(k, s)`
 * gives the point at fraction s in (0, 1) of the way from rim entry k to the pole;
 * with `subdivide`, the rings have twice the rim's vertices (entry 2k+1 starts at
 * the middle of rim edge k), so the far side of a large cap is not coarse.
 */
function buildCap(options: {
  b: Builder;
  rim: readonly number[];
  numRings: number;
  subdivide: boolean;
  path: (start: V3, s: number) => V3;
  pole: V3;
  label: (p: V3, start: V3, s: number) => FaceRegion;
  part: HeadPart;
  material: (a: FaceRegion, b: FaceRegion, c: FaceRegion) => FaceMaterial;
  equalArcLength?: boolean;
}): { rings: number[][]; pole: number } {
  const { b, rim, numRings, subdivide, path, label, part, material } = options;
  const n = rim.length;
  const starts: V3[] = [];
  for (let k = 0; k < n; k++) {
    const p = b.pos[rim[k]];
    starts.push(p);
    if (subdivide) {
      const q = b.pos[rim[(k + 1) % n]];
      starts.push([(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2]);
    }
  }
  const m = starts.length;
  // Ring parameters per entry: uniform in s, or uniform in arc length along the path.
  const params = starts.map((start) => {
    const uniform = Array.from({ length: numRings }, (_, r) => (r + 1) / (numRings + 1));
    if (!options.equalArcLength) return uniform;
    const samples = 400;
    const cum = [0];
    let prev = start;
    for (let i = 1; i <= samples; i++) {
      const s = i / samples;
      const p = i === samples ? options.pole : path(start, s);
      cum.push(cum[i - 1] + len(sub(p, prev)));
      prev = p;
    }
    const total = cum[samples];
    return uniform.map((f) => {
      const target = f * total;
      let i = 1;
      while (i < samples && cum[i] < target) i++;
      const t = (target - cum[i - 1]) / Math.max(1e-12, cum[i] - cum[i - 1]);
      return (i - 1 + t) / samples;
    });
  });
  const rings: number[][] = [];
  for (let r = 0; r < numRings; r++) {
    rings.push(starts.map((start, k) => {
      const s = params[k][r];
      const p = path(start, s);
      return b.add(p, label(p, start, s), part);
    }));
  }
  const pole = b.add(options.pole, label(options.pole, options.pole, 1), part);
  const mat = (x: number, y: number, z: number): FaceMaterial => material(b.region[x], b.region[y], b.region[z]);
  const quad = (i: number, j: number, i2: number, j2: number): void => {
    b.tri(j, i, i2, mat(j, i, i2));
    b.tri(j, i2, j2, mat(j, i2, j2));
  };
  const first = rings[0];
  for (let k = 0; k < n; k++) {
    const i = rim[k], j = rim[(k + 1) % n];
    if (subdivide) {
      const a = first[2 * k], mid = first[2 * k + 1], c = first[(2 * k + 2) % m];
      b.tri(j, i, a, mat(j, i, a));
      b.tri(j, a, mid, mat(j, a, mid));
      b.tri(j, mid, c, mat(j, mid, c));
    } else {
      quad(i, j, first[k], first[(k + 1) % m]);
    }
  }
  for (let r = 0; r + 1 < numRings; r++) {
    for (let k = 0; k < m; k++) quad(rings[r][k], rings[r][(k + 1) % m], rings[r + 1][k], rings[r + 1][(k + 1) % m]);
  }
  const last = rings[numRings - 1];
  for (let k = 0; k < m; k++) {
    const i = last[k], j = last[(k + 1) % m];
    b.tri(j, i, pole, mat(j, i, pole));
  }
  return { rings, pole };
}

/** Boundary loops (edges used by one triangle), each in the winding order of its triangles. */
export function boundaryLoops(triangles: ArrayLike<number>): number[][] {
  const count = new Map<string, number>();
  const key = (a: number, b: number): string => (a < b ? `${a},${b}` : `${b},${a}`);
  for (let t = 0; t < triangles.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const k = key(triangles[t + e], triangles[t + ((e + 1) % 3)]);
      count.set(k, (count.get(k) ?? 0) + 1);
    }
  }
  const next = new Map<number, number>();
  for (let t = 0; t < triangles.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = triangles[t + e], c = triangles[t + ((e + 1) % 3)];
      if (count.get(key(a, c)) === 1) next.set(a, c);
    }
  }
  const seen = new Set<number>();
  const loops: number[][] = [];
  for (const start of next.keys()) {
    if (seen.has(start)) continue;
    const loop = [start];
    seen.add(start);
    for (let v = next.get(start)!; v !== start; v = next.get(v)!) {
      loop.push(v);
      seen.add(v);
    }
    loops.push(loop);
  }
  return loops;
}

/**
 * Removes the triangles enclosed by the closed contour `loop` (a cycle of mesh
 * edges): flood-fills across edges not on the contour from the triangle holding
 * `outsideVertex`; whatever the fill cannot reach lies inside.
 */
function cutInside(triangles: number[], loop: readonly number[], outsideVertex: number): number[] {
  const barrier = new Set<string>();
  const key = (a: number, b: number): string => (a < b ? `${a},${b}` : `${b},${a}`);
  for (let k = 0; k < loop.length; k++) barrier.add(key(loop[k], loop[(k + 1) % loop.length]));
  const numTris = triangles.length / 3;
  const byEdge = new Map<string, number[]>();
  for (let t = 0; t < numTris; t++) {
    for (let e = 0; e < 3; e++) {
      const k = key(triangles[3 * t + e], triangles[3 * t + ((e + 1) % 3)]);
      const list = byEdge.get(k) ?? [];
      list.push(t);
      byEdge.set(k, list);
    }
  }
  let seed = -1;
  for (let t = 0; t < numTris && seed < 0; t++) if ([0, 1, 2].some((e) => triangles[3 * t + e] === outsideVertex)) seed = t;
  const reached = new Uint8Array(numTris);
  const stack = [seed];
  reached[seed] = 1;
  while (stack.length) {
    const t = stack.pop()!;
    for (let e = 0; e < 3; e++) {
      const k = key(triangles[3 * t + e], triangles[3 * t + ((e + 1) % 3)]);
      if (barrier.has(k)) continue;
      for (const u of byEdge.get(k)!) {
        if (!reached[u]) {
          reached[u] = 1;
          stack.push(u);
        }
      }
    }
  }
  const kept: number[] = [];
  for (let t = 0; t < numTris; t++) if (reached[t]) kept.push(triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]);
  return kept;
}

/** The closed contour of an eye opening or the mouth: lower half, then upper half backwards. */
function contourLoop(lower: readonly number[], upper: readonly number[], withCorners: boolean): number[] {
  const up = withCorners ? upper.slice(1, -1) : upper;
  return [...lower, ...[...up].reverse()];
}

/** Checks that the boundary loop `oriented` runs through exactly the contour `set`; returns it (in its winding order). */
function matchLoop(oriented: readonly number[], set: readonly number[]): number[] {
  const a = new Set(set);
  if (oriented.length !== set.length || !oriented.every((v) => a.has(v))) {
    throw new Error(`face topology: a boundary loop (${oriented.length} vertices) is not the expected contour (${set.length})`);
  }
  return [...oriented];
}

interface Canonical {
  vertices: number[];
  uvs: number[];
  triangles: number[];
}

function loadCanonical(): Canonical {
  const url = new URL("../../assets/face-mesh-canonical.json", import.meta.url);
  const data = JSON.parse(readFileSync(url, "utf8")) as Canonical;
  if (data.vertices.length !== 468 * 3 || data.triangles.length !== 898 * 3) {
    throw new Error("face topology: assets/face-mesh-canonical.json is not the 468-vertex, 898-triangle canonical mesh");
  }
  return data;
}

/**
 * Jaw weights on the face mesh: 1 on the lower lip and chin, 0 on the upper lip
 * and everything above, harmonic in between (Jacobi iterations of the graph
 * Laplacian with those values held), so the cut mouth opening separates the lips.
 */
function faceJawWeights(numVertices: number, triangles: readonly number[], pos: readonly V3[]): Float64Array {
  const nbrs: Set<number>[] = Array.from({ length: numVertices }, () => new Set<number>());
  for (let t = 0; t < triangles.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = triangles[t + e], c = triangles[t + ((e + 1) % 3)];
      nbrs[a].add(c);
      nbrs[c].add(a);
    }
  }
  const fixed = new Map<number, number>();
  for (const v of LIPS_LOWER_INNER.slice(1, -1)) fixed.set(v, 1);
  for (const v of LIPS_UPPER_INNER.slice(1, -1)) fixed.set(v, 0);
  // Jawline of the rim: the mandible's ramus fades in towards the chin.
  const jawline: [number, number][] = [[93, 0], [132, 0.15], [58, 0.45], [172, 0.75], [136, 0.95], [150, 1], [149, 1], [176, 1], [148, 1], [152, 1]];
  const mirror: Record<number, number> = { 93: 323, 132: 361, 58: 288, 172: 397, 136: 365, 150: 379, 149: 378, 176: 400, 148: 377, 152: 152 };
  for (const [v, w] of jawline) {
    fixed.set(v, w);
    fixed.set(mirror[v], w);
  }
  // Everything at or above the nose base and the cheekbones stays.
  for (let v = 0; v < numVertices; v++) if (pos[v][1] > pos[2][1] + 0.2) fixed.set(v, 0);
  const w = new Float64Array(numVertices).fill(0.5);
  for (const [v, x] of fixed) w[v] = x;
  for (let it = 0; it < 800; it++) {
    for (let v = 0; v < numVertices; v++) {
      if (fixed.has(v) || nbrs[v].size === 0) continue;
      let s = 0;
      for (const u of nbrs[v]) s += w[u];
      w[v] = s / nbrs[v].size;
    }
  }
  return w;
}

/** Cached topology. */
let cached: HeadTopology | null = null;

/** Builds (once) and returns the head topology. Deterministic: same input, same mesh. */
export function buildHeadTopology(): HeadTopology {
  if (cached) return cached;
  const canon = loadCanonical();
  const b = new Builder();
  const lipSet = new Set<number>([...LIPS_UPPER_INNER, ...LIPS_LOWER_INNER, ...LIPS_UPPER_OUTER, ...LIPS_LOWER_OUTER, ...LIPS_MIDDLE]);
  const lidSet = new Set<number>([...RIGHT_EYE_LOWER, ...RIGHT_EYE_UPPER, ...LEFT_EYE_LOWER, ...LEFT_EYE_UPPER, ...RIGHT_EYE_RING1, ...LEFT_EYE_RING1]);
  for (let v = 0; v < 468; v++) {
    const p: V3 = [canon.vertices[3 * v] - HEAD_ORIGIN_CM[0], canon.vertices[3 * v + 1] - HEAD_ORIGIN_CM[1], canon.vertices[3 * v + 2] - HEAD_ORIGIN_CM[2]];
    const region = lipSet.has(v) ? FaceRegion.lips : lidSet.has(v) ? FaceRegion.eyelids : FaceRegion.faceSkin;
    b.add(p, region, HeadPart.face, [canon.uvs[2 * v], canon.uvs[2 * v + 1]]);
  }
  // The canonical mesh covers the eyes and mouth: cut them open along the lid and inner-lip contours.
  let faceTris = canon.triangles.slice();
  const rightEye = contourLoop(RIGHT_EYE_LOWER, RIGHT_EYE_UPPER, false);
  const leftEye = contourLoop(LEFT_EYE_LOWER, LEFT_EYE_UPPER, false);
  const mouth = contourLoop(LIPS_LOWER_INNER, LIPS_UPPER_INNER, true);
  for (const loop of [rightEye, leftEye, mouth]) faceTris = cutInside(faceTris, loop, 10);
  const loops = boundaryLoops(faceTris);
  const findLoop = (contains: number): number[] => {
    const l = loops.find((x) => x.includes(contains));
    if (!l) throw new Error(`face topology: no boundary loop through vertex ${contains}`);
    return l;
  };
  const outer = findLoop(10);
  const rightEyeLoop = matchLoop(findLoop(159), rightEye);
  const leftEyeLoop = matchLoop(findLoop(386), leftEye);
  const mouthLoop = matchLoop(findLoop(13), mouth);
  if (loops.length !== 4) throw new Error(`face topology: expected 4 boundary loops after cutting, found ${loops.length}`);
  for (let t = 0; t < faceTris.length; t += 3) {
    const rs = [faceTris[t], faceTris[t + 1], faceTris[t + 2]].map((v) => b.region[v]);
    b.tri(faceTris[t], faceTris[t + 1], faceTris[t + 2], rs.every((r) => r === FaceRegion.lips) ? FaceMaterial.lips : FaceMaterial.skin);
  }

  // ---- skull and neck: rings from the face's outer boundary to a pole at the back ----
  const skullCenter: V3 = [0, 0.5, -0.5];
  const skullAxes: V3 = [7.5, 10.6, 9.8];
  const neckZ = -1.2, neckRadius = 5.2, neckBottom = -21.5;
  const surfaceRadius = (d: V3): number => {
    // Cranium: an ellipsoid, a little wider behind the ears (parietal bossing).
    const back = smoothstep(0, -0.8, d[2]);
    const axes: V3 = [skullAxes[0] + 0.5 * back * (d[1] > -0.3 ? 1 : 0.5), skullAxes[1], skullAxes[2]];
    const skull = rayEllipsoid(d, skullCenter, axes);
    // Neck: a vertical capsule; the ray leaves its side or its rounded bottom.
    const h = Math.hypot(d[0], d[2]);
    let neck = Infinity;
    if (h > 1e-9) {
      // |t (dx, dz) - (0, neckZ)| = r.
      const bq = -d[2] * neckZ, cq = neckZ * neckZ - neckRadius * neckRadius;
      neck = (-bq + Math.sqrt(bq * bq - h * h * cq)) / (h * h);
    }
    if (d[1] * neck < neckBottom || neck === Infinity) {
      neck = rayEllipsoid(d, [0, neckBottom, neckZ], [neckRadius, neckRadius, neckRadius]);
    }
    if (d[1] > 0) neck = 0;
    return smoothMax(skull, neck, 3);
  };
  const backPole = norm([0, 0.1, -1]);
  const skullPath = (start: V3, s: number): V3 => {
    const d0 = norm(start), r0 = len(start);
    const d = slerp(d0, backPole, s);
    const ang = Math.acos(Math.min(1, Math.max(-1, dot(d0, d))));
    // Fade the rim's offset from the base surface over the first 35 degrees of the path.
    const fade = 1 - smoothstep(0, 0.6, ang);
    return scale(d, surfaceRadius(d) + (r0 - surfaceRadius(d0)) * fade);
  };
  const hairline = (p: V3): boolean => p[1] > 2.8 + 0.75 * p[2] && p[1] > -6.5;
  buildCap({
    b,
    rim: outer,
    numRings: 22,
    subdivide: true,
    path: skullPath,
    pole: scale(backPole, surfaceRadius(backPole)),
    equalArcLength: true,
    label: (p) => (hairline(p) ? FaceRegion.scalp : FaceRegion.neck),
    part: HeadPart.skull,
    material: (x, y, z) => (x === FaceRegion.scalp && y === FaceRegion.scalp && z === FaceRegion.scalp ? FaceMaterial.scalp : FaceMaterial.skin),
  });

  // ---- eyeballs and eye sockets ----
  const eyeCenters: V3[] = [];
  const eyeIris: number[][] = [];
  for (const [loop, upper, lower, socketPart, ballPart] of [
    [rightEyeLoop, RIGHT_EYE_UPPER, RIGHT_EYE_LOWER, HeadPart.eyeSocketRight, HeadPart.eyeballRight],
    [leftEyeLoop, LEFT_EYE_UPPER, LEFT_EYE_LOWER, HeadPart.eyeSocketLeft, HeadPart.eyeballLeft],
  ] as const) {
    const contour = [...upper, ...lower].map((v) => b.pos[v]);
    const cx = contour.reduce((s, p) => s + p[0], 0) / contour.length;
    const cy = contour.reduce((s, p) => s + p[1], 0) / contour.length;
    // Sit the eyeball just behind the lid contour: the contour clears the sphere by 0.3 mm.
    let cz = Infinity;
    for (const p of contour) {
      const dxy2 = (p[0] - cx) ** 2 + (p[1] - cy) ** 2;
      const need = (EYE_RADIUS_CM + 0.03) ** 2 - dxy2;
      cz = Math.min(cz, need > 0 ? p[2] - Math.sqrt(need) : p[2]);
    }
    const c: V3 = [cx, cy, cz];
    eyeCenters.push(c);
    const shell = EYE_RADIUS_CM + 0.05;
    const socketPole: V3 = [c[0], c[1], c[2] - shell];
    buildCap({
      b,
      rim: loop,
      numRings: 3,
      subdivide: false,
      path: (start, s) => {
        const d0 = norm(sub(start, c)), r0 = len(sub(start, c));
        const d = slerp(d0, [0, 0, -1], 0.85 * s);
        const r = shell + (r0 - shell) * (1 - s) ** 2;
        return [c[0] + d[0] * r, c[1] + d[1] * r, c[2] + d[2] * r];
      },
      pole: socketPole,
      label: () => FaceRegion.eyeSocket,
      part: socketPart,
      material: () => FaceMaterial.eyeSocket,
    });
    eyeIris.push(addEyeball(b, c, ballPart));
  }

  // ---- mouth cavity and teeth ----
  const upperLip = b.pos[13], lowerLip = b.pos[14];
  const mouthCenter: V3 = [0, (upperLip[1] + lowerLip[1]) / 2, (upperLip[2] + lowerLip[2]) / 2];
  // Centred at the height of the mouth corners, so rim directions circle the +z axis and
  // each lip's path runs away from the opening (upper lip up, lower lip down) before the back.
  const cornerY = (b.pos[78][1] + b.pos[308][1]) / 2;
  const cavityCenter: V3 = [0, cornerY, mouthCenter[2] - 2.6];
  const cavityAxes: V3 = [2.9, 1.9, 2.9];
  const cavityRadius = (d: V3): number => rayEllipsoid(d, [0, 0, 0], cavityAxes);
  buildCap({
    b,
    rim: mouthLoop,
    numRings: 4,
    subdivide: false,
    path: (start, s) => {
      const rel = sub(start, cavityCenter);
      const d0 = norm(rel), r0 = len(rel);
      const d = slerp(d0, [0, 0, -1], s);
      const r = cavityRadius(d) + (r0 - cavityRadius(d0)) * (1 - smoothstep(0, 0.5, s));
      return [cavityCenter[0] + d[0] * r, cavityCenter[1] + d[1] * r, cavityCenter[2] + d[2] * r];
    },
    pole: [cavityCenter[0], cavityCenter[1], cavityCenter[2] - cavityAxes[2]],
    label: () => FaceRegion.mouthInterior,
    part: HeadPart.mouth,
    material: () => FaceMaterial.mouthInterior,
  });
  const teethFront = Math.min(upperLip[2], lowerLip[2]) - 0.35;
  addTeethRow(b, { frontZ: teethFront, top: upperLip[1] + 0.85, bottom: upperLip[1] - 0.12, halfWidth: 2.1, depth: 2.0 }, HeadPart.teethUpper);
  addTeethRow(b, { frontZ: teethFront - 0.2, top: lowerLip[1] + 0.22, bottom: lowerLip[1] - 0.75, halfWidth: 1.9, depth: 1.9 }, HeadPart.teethLower);

  // ---- per-vertex jaw weights ----
  const numVertices = b.pos.length;
  const faceW = faceJawWeights(468, faceTris, b.pos);
  const jaw = new Float32Array(numVertices);
  for (let v = 0; v < 468; v++) jaw[v] = faceW[v];
  // New vertices: the under-jaw follows the nearest rim weight, fading down the neck; the cavity splits by height.
  const jawPivot: V3 = [0, -1.5, 1.0];
  for (let v = 468; v < numVertices; v++) {
    const part = b.part[v], p = b.pos[v];
    if (part === HeadPart.teethLower) jaw[v] = 1;
    else if (part === HeadPart.mouth) jaw[v] = smoothstep(mouthCenter[1] + 0.4, mouthCenter[1] - 0.6, p[1]);
    else if (part === HeadPart.skull) {
      let best = 0, bestD = Infinity;
      for (const r of outer) {
        const dd = len(sub(b.pos[r], p));
        if (dd < bestD) {
          bestD = dd;
          best = faceW[r];
        }
      }
      jaw[v] = best * (1 - smoothstep(0.5, 4.5, bestD)) * (p[1] < jawPivot[1] ? 1 : 0);
    }
  }

  // ---- pack, in metres ----
  const templateVertices = new Float32Array(numVertices * 3);
  b.pos.forEach((p, v) => templateVertices.set(scale(p, 0.01), 3 * v));
  const landmarkVertices = new Int32Array(478);
  for (let v = 0; v < 468; v++) landmarkVertices[v] = v;
  landmarkVertices.set(eyeIris[0], 468);
  landmarkVertices.set(eyeIris[1], 473);
  const skinTriangleCount = b.triMaterial.filter((m) => m !== FaceMaterial.teeth && m !== FaceMaterial.sclera && m !== FaceMaterial.iris && m !== FaceMaterial.pupil).length;
  cached = {
    numVertices,
    templateVertices,
    triangles: Uint32Array.from(b.tris),
    uvs: Float32Array.from(b.uv.flat()),
    regions: Uint8Array.from(b.region),
    materials: Uint8Array.from(b.triMaterial),
    parts: Uint8Array.from(b.part),
    landmarkVertices,
    eyeCenters: [scale(eyeCenters[0], 0.01), scale(eyeCenters[1], 0.01)],
    eyeRadius: EYE_RADIUS_CM * 0.01,
    jawWeights: jaw,
    skinTriangleCount,
  };
  return cached;
}

/** Polar angles (degrees from the gaze axis) of the eyeball's rings: the pupil edge (12) and the limbus (32) fall on rings. */
const EYE_RINGS_DEG = [6, 12, 19, 26, 32, 40, 52, 66, 82, 100, 120, 142, 163];
const EYE_SEGMENTS = 24;

/**
 * Adds a UV sphere eyeball looking along +z; returns the vertex indices of the
 * iris centre and the four limbus points (+x, +y, -x, -y).
 */
function addEyeball(b: Builder, c: V3, part: HeadPart): number[] {
  const r = EYE_RADIUS_CM;
  const regionAt = (deg: number): FaceRegion => (deg <= 12 ? FaceRegion.pupil : deg <= 32 ? FaceRegion.iris : FaceRegion.eyeball);
  const front = b.add([c[0], c[1], c[2] + r], FaceRegion.pupil, part, [0, 0]);
  const rings: number[][] = EYE_RINGS_DEG.map((deg) => {
    const th = (deg * Math.PI) / 180;
    return Array.from({ length: EYE_SEGMENTS }, (_, s) => {
      const ph = (2 * Math.PI * s) / EYE_SEGMENTS;
      const p: V3 = [c[0] + r * Math.sin(th) * Math.cos(ph), c[1] + r * Math.sin(th) * Math.sin(ph), c[2] + r * Math.cos(th)];
      return b.add(p, regionAt(deg), part, [th / Math.PI, s / EYE_SEGMENTS]);
    });
  });
  const back = b.add([c[0], c[1], c[2] - r], FaceRegion.eyeball, part, [1, 0]);
  const material = (deg: number): FaceMaterial => (deg <= 12 ? FaceMaterial.pupil : deg <= 32 ? FaceMaterial.iris : FaceMaterial.sclera);
  // Seen from the front (+z), azimuth grows counter-clockwise, so (front, s, s+1) is counter-clockwise outside.
  for (let s = 0; s < EYE_SEGMENTS; s++) b.tri(front, rings[0][s], rings[0][(s + 1) % EYE_SEGMENTS], FaceMaterial.pupil);
  for (let k = 0; k + 1 < rings.length; k++) {
    const m = material(EYE_RINGS_DEG[k + 1]);
    for (let s = 0; s < EYE_SEGMENTS; s++) {
      const a = rings[k][s], bb = rings[k][(s + 1) % EYE_SEGMENTS], c2 = rings[k + 1][s], d = rings[k + 1][(s + 1) % EYE_SEGMENTS];
      b.tri(a, c2, d, m);
      b.tri(a, d, bb, m);
    }
  }
  const lastRing = rings[rings.length - 1];
  for (let s = 0; s < EYE_SEGMENTS; s++) b.tri(back, lastRing[(s + 1) % EYE_SEGMENTS], lastRing[s], FaceMaterial.sclera);
  const limbus = rings[EYE_RINGS_DEG.indexOf(32)];
  return [front, limbus[0], limbus[EYE_SEGMENTS / 4], limbus[EYE_SEGMENTS / 2], limbus[(3 * EYE_SEGMENTS) / 4]];
}

/**
 * Adds a row of teeth: a closed band of rectangular cross-section swept along a
 * parabolic dental arch (front at `frontZ`, sides `depth` further back).
 */
function addTeethRow(b: Builder, arch: { frontZ: number; top: number; bottom: number; halfWidth: number; depth: number }, part: HeadPart): void {
  const segments = 14;
  const thickness = 0.35;
  const ring: number[][] = [];
  for (let i = 0; i <= segments; i++) {
    const u = -1 + (2 * i) / segments;
    const x = arch.halfWidth * u;
    const z = arch.frontZ - arch.depth * u * u;
    // Inward normal of the arch in the x-z plane.
    const tx = arch.halfWidth, tz = -2 * arch.depth * u;
    const tl = Math.hypot(tx, tz);
    const nx = tz / tl, nz = -tx / tl;
    const o = (dx: number, dz: number, y: number): V3 => [x + dx, y, z + dz];
    ring.push([
      b.add(o(0, 0, arch.top), FaceRegion.teeth, part),
      b.add(o(0, 0, arch.bottom), FaceRegion.teeth, part),
      b.add(o(nx * thickness, nz * thickness, arch.bottom), FaceRegion.teeth, part),
      b.add(o(nx * thickness, nz * thickness, arch.top), FaceRegion.teeth, part),
    ]);
  }
  for (let i = 0; i < segments; i++) {
    for (let k = 0; k < 4; k++) {
      const a = ring[i][k], c = ring[i][(k + 1) % 4], a2 = ring[i + 1][k], c2 = ring[i + 1][(k + 1) % 4];
      b.tri(a, c, c2, FaceMaterial.teeth);
      b.tri(a, c2, a2, FaceMaterial.teeth);
    }
  }
  const s0 = ring[0], s1 = ring[segments];
  b.tri(s0[0], s0[2], s0[1], FaceMaterial.teeth);
  b.tri(s0[0], s0[3], s0[2], FaceMaterial.teeth);
  b.tri(s1[0], s1[1], s1[2], FaceMaterial.teeth);
  b.tri(s1[0], s1[2], s1[3], FaceMaterial.teeth);
}
