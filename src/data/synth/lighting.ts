import type { Vec3 } from "../../geometry/rigid.js";

/**
 * Lighting as second-order spherical harmonics: 9 coefficients per colour channel
 * (27 numbers, channel-major: r0..r8, g0..g8, b0..b8) of the incoming radiance,
 * in world coordinates. Diffuse shading uses the irradiance formula of Ramamoorthi
 * and Hanrahan 2001, "An efficient representation for irradiance environment maps".
 */
export type ShLighting = Float32Array;

/** Number of SH coefficients per channel (bands 0-2). */
export const SH_COEFFICIENTS = 9;

/** Real SH basis functions Y_0..Y_8 at unit direction (x, y, z), written into `out`. */
export function shBasis(x: number, y: number, z: number, out: Float32Array | number[] = new Float32Array(9)): Float32Array | number[] {
  out[0] = 0.282095;
  out[1] = 0.488603 * y;
  out[2] = 0.488603 * z;
  out[3] = 0.488603 * x;
  out[4] = 1.092548 * x * y;
  out[5] = 1.092548 * y * z;
  out[6] = 0.315392 * (3 * z * z - 1);
  out[7] = 1.092548 * x * z;
  out[8] = 0.546274 * (x * x - y * y);
  return out;
}

/** Convolution of each band with the clamped cosine lobe (A_l): irradiance from radiance. */
const COSINE_LOBE = [Math.PI, (2 * Math.PI) / 3, (2 * Math.PI) / 3, (2 * Math.PI) / 3, Math.PI / 4, Math.PI / 4, Math.PI / 4, Math.PI / 4, Math.PI / 4];

/**
 * Diffuse reflected radiance for albedo 1 at a surface with unit normal n: the
 * irradiance divided by pi, per channel, written into `out` (3 values).
 */
export function shadeDiffuse(lighting: ShLighting, nx: number, ny: number, nz: number, out: Float32Array, basis = new Float32Array(9)): void {
  shBasis(nx, ny, nz, basis);
  for (let c = 0; c < 3; c++) {
    let e = 0;
    for (let k = 0; k < 9; k++) e += COSINE_LOBE[k] * lighting[9 * c + k] * basis[k];
    out[c] = Math.max(0, e / Math.PI);
  }
}

/**
 * SH coefficients of a light from unit `direction` (towards the light) of `color`
 * radiance spread over a small cone, plus a uniform `ambient` radiance; scaled so
 * that a white Lambertian surface facing the light has radiance about `color` + `ambient`.
 */
export function shFromLights(lights: readonly { direction: Vec3; color: Vec3 }[], ambient: Vec3): ShLighting {
  const sh = new Float32Array(27);
  const basis = new Float32Array(9);
  for (const { direction, color } of lights) {
    const n = Math.hypot(direction[0], direction[1], direction[2]);
    shBasis(direction[0] / n, direction[1] / n, direction[2] / n, basis);
    // A delta light of radiance L gives irradiance L * max(0, cos) at normal incidence; the
    // SH projection of the delta is L * Y(dir); dividing by the band-0..2 sum of A_l Y^2 makes
    // the shaded value at the light's own direction equal L (after the / pi in shadeDiffuse).
    let norm = 0;
    for (let k = 0; k < 9; k++) norm += COSINE_LOBE[k] * basis[k] * basis[k];
    for (let c = 0; c < 3; c++) for (let k = 0; k < 9; k++) sh[9 * c + k] += (color[c] * Math.PI * basis[k]) / norm;
  }
  // Uniform radiance a: only band 0, with irradiance pi * a.
  for (let c = 0; c < 3; c++) sh[9 * c] += ambient[c] / 0.282095;
  return sh;
}
