/**
 * Plain-loop reference of the positional encoding and its gradient, in float64
 * with Math.sin / Math.cos, for tests of the kernels in assembly/encoding.ts.
 * Column order as in {@link encodePositions}: [x?, then per frequency k: sin(2^k pi x) [D], cos(2^k pi x) [D]].
 */

/** Shape of a reference encoding problem. */
export interface EncodingReferenceShape {
  numPoints: number;
  dims: number;
  numFrequencies: number;
  includeInput: boolean;
}

function window(weights: ArrayLike<number> | undefined, k: number): number {
  return weights ? weights[k] : 1;
}

/** Forward: x [N, D] -> [N, D * includeInput + 2 D F]. */
export function encodePositionsReference(
  x: ArrayLike<number>,
  shape: EncodingReferenceShape,
  windowWeights?: ArrayLike<number>,
): Float64Array {
  const { numPoints: N, dims: D, numFrequencies: F, includeInput } = shape;
  const inCols = includeInput ? D : 0;
  const width = inCols + 2 * D * F;
  const out = new Float64Array(N * width);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < inCols; d++) out[n * width + d] = x[n * D + d];
    for (let k = 0; k < F; k++) {
      for (let d = 0; d < D; d++) {
        const a = 2 ** k * Math.PI * x[n * D + d];
        out[n * width + inCols + 2 * D * k + d] = window(windowWeights, k) * Math.sin(a);
        out[n * width + inCols + 2 * D * k + D + d] = window(windowWeights, k) * Math.cos(a);
      }
    }
  }
  return out;
}

/** Backward: d loss / d x [N, D] from gradOut [N, width]. */
export function encodePositionsBackwardReference(
  x: ArrayLike<number>,
  gradOut: ArrayLike<number>,
  shape: EncodingReferenceShape,
  windowWeights?: ArrayLike<number>,
): Float64Array {
  const { numPoints: N, dims: D, numFrequencies: F, includeInput } = shape;
  const inCols = includeInput ? D : 0;
  const width = inCols + 2 * D * F;
  const dx = new Float64Array(N * D);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      let s = includeInput ? gradOut[n * width + d] : 0;
      for (let k = 0; k < F; k++) {
        const freq = 2 ** k * Math.PI;
        const a = freq * x[n * D + d];
        const gSin = gradOut[n * width + inCols + 2 * D * k + d];
        const gCos = gradOut[n * width + inCols + 2 * D * k + D + d];
        s += window(windowWeights, k) * freq * (gSin * Math.cos(a) - gCos * Math.sin(a));
      }
      dx[n * D + d] = s;
    }
  }
  return dx;
}
