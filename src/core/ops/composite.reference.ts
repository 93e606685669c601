/**
 * Plain-loop reference of volume compositing and its gradients, in float64, for
 * tests of the kernels in assembly/composite.ts. The backward here is the direct
 * O(S^2) sum over every later sample, independent of the kernel's O(S) recurrence.
 */

/** Shape of a reference compositing problem. */
export interface CompositeReferenceShape {
  numRays: number;
  numSamples: number;
  channels: number;
  /** "none", one colour [C] shared by all rays, or one per ray [R, C]. */
  background: "none" | "shared" | "perRay";
}

/** Inputs of the reference (flat row-major arrays). */
export interface CompositeReferenceInputs {
  rgb: ArrayLike<number>;
  density: ArrayLike<number>;
  deltas: ArrayLike<number>;
  background?: ArrayLike<number>;
}

function backgroundAt(inputs: CompositeReferenceInputs, shape: CompositeReferenceShape, r: number, c: number): number {
  if (shape.background === "none" || !inputs.background) return 0;
  return shape.background === "perRay" ? inputs.background[r * shape.channels + c] : inputs.background[c];
}

/** Per-ray weights w_i = T_i alpha_i, and T_{i+1} (transmittance after sample i). */
function rayWeights(inputs: CompositeReferenceInputs, S: number, r: number): { w: number[]; after: number[] } {
  const w: number[] = [];
  const after: number[] = [];
  let t = 1;
  for (let i = 0; i < S; i++) {
    const alpha = 1 - Math.exp(-inputs.density[r * S + i] * inputs.deltas[r * S + i]);
    w.push(t * alpha);
    t *= 1 - alpha;
    after.push(t);
  }
  return { w, after };
}

/** Forward: rgb [R, C], opacity [R], weights [R, S]. */
export function compositeReference(
  inputs: CompositeReferenceInputs,
  shape: CompositeReferenceShape,
): { rgb: Float64Array; opacity: Float64Array; weights: Float64Array } {
  const { numRays: R, numSamples: S, channels: C } = shape;
  const rgb = new Float64Array(R * C);
  const opacity = new Float64Array(R);
  const weights = new Float64Array(R * S);
  for (let r = 0; r < R; r++) {
    const { w } = rayWeights(inputs, S, r);
    for (let i = 0; i < S; i++) {
      weights[r * S + i] = w[i];
      opacity[r] += w[i];
      for (let c = 0; c < C; c++) rgb[r * C + c] += w[i] * inputs.rgb[(r * S + i) * C + c];
    }
    for (let c = 0; c < C; c++) rgb[r * C + c] += (1 - opacity[r]) * backgroundAt(inputs, shape, r, c);
  }
  return { rgb, opacity, weights };
}

/**
 * Backward from gradients of any of the outputs (absent ones count as zero):
 * dRgb [R, S, C], dDensity [R, S], dDeltas [R, S], dBackground ([C] or [R, C]).
 */
export function compositeBackwardReference(
  inputs: CompositeReferenceInputs,
  grads: { rgb?: ArrayLike<number>; opacity?: ArrayLike<number>; weights?: ArrayLike<number> },
  shape: CompositeReferenceShape,
): { dRgb: Float64Array; dDensity: Float64Array; dDeltas: Float64Array; dBackground: Float64Array } {
  const { numRays: R, numSamples: S, channels: C } = shape;
  const dRgb = new Float64Array(R * S * C);
  const dDensity = new Float64Array(R * S);
  const dDeltas = new Float64Array(R * S);
  const dBackground = new Float64Array(shape.background === "perRay" ? R * C : C);
  const gRgb = (r: number, c: number): number => (grads.rgb ? grads.rgb[r * C + c] : 0);
  for (let r = 0; r < R; r++) {
    const { w, after } = rayWeights(inputs, S, r);
    // h_i = d loss / d w_i.
    const h: number[] = [];
    let opacity = 0;
    for (let i = 0; i < S; i++) {
      let hi = (grads.opacity ? grads.opacity[r] : 0) + (grads.weights ? grads.weights[r * S + i] : 0);
      for (let c = 0; c < C; c++) {
        hi += gRgb(r, c) * (inputs.rgb[(r * S + i) * C + c] - backgroundAt(inputs, shape, r, c));
        dRgb[(r * S + i) * C + c] = w[i] * gRgb(r, c);
      }
      h.push(hi);
      opacity += w[i];
    }
    // w_i = exp(-sum_{j<i} tau_j) (1 - exp(-tau_i)): d w_i / d tau_k = -w_i (k < i), T_{i+1} (k = i).
    for (let k = 0; k < S; k++) {
      let dTau = h[k] * after[k];
      for (let i = k + 1; i < S; i++) dTau -= h[i] * w[i];
      dDensity[r * S + k] = dTau * inputs.deltas[r * S + k];
      dDeltas[r * S + k] = dTau * inputs.density[r * S + k];
    }
    if (shape.background !== "none") {
      for (let c = 0; c < C; c++) {
        const g = (1 - opacity) * gRgb(r, c);
        if (shape.background === "perRay") dBackground[r * C + c] = g;
        else dBackground[c] += g;
      }
    }
  }
  return { dRgb, dDensity, dDeltas, dBackground };
}
