import type { PinholeCamera } from "../../geometry/camera.js";
import { cameraCenterWorld, rescaleCamera } from "../../geometry/camera.js";
import { interpolateAttributes, rasterizeMesh } from "../../geometry/rasterize.js";
import type { Vec3 } from "../../geometry/rigid.js";
import { REGION_EYES, REGION_FACE, REGION_MOUTH } from "../region-masks.js";
import { srgbByteFromLinear, type SubjectAppearance } from "./appearance.js";
import { shadeDiffuse, type ShLighting } from "./lighting.js";
import { SolidNoise } from "./noise.js";

/** What a triangle is made of, for shading. */
export const SURFACE_KINDS = ["skin", "lips", "eye", "teeth", "mouthInterior", "hair", "cloth"] as const;
/** One of {@link SURFACE_KINDS}. */
export type SurfaceKind = (typeof SURFACE_KINDS)[number];

export { REGION_EYES, REGION_FACE, REGION_MOUTH };

/** Geometry of one frame, ready to shade. All arrays are packed per vertex or per triangle. */
export interface SynthScene {
  /** Posed vertex positions, world frame, metres [V*3]. */
  verticesWorld: Float32Array;
  /** Unit vertex normals, world frame [V*3]. */
  normalsWorld: Float32Array;
  /** Vertex positions on the neutral head (model frame), where solid textures are evaluated [V*3]. */
  verticesTemplate: Float32Array;
  triangles: Uint32Array;
  /** Index into {@link SURFACE_KINDS} per triangle. */
  triangleSurface: Uint8Array;
  /** Region bits ({@link REGION_FACE}, ...) per triangle. */
  triangleRegions: Uint8Array;
  /** Eyeballs in the template frame: centre, unit forward axis (through the pupil), radius in metres. */
  eyes: readonly { center: Vec3; axis: Vec3; radius: number }[];
  /** Brow centre lines in the template frame (inner to outer), where brow hair grows. */
  brows: readonly (readonly Vec3[])[];
}

/** Lighting of one frame. */
export interface SynthLighting {
  sh: ShLighting;
  /** Unit direction towards the key light (world), for specular highlights. */
  keyDirection: Vec3;
  /** Key light colour for highlights. */
  keyColor: Vec3;
}

/** A rendered frame: 8-bit sRGB colour, foreground and region masks, depth. */
export interface SynthFrame {
  widthPx: number;
  heightPx: number;
  /** [H*W*3] sRGB bytes. */
  rgb: Uint8Array;
  /** [H*W] 255 where the subject covers the pixel, else 0. */
  foreground: Uint8Array;
  /** [H*W] region bits of the visible surface. */
  regions: Uint8Array;
  /** [H*W] camera-frame depth in metres, Infinity on the background. */
  depth: Float32Array;
}

/** Shading constants per surface: specular strength and Blinn-Phong exponent. */
const SPECULAR: Record<SurfaceKind, [number, number]> = {
  skin: [0.05, 24],
  lips: [0.12, 40],
  eye: [0.9, 400],
  teeth: [0.2, 60],
  mouthInterior: [0.05, 20],
  hair: [0.08, 12],
  cloth: [0.0, 1],
};

/** The region bits a frame's region mask can hold. */
const REGION_BITS = [REGION_FACE, REGION_MOUTH, REGION_EYES] as const;

const NOISE_CACHE = new Map<number, SolidNoise>();

function noiseFor(seed: number): SolidNoise {
  let n = NOISE_CACHE.get(seed);
  if (!n) {
    n = new SolidNoise(seed);
    NOISE_CACHE.set(seed, n);
  }
  return n;
}

/**
 * Renders one frame of a synthetic capture: rasterizes the scene, computes a
 * procedural albedo per sample from the neutral-head position (skin with pores,
 * blotches and freckles, lips, brows, eyes with sclera, iris, pupil, teeth, mouth
 * interior, hair, cloth), and shades it with spherical-harmonics diffuse light plus
 * a Blinn-Phong highlight from the key light, over a vertical background gradient.
 *
 * Like a camera sensor, each pixel integrates light over its area: the frame is
 * shaded on a `samplesPerAxis` x `samplesPerAxis` grid of samples per pixel and
 * box-filtered in linear light, so outlines are anti-aliased and texture finer
 * than a pixel averages out instead of aliasing. The foreground mask then holds
 * the covered fraction of each pixel (a soft matte); a region bit is set where it
 * covers at least half the pixel; depth is the nearest sample's.
 */
export function renderSynthFrame(options: {
  camera: PinholeCamera;
  scene: SynthScene;
  appearance: SubjectAppearance;
  lighting: SynthLighting;
  /** Samples per pixel along each axis, 1 to 16; default 1 (one sample at the pixel centre). */
  samplesPerAxis?: number;
}): SynthFrame {
  const { camera, scene, appearance, lighting, samplesPerAxis: s = 1 } = options;
  // Up to 16: the per-pixel sample counts are 16-bit.
  if (!Number.isInteger(s) || s < 1 || s > 16) throw new RangeError(`renderSynthFrame: samplesPerAxis must be a whole number from 1 to 16, got ${s}`);
  const { widthPx: w, heightPx: h } = camera;
  // The sample grid is a camera with s times the pixels over the same field of view.
  const fine = rescaleCamera(camera, w * s);
  const fw = w * s, fh = h * s;
  const raster = rasterizeMesh({ camera: fine, verticesWorld: scene.verticesWorld, triangles: scene.triangles });
  const normals = interpolateAttributes(raster, scene.triangles, scene.normalsWorld, 3);
  const template = interpolateAttributes(raster, scene.triangles, scene.verticesTemplate, 3);
  const positions = interpolateAttributes(raster, scene.triangles, scene.verticesWorld, 3);
  const eye = cameraCenterWorld(camera);
  const noise = noiseFor(appearance.textureSeed);
  const radiance = new Float32Array(w * h * 3);
  const covered = new Uint16Array(w * h);
  const regionCounts = new Uint16Array(w * h * REGION_BITS.length);
  const depth = new Float32Array(w * h).fill(Infinity);
  const diffuse = new Float32Array(3);
  const basis = new Float32Array(9);
  const albedo = new Float32Array(3);
  for (let fy = 0; fy < fh; fy++) {
    // Gradient position of this sample row, in pixel rows (pixel centres at 0 .. h - 1).
    const t = h > 1 ? Math.min(1, Math.max(0, ((fy + 0.5) / s - 0.5) / (h - 1))) : 0;
    const y = Math.floor(fy / s);
    for (let fx = 0; fx < fw; fx++) {
      const q = fy * fw + fx;
      const p = y * w + Math.floor(fx / s);
      const tri = raster.triangleId[q];
      if (tri < 0) {
        for (let c = 0; c < 3; c++) radiance[3 * p + c] += (1 - t) * appearance.backgroundTop[c] + t * appearance.backgroundBottom[c];
        continue;
      }
      covered[p]++;
      if (raster.depth[q] < depth[p]) depth[p] = raster.depth[q];
      const bits = scene.triangleRegions[tri];
      for (let b = 0; b < REGION_BITS.length; b++) if (bits & REGION_BITS[b]) regionCounts[REGION_BITS.length * p + b]++;
      const kind = SURFACE_KINDS[scene.triangleSurface[tri]];
      let nx = normals[3 * q], ny = normals[3 * q + 1], nz = normals[3 * q + 2];
      const nl = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
      nx /= nl; ny /= nl; nz /= nl;
      // View direction (towards the camera); flip normals that face away (inside of the mouth).
      let vx = eye[0] - positions[3 * q], vy = eye[1] - positions[3 * q + 1], vz = eye[2] - positions[3 * q + 2];
      const vl = Math.sqrt(vx * vx + vy * vy + vz * vz) || 1;
      vx /= vl; vy /= vl; vz /= vl;
      if (nx * vx + ny * vy + nz * vz < 0) { nx = -nx; ny = -ny; nz = -nz; }
      surfaceAlbedo(kind, template[3 * q], template[3 * q + 1], template[3 * q + 2], scene, appearance, noise, albedo);
      shadeDiffuse(lighting.sh, nx, ny, nz, diffuse, basis);
      const [ks, shininess] = SPECULAR[kind];
      let spec = 0;
      if (ks > 0) {
        const [lx, ly, lz] = lighting.keyDirection;
        let hx = lx + vx, hy = ly + vy, hz = lz + vz;
        const hl = Math.sqrt(hx * hx + hy * hy + hz * hz) || 1;
        hx /= hl; hy /= hl; hz /= hl;
        const ndoth = nx * hx + ny * hy + nz * hz;
        if (ndoth > 0 && nx * lx + ny * ly + nz * lz > 0) spec = ks * ndoth ** shininess;
      }
      // Cavities (mouth interior) get less light: a crude stand-in for occlusion.
      const occlusion = kind === "mouthInterior" ? 0.35 : kind === "teeth" ? 0.75 : 1;
      for (let c = 0; c < 3; c++) radiance[3 * p + c] += occlusion * (albedo[c] * diffuse[c] + spec * lighting.keyColor[c]);
    }
  }
  const perPixel = s * s;
  const rgb = new Uint8Array(w * h * 3);
  const foreground = new Uint8Array(w * h);
  const regions = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = srgbByteFromLinear(radiance[3 * p + c] / perPixel);
    foreground[p] = Math.round((255 * covered[p]) / perPixel);
    for (let b = 0; b < REGION_BITS.length; b++) if (2 * regionCounts[REGION_BITS.length * p + b] >= perPixel) regions[p] |= REGION_BITS[b];
  }
  return { widthPx: w, heightPx: h, rgb, foreground, regions, depth };
}

/** Distance from point q to the polyline `line`. */
function distanceToPolyline(qx: number, qy: number, qz: number, line: readonly Vec3[]): number {
  let best = Infinity;
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i], b = line[i + 1];
    const abx = b[0] - a[0], aby = b[1] - a[1], abz = b[2] - a[2];
    const len2 = abx * abx + aby * aby + abz * abz || 1;
    const s = Math.min(1, Math.max(0, ((qx - a[0]) * abx + (qy - a[1]) * aby + (qz - a[2]) * abz) / len2));
    const dx = qx - a[0] - s * abx, dy = qy - a[1] - s * aby, dz = qz - a[2] - s * abz;
    best = Math.min(best, dx * dx + dy * dy + dz * dz);
  }
  return Math.sqrt(best);
}

/** Albedo at a point of the neutral head (template frame, metres), written into `out`. */
function surfaceAlbedo(
  kind: SurfaceKind,
  x: number,
  y: number,
  z: number,
  scene: SynthScene,
  look: SubjectAppearance,
  noise: SolidNoise,
  out: Float32Array,
): void {
  switch (kind) {
    case "skin": {
      // Blotches (centimetre scale), pores (sub-millimetre), freckles (thresholded spots).
      const blotch = noise.fractal(x * 40, y * 40, z * 40, 3);
      const pores = noise.noise(x * 1500, y * 1500, z * 1500);
      const freckle = Math.max(0, noise.noise(x * 400 + 17, y * 400, z * 400) - (0.55 - 0.35 * look.freckles)) * 2.5 * look.freckles;
      const shade = 1 + 0.1 * look.skinVariation * blotch - 0.04 * Math.max(0, pores) - 0.5 * Math.min(0.6, freckle);
      // Redder towards the cheeks and nose: more red where blotch noise is high.
      const red = 0.04 * look.skinVariation * Math.max(0, blotch);
      out[0] = look.skin[0] * shade + red;
      out[1] = look.skin[1] * shade;
      out[2] = look.skin[2] * shade;
      // Brows: hair within ~6 mm of a brow centre line, thinning at the ends.
      for (const brow of scene.brows) {
        const d = distanceToPolyline(x, y, z, brow);
        if (d < 0.0065) {
          const strands = 0.5 + 0.5 * noise.noise(x * 3000, y * 300, z * 3000);
          const cover = Math.min(1, (1 - d / 0.0065) * 2) * (0.55 + 0.45 * strands);
          for (let c = 0; c < 3; c++) out[c] = out[c] * (1 - cover) + look.hair[c] * cover;
        }
      }
      return;
    }
    case "lips": {
      const v = 1 + 0.08 * noise.noise(x * 600, y * 2000, z * 600);
      for (let c = 0; c < 3; c++) out[c] = look.lips[c] * v;
      return;
    }
    case "eye": {
      // Which part of the eyeball: angle from its forward axis.
      let best = scene.eyes[0];
      let bestD = Infinity;
      for (const e of scene.eyes) {
        const d = Math.hypot(x - e.center[0], y - e.center[1], z - e.center[2]);
        if (d < bestD) { bestD = d; best = e; }
      }
      const dx = x - best.center[0], dy = y - best.center[1], dz = z - best.center[2];
      const r = Math.hypot(dx, dy, dz) || 1;
      const cos = (dx * best.axis[0] + dy * best.axis[1] + dz * best.axis[2]) / r;
      const angle = Math.acos(Math.min(1, Math.max(-1, cos)));
      if (angle < 0.2) {
        out.fill(0.01); // pupil
      } else if (angle < 0.5) {
        const fibres = 0.75 + 0.25 * noise.noise(x * 4000, y * 4000, z * 4000);
        const limbus = angle > 0.44 ? 0.5 : 1;
        for (let c = 0; c < 3; c++) out[c] = look.iris[c] * fibres * limbus;
      } else {
        const veins = Math.max(0, noise.noise(x * 900, y * 900, z * 900)) * Math.min(1, (angle - 0.5) * 1.5);
        out[0] = 0.75;
        out[1] = 0.72 - 0.25 * veins;
        out[2] = 0.7 - 0.25 * veins;
      }
      return;
    }
    case "teeth":
      out[0] = 0.78; out[1] = 0.74; out[2] = 0.62;
      return;
    case "mouthInterior":
      out[0] = 0.25; out[1] = 0.05; out[2] = 0.05;
      return;
    case "hair": {
      const strands = 0.7 + 0.3 * noise.noise(x * 200, y * 2500, z * 200);
      for (let c = 0; c < 3; c++) out[c] = look.hair[c] * strands;
      return;
    }
    case "cloth": {
      const weave = 0.92 + 0.08 * noise.noise(x * 800, y * 800, z * 800);
      for (let c = 0; c < 3; c++) out[c] = look.cloth[c] * weave;
      return;
    }
  }
}
