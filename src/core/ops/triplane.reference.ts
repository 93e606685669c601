/**
 * Plain-loop reference of tri-plane sampling and its gradients, in float64, for
 * tests of the kernels in assembly/triplane.ts. Same conventions as
 * {@link sampleTriplane}: planes [3, R, R, C] channel-last, (col, row) of plane
 * 0, 1, 2 taken from (x, y), (x, z), (y, z); align_corners = false; coordinates
 * clamped to the border texels.
 */
import type { TriplaneReduction } from "./triplane.js";

/** Shape of a reference tri-plane problem. */
export interface TriplaneReferenceShape {
  /** Texels along each side of a plane. */
  resolution: number;
  channels: number;
  numPoints: number;
  reduce: TriplaneReduction;
}

/** The four taps of one bilinear lookup and the derivative of the texel coordinates. */
interface Taps {
  /** Texel indices (row * R + col) of (r0, c0), (r0, c1), (r1, c0), (r1, c1). */
  texels: [number, number, number, number];
  weights: [number, number, number, number];
  tu: number;
  tv: number;
  /** d texel coordinate / d u and / d v (0 where clamped). */
  su: number;
  sv: number;
}

/** Which point coordinates give the (u, v) = (col, row) of each plane. */
const PLANE_AXES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
];

function taps(u: number, v: number, res: number): Taps {
  const axis = (w: number): { i0: number; i1: number; t: number; s: number } => {
    const g = ((w + 1) * res - 1) / 2;
    const f = Math.min(Math.max(g, 0), res - 1);
    const i0 = Math.min(Math.floor(f), Math.max(res - 2, 0));
    return { i0, i1: Math.min(i0 + 1, res - 1), t: f - i0, s: g > 0 && g < res - 1 ? res / 2 : 0 };
  };
  const a = axis(u);
  const b = axis(v);
  return {
    texels: [b.i0 * res + a.i0, b.i0 * res + a.i1, b.i1 * res + a.i0, b.i1 * res + a.i1],
    weights: [(1 - a.t) * (1 - b.t), a.t * (1 - b.t), (1 - a.t) * b.t, a.t * b.t],
    tu: a.t,
    tv: b.t,
    su: a.s,
    sv: b.s,
  };
}

/** Forward: [N, C] (sum) or [N, 3C] (concat, plane-major). */
export function sampleTriplaneReference(
  planes: ArrayLike<number>,
  points: ArrayLike<number>,
  shape: TriplaneReferenceShape,
): Float64Array {
  const { resolution: res, channels: C, numPoints: N, reduce } = shape;
  const width = reduce === "concat" ? 3 * C : C;
  const out = new Float64Array(N * width);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < 3; p++) {
      const [au, av] = PLANE_AXES[p];
      const t = taps(points[n * 3 + au], points[n * 3 + av], res);
      const outOffset = n * width + (reduce === "concat" ? p * C : 0);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += t.weights[k] * planes[(p * res * res + t.texels[k]) * C + c];
        out[outOffset + c] += s;
      }
    }
  }
  return out;
}

/** Backward: gradients of the planes [3, R, R, C] and points [N, 3] from gradOut ([N, C] or [N, 3C]). */
export function sampleTriplaneBackwardReference(
  planes: ArrayLike<number>,
  points: ArrayLike<number>,
  gradOut: ArrayLike<number>,
  shape: TriplaneReferenceShape,
): { dPlanes: Float64Array; dPoints: Float64Array } {
  const { resolution: res, channels: C, numPoints: N, reduce } = shape;
  const width = reduce === "concat" ? 3 * C : C;
  const dPlanes = new Float64Array(3 * res * res * C);
  const dPoints = new Float64Array(N * 3);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < 3; p++) {
      const [au, av] = PLANE_AXES[p];
      const t = taps(points[n * 3 + au], points[n * 3 + av], res);
      const gOffset = n * width + (reduce === "concat" ? p * C : 0);
      let du = 0;
      let dv = 0;
      for (let c = 0; c < C; c++) {
        const g = gradOut[gOffset + c];
        const value = (k: number): number => planes[(p * res * res + t.texels[k]) * C + c];
        for (let k = 0; k < 4; k++) dPlanes[(p * res * res + t.texels[k]) * C + c] += g * t.weights[k];
        // Bilinear value = sum of weights * taps; differentiate the weights in tu and tv.
        du += g * ((value(1) - value(0)) * (1 - t.tv) + (value(3) - value(2)) * t.tv);
        dv += g * ((value(2) - value(0)) * (1 - t.tu) + (value(3) - value(1)) * t.tu);
      }
      dPoints[n * 3 + au] += du * t.su;
      dPoints[n * 3 + av] += dv * t.sv;
    }
  }
  return { dPlanes, dPoints };
}
