import { Random } from "../../core/random.js";

/**
 * Seeded 3D gradient noise (Perlin 2002, "Improving noise") and fractal sums of
 * it, for solid textures: skin pores, freckles, blotches and hair strands are
 * evaluated at a surface point's position on the neutral head, so the texture
 * sticks to the skin as the face moves.
 */
export class SolidNoise {
  private readonly perm = new Uint8Array(512);

  constructor(seed: number) {
    const rng = new Random(seed);
    const p = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let i = 255; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    for (let i = 0; i < 512; i++) this.perm[i] = p[i & 255];
  }

  /** Noise at (x, y, z), in about [-1, 1], zero at integer lattice points, smooth (C2). */
  noise(x: number, y: number, z: number): number {
    const xi = Math.floor(x), yi = Math.floor(y), zi = Math.floor(z);
    const xf = x - xi, yf = y - yi, zf = z - zi;
    const X = xi & 255, Y = yi & 255, Z = zi & 255;
    const u = fade(xf), v = fade(yf), w = fade(zf);
    const p = this.perm;
    const a = p[X] + Y, aa = p[a] + Z, ab = p[a + 1] + Z;
    const b = p[X + 1] + Y, ba = p[b] + Z, bb = p[b + 1] + Z;
    return lerp(
      w,
      lerp(v, lerp(u, grad(p[aa], xf, yf, zf), grad(p[ba], xf - 1, yf, zf)), lerp(u, grad(p[ab], xf, yf - 1, zf), grad(p[bb], xf - 1, yf - 1, zf))),
      lerp(
        v,
        lerp(u, grad(p[aa + 1], xf, yf, zf - 1), grad(p[ba + 1], xf - 1, yf, zf - 1)),
        lerp(u, grad(p[ab + 1], xf, yf - 1, zf - 1), grad(p[bb + 1], xf - 1, yf - 1, zf - 1)),
      ),
    );
  }

  /** Fractal sum of `octaves` noise layers, each twice the frequency and half the amplitude; about [-1, 1]. */
  fractal(x: number, y: number, z: number, octaves: number): number {
    let sum = 0, amplitude = 1, frequency = 1, norm = 0;
    for (let o = 0; o < octaves; o++) {
      sum += amplitude * this.noise(x * frequency, y * frequency, z * frequency);
      norm += amplitude;
      amplitude *= 0.5;
      frequency *= 2;
    }
    return sum / norm;
  }
}

function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

function lerp(t: number, a: number, b: number): number {
  return a + t * (b - a);
}

/** Dot product of the offset with one of 12 edge directions of a cube, picked by the hash. */
function grad(hash: number, x: number, y: number, z: number): number {
  const h = hash & 15;
  const u = h < 8 ? x : y;
  const v = h < 4 ? y : h === 12 || h === 14 ? x : z;
  return ((h & 1) === 0 ? u : -u) + ((h & 2) === 0 ? v : -v);
}
