// Volume compositing along rays (NeRF, Mildenhall et al. 2020, https://arxiv.org/abs/2003.08934):
// alpha_i = 1 - exp(-density_i delta_i), T_i = prod_{j<i} (1 - alpha_j), w_i = T_i alpha_i,
// rgb = sum_i w_i rgb_i (+ (1 - opacity) background), opacity = sum_i w_i.
//
// Layout: rgb [R, S, C], density and deltas [R, S]; threads own ranges of rays.
import { expFiniteS, expFiniteV } from "./math";
import { rangeStart } from "./partition";

/**
 * out[i] = exp(x[i]) for n floats (the compositing kernels' exp, exposed for tests).
 * expFiniteV gives 0 below -87.34 and stays finite above 88, so even a negative
 * density leaves the weights finite (no inf, no inf * 0).
 */
export function fieldsExp(x: usize, out: usize, n: i32, tid: i32, numThreads: i32): void {
  const i0 = rangeStart(n, tid, numThreads);
  const i1 = rangeStart(n, tid + 1, numThreads);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, expFiniteV(v128.load(x + off)));
  }
  for (; i < i1; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, expFiniteS(load<f32>(x + off)));
  }
}

/** dst[i] = exp(-density[i] * deltas[i]) for the S samples of one ray. */
// @ts-ignore: decorator
@inline
function transmittanceFactors(density: usize, deltas: usize, dst: usize, numSamples: i32): void {
  let i = 0;
  for (; i + 4 <= numSamples; i += 4) {
    const off = <usize>i << 2;
    const tau = f32x4.mul(v128.load(density + off), v128.load(deltas + off));
    v128.store(dst + off, expFiniteV(f32x4.neg(tau)));
  }
  for (; i < numSamples; i++) {
    const off = <usize>i << 2;
    const tau = load<f32>(density + off) * load<f32>(deltas + off);
    store<f32>(dst + off, expFiniteS(-tau));
  }
}

/** Background colour of ray r: 0 when absent, one [C] colour, or row r of [R, C]. */
// @ts-ignore: decorator
@inline
function backgroundRow(background: usize, perRay: i32, r: i32, channels: i32): usize {
  return background != 0 && perRay ? background + <usize>r * (<usize>channels << 2) : background;
}

/**
 * Forward. Writes outRgb [R, C], outOpacity [R], outWeights [R, S]. `background` is 0
 * (none), or a [C] colour (`perRay` 0) or [R, C] colours (`perRay` 1).
 */
export function compositeForward(
  rgb: usize,
  density: usize,
  deltas: usize,
  background: usize,
  perRay: i32,
  outRgb: usize,
  outOpacity: usize,
  outWeights: usize,
  numRays: i32,
  numSamples: i32,
  channels: i32,
  tid: i32,
  numThreads: i32,
): void {
  const r0 = rangeStart(numRays, tid, numThreads);
  const r1 = rangeStart(numRays, tid + 1, numThreads);
  const sampleRowBytes = <usize>numSamples << 2;
  const colourBytes = <usize>channels << 2;
  for (let r = r0; r < r1; r++) {
    const rayOff = <usize>r * sampleRowBytes;
    const weights = outWeights + rayOff;
    transmittanceFactors(density + rayOff, deltas + rayOff, weights, numSamples);
    const colours = rgb + <usize>r * <usize>numSamples * colourBytes;
    const out = outRgb + <usize>r * colourBytes;
    for (let c = 0; c < channels; c++) store<f32>(out + (<usize>c << 2), 0);
    let transmittance: f32 = 1;
    let opacity: f32 = 0;
    for (let i = 0; i < numSamples; i++) {
      const e = load<f32>(weights + (<usize>i << 2));
      const w = transmittance * (<f32>1 - e);
      store<f32>(weights + (<usize>i << 2), w);
      opacity += w;
      transmittance *= e;
      const colour = colours + <usize>i * colourBytes;
      let c = 0;
      if (channels >= 4) {
        const vw = f32x4.splat(w);
        for (; c + 4 <= channels; c += 4) {
          const off = <usize>c << 2;
          v128.store(out + off, f32x4.add(v128.load(out + off), f32x4.mul(vw, v128.load(colour + off))));
        }
      }
      for (; c < channels; c++) {
        const off = <usize>c << 2;
        store<f32>(out + off, load<f32>(out + off) + w * load<f32>(colour + off));
      }
    }
    store<f32>(outOpacity + (<usize>r << 2), opacity);
    if (background != 0) {
      const bg = backgroundRow(background, perRay, r, channels);
      const rest = <f32>1 - opacity;
      for (let c = 0; c < channels; c++) {
        const off = <usize>c << 2;
        store<f32>(out + off, load<f32>(out + off) + rest * load<f32>(bg + off));
      }
    }
  }
}

/**
 * Backward in O(S) per ray. With h_i = gRgb . (rgb_i - background) + gOpacity + gWeights_i
 * (d loss / d w_i) and tau_i = density_i delta_i:
 * d loss / d tau_k = h_k T_{k+1} - sum_{i>k} h_i w_i, accumulated back to front.
 * Gradient inputs gradRgb [R, C], gradOpacity [R], gradWeights [R, S] may each be 0.
 * Outputs (each 0 when not wanted): dRgb [R, S, C], dDensity [R, S], dDeltas [R, S],
 * dBackground [R, C] (per ray; a shared [C] background's gradient is its column sum).
 * `scratch` holds 2 R S floats (per-sample exp(-tau) and T).
 */
export function compositeBackward(
  rgb: usize,
  density: usize,
  deltas: usize,
  background: usize,
  perRay: i32,
  gradRgb: usize,
  gradOpacity: usize,
  gradWeights: usize,
  dRgb: usize,
  dDensity: usize,
  dDeltas: usize,
  dBackground: usize,
  scratch: usize,
  numRays: i32,
  numSamples: i32,
  channels: i32,
  tid: i32,
  numThreads: i32,
): void {
  const r0 = rangeStart(numRays, tid, numThreads);
  const r1 = rangeStart(numRays, tid + 1, numThreads);
  const sampleRowBytes = <usize>numSamples << 2;
  const colourBytes = <usize>channels << 2;
  const wantTau = dDensity != 0 || dDeltas != 0;
  for (let r = r0; r < r1; r++) {
    const rayOff = <usize>r * sampleRowBytes;
    const factors = scratch + 2 * rayOff;
    const trans = factors + sampleRowBytes;
    transmittanceFactors(density + rayOff, deltas + rayOff, factors, numSamples);
    const colours = rgb + <usize>r * <usize>numSamples * colourBytes;
    const gC = gradRgb != 0 ? gradRgb + <usize>r * colourBytes : 0;
    const gO: f32 = gradOpacity != 0 ? load<f32>(gradOpacity + (<usize>r << 2)) : 0;
    const gW = gradWeights != 0 ? gradWeights + rayOff : 0;
    const bg = backgroundRow(background, perRay, r, channels);
    // gRgb . background enters every h_i with a minus sign (the background's weight is 1 - sum w).
    let gBg: f32 = 0;
    if (gC != 0 && bg != 0) {
      for (let c = 0; c < channels; c++) gBg += load<f32>(gC + (<usize>c << 2)) * load<f32>(bg + (<usize>c << 2));
    }
    // Front to back: transmittance T_i, dRgb, opacity.
    let transmittance: f32 = 1;
    let opacity: f32 = 0;
    for (let i = 0; i < numSamples; i++) {
      const off = <usize>i << 2;
      const e = load<f32>(factors + off);
      store<f32>(trans + off, transmittance);
      const w = transmittance * (<f32>1 - e);
      opacity += w;
      transmittance *= e;
      if (dRgb != 0) {
        const dst = dRgb + (<usize>r * <usize>numSamples + <usize>i) * colourBytes;
        if (gC != 0) {
          for (let c = 0; c < channels; c++) store<f32>(dst + (<usize>c << 2), w * load<f32>(gC + (<usize>c << 2)));
        } else {
          for (let c = 0; c < channels; c++) store<f32>(dst + (<usize>c << 2), 0);
        }
      }
    }
    if (dBackground != 0) {
      const dst = dBackground + <usize>r * colourBytes;
      const rest = <f32>1 - opacity;
      for (let c = 0; c < channels; c++) {
        store<f32>(dst + (<usize>c << 2), gC != 0 ? rest * load<f32>(gC + (<usize>c << 2)) : 0);
      }
    }
    if (!wantTau) continue;
    // Back to front: suffix = sum_{i>k} h_i w_i.
    let suffix: f32 = 0;
    for (let k = numSamples - 1; k >= 0; k--) {
      const off = <usize>k << 2;
      const e = load<f32>(factors + off);
      const t = load<f32>(trans + off);
      const w = t * (<f32>1 - e);
      let h: f32 = gO - gBg;
      if (gW != 0) h += load<f32>(gW + off);
      if (gC != 0) {
        const colour = colours + <usize>k * colourBytes;
        for (let c = 0; c < channels; c++) h += load<f32>(gC + (<usize>c << 2)) * load<f32>(colour + (<usize>c << 2));
      }
      const dTau = h * t * e - suffix;
      suffix += h * w;
      if (dDensity != 0) store<f32>(dDensity + rayOff + off, dTau * load<f32>(deltas + rayOff + off));
      if (dDeltas != 0) store<f32>(dDeltas + rayOff + off, dTau * load<f32>(density + rayOff + off));
    }
  }
}

/** out[c] = sum over rows r of src[r, c] ([R, C] to [C]); threads own ranges of columns. */
export function compositeSumRows(src: usize, out: usize, numRows: i32, numCols: i32, tid: i32, numThreads: i32): void {
  const c0 = rangeStart(numCols, tid, numThreads);
  const c1 = rangeStart(numCols, tid + 1, numThreads);
  const rowBytes = <usize>numCols << 2;
  for (let c = c0; c < c1; c++) {
    let s: f32 = 0;
    for (let r = 0; r < numRows; r++) s += load<f32>(src + <usize>r * rowBytes + (<usize>c << 2));
    store<f32>(out + (<usize>c << 2), s);
  }
}
