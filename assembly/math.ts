// Numeric building blocks shared by the kernels: polynomial evaluation, clamps and
// lane sums on f32x4 vectors, and the elementary functions (exp, log, log1p, tanh,
// sin, cos, sin(pi y), cos(pi y)) as table-free approximations. AssemblyScript's
// Mathf uses lookup tables, i.e. data segments, which the kernel module must not
// have. Each function exists once here, as an f32x4 version (suffix V); scalar code
// runs it on one lane (f32x4.splat, then extract_lane 0; expFiniteS is that), so the
// vector bodies and scalar tails of a kernel agree to the bit.
//
// Errors quoted are measured against float64 references over the stated ranges.

// ---- polynomials, clamps, lanes ----

// polyN: c0 + c1 x + ... + cN x^N per lane by Horner's rule, written as c0 + x (the
// degree N - 1 polynomial in c1..cN): the same operations as the chain written out.

/** c0 + c1 x per lane. */
// @ts-ignore: decorator
@inline
export function poly1V(x: v128, c0: f32, c1: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, f32x4.splat(c1)));
}

/** c0 + c1 x + c2 x^2. */
// @ts-ignore: decorator
@inline
export function poly2V(x: v128, c0: f32, c1: f32, c2: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly1V(x, c1, c2)));
}

/** c0 + c1 x + ... + c3 x^3. */
// @ts-ignore: decorator
@inline
export function poly3V(x: v128, c0: f32, c1: f32, c2: f32, c3: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly2V(x, c1, c2, c3)));
}

/** c0 + c1 x + ... + c4 x^4. */
// @ts-ignore: decorator
@inline
export function poly4V(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly3V(x, c1, c2, c3, c4)));
}

/** c0 + c1 x + ... + c5 x^5. */
// @ts-ignore: decorator
@inline
export function poly5V(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly4V(x, c1, c2, c3, c4, c5)));
}

/** c0 + c1 x + ... + c6 x^6. */
// @ts-ignore: decorator
@inline
export function poly6V(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly5V(x, c1, c2, c3, c4, c5, c6)));
}

/** c0 + c1 x + ... + c7 x^7. */
// @ts-ignore: decorator
@inline
export function poly7V(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32, c7: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly6V(x, c1, c2, c3, c4, c5, c6, c7)));
}

/** c0 + c1 x + ... + c8 x^8. */
// @ts-ignore: decorator
@inline
export function poly8V(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32, c7: f32, c8: f32): v128 {
  return f32x4.add(f32x4.splat(c0), f32x4.mul(x, poly7V(x, c1, c2, c3, c4, c5, c6, c7, c8)));
}

/**
 * x clamped to [lo, hi] per lane; NaN passes through (it fails both comparisons).
 * pmin/pmax are one instruction each, IEEE min/max several.
 */
// @ts-ignore: decorator
@inline
export function clampV(x: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(x, lo), hi);
}

/** sign(x) as +-1 per lane, 0 at x = +-0 and for NaN. */
// @ts-ignore: decorator
@inline
export function signV(x: v128): v128 {
  const one = v128.or(v128.and(x, i32x4.splat(0x80000000)), f32x4.splat(1.0));
  return v128.and(one, f32x4.ne(x, f32x4.splat(0.0)));
}

/** Sum of the four lanes, added pairwise. */
// @ts-ignore: decorator
@inline
export function sumLanes(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** (sum of a's lanes, sum of b's lanes, the same again): two horizontal sums in four shuffles. */
// @ts-ignore: decorator
@inline
export function sumLanesPair(a: v128, b: v128): v128 {
  const pairs = f32x4.add(f32x4.shuffle(a, b, 0, 1, 4, 5), f32x4.shuffle(a, b, 2, 3, 6, 7));
  return f32x4.add(f32x4.shuffle(pairs, pairs, 0, 2, 0, 2), f32x4.shuffle(pairs, pairs, 1, 3, 1, 3));
}

// ---- exp (Cephes expf polynomial) ----

// Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer that then
// sits in the low mantissa bits: the integer as a float (sum - magic) and as an i32
// (bits(sum) - bits(magic)) without a (slow) float-to-int conversion.
// @ts-ignore: decorator
@inline const ROUND_MAGIC: f32 = 12582912.0;
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that k * LN2_HI is exact for the k exp can meet (Cody-Waite).
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
/** log of the smallest normal float, 2^-126: below it e^x is subnormal. */
// @ts-ignore: decorator
@inline const LOG_MIN_NORMAL: f32 = -87.33654;

/**
 * e^x as p 2^k: returns p = e^r, r = x - k ln2 (|r| <= ln2/2), for the k held in
 * `kb` = x log2(e) + ROUND_MAGIC (see ROUND_MAGIC). Degree-7 polynomial of Cephes
 * `expf`, about 1 ulp.
 */
// @ts-ignore: decorator
@inline
function expMantissaV(x: v128, kb: v128): v128 {
  const k = f32x4.sub(kb, f32x4.splat(ROUND_MAGIC));
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(LN2_LO)));
  const p = poly5V(r, 5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4);
  return f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));
}

/** 2^k per lane for i32 lanes k in [-126, 127]: the float with biased exponent k + 127. */
// @ts-ignore: decorator
@inline
function pow2iV(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
}

/** The integer k (i32 lanes) of `kb` = k + ROUND_MAGIC. */
// @ts-ignore: decorator
@inline
function roundedInt(kb: v128): v128 {
  return i32x4.sub(kb, f32x4.splat(ROUND_MAGIC));
}

/**
 * e^x per lane with IEEE behaviour over the whole float range: relative error below
 * 1 ulp (8e-8) for normal results, subnormal results right to about 1 ulp too, 0
 * below -104, inf above 89 (and for inf), NaN for NaN. 2^k is applied in two halves
 * so that results near overflow and those that underflow to subnormals come out right.
 */
// @ts-ignore: decorator
@inline
export function expV(x0: v128): v128 {
  const x = clampV(x0, f32x4.splat(-104.0), f32x4.splat(89.0));
  const kb = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUND_MAGIC));
  const p = expMantissaV(x, kb);
  const k = roundedInt(kb);
  const k1 = i32x4.shr_s(k, 1);
  return f32x4.mul(f32x4.mul(p, pow2iV(k1)), pow2iV(i32x4.sub(k, k1)));
}

/**
 * e^x per lane for uses that want finite, normal values: as {@link expV} between
 * -87.34 and 88, exactly 0 below -87.34 (where e^x would be subnormal; -inf too)
 * and e^88 (about 1.65e38) above 88 (inf too). One 2^k scale, about 10% faster
 * than expV.
 */
// @ts-ignore: decorator
@inline
export function expFiniteV(x0: v128): v128 {
  const lo = f32x4.splat(LOG_MIN_NORMAL);
  const x = clampV(x0, lo, f32x4.splat(88.0));
  const kb = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUND_MAGIC));
  const y = f32x4.mul(expMantissaV(x, kb), pow2iV(roundedInt(kb)));
  return v128.andnot(y, f32x4.lt(x0, lo));
}

/** Scalar {@link expFiniteV}. */
// @ts-ignore: decorator
@inline
export function expFiniteS(x: f32): f32 {
  return f32x4.extract_lane(expFiniteV(f32x4.splat(x)), 0);
}

/**
 * 1 - e^-y per lane for y >= 0 (i.e. -expm1(-y)), relative error about 2e-7: its
 * Taylor series below 0.25, where 1 - e^-y would cancel, else from {@link expV}.
 */
// @ts-ignore: decorator
@inline
export function oneMinusExpNegV(y: v128): v128 {
  const small = f32x4.mul(y, poly5V(y, 1.0, -0.5, 1.0 / 6.0, -1.0 / 24.0, 1.0 / 120.0, -1.0 / 720.0));
  const big = f32x4.sub(f32x4.splat(1.0), expV(f32x4.neg(y)));
  return v128.bitselect(small, big, f32x4.lt(y, f32x4.splat(0.25)));
}

// ---- log, log1p ----

/**
 * Natural log per lane, relative error about 2e-7 (Cephes `logf`); log(0) = -inf,
 * log(x < 0) = NaN, log(inf) = inf, subnormal inputs handled. x = m 2^e with m in
 * [sqrt(1/2), sqrt(2)), log(m) by a polynomial in m - 1, e ln2 added in two parts.
 */
// @ts-ignore: decorator
@inline
export function logV(x0: v128): v128 {
  // Subnormals: scale by 2^25 first, and take 25 off the exponent.
  const tiny = f32x4.lt(x0, f32x4.splat(1.17549435e-38));
  const bits = v128.bitselect(f32x4.mul(x0, f32x4.splat(33554432.0)), x0, tiny);
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  e = f32x4.sub(e, v128.and(tiny, f32x4.splat(25.0)));
  // m in [0.5, 1), then in [sqrt(1/2), sqrt(2)) minus 1.
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = f32x4.sub(e, v128.and(small, f32x4.splat(1.0)));
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1.0));
  const z = f32x4.mul(m, m);
  let y = poly8V(
    m,
    3.3333331174e-1, -2.4999993993e-1, 2.0000714765e-1, -1.6668057665e-1, 1.4249322787e-1,
    -1.2420140846e-1, 1.1676998740e-1, -1.1514610310e-1, 7.0376836292e-2,
  );
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(e, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let res = f32x4.add(f32x4.add(m, y), f32x4.mul(e, f32x4.splat(LN2_HI)));
  const inf = f32x4.splat(Infinity);
  res = v128.bitselect(inf, res, f32x4.eq(x0, inf));
  res = v128.bitselect(f32x4.neg(inf), res, f32x4.eq(x0, f32x4.splat(0.0)));
  // Negative inputs and NaN: NaN.
  return v128.bitselect(f32x4.splat(NaN), res, v128.not(f32x4.ge(x0, f32x4.splat(0.0))));
}

/**
 * log(1 + t) per lane for t in [0, 1], relative error about 1e-7, exact in relative
 * terms for tiny t: log1p(t) = 2 atanh(s) with s = t / (2 + t) <= 1/3, summed as the
 * odd series of atanh up to s^13 (the next term is below 2e-8 relative).
 */
// @ts-ignore: decorator
@inline
export function log1pUnitV(t: v128): v128 {
  const s = f32x4.div(t, f32x4.add(t, f32x4.splat(2)));
  const p = poly6V(f32x4.mul(s, s), 1.0, 1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0, 1.0 / 9.0, 1.0 / 11.0, 1.0 / 13.0);
  return f32x4.mul(f32x4.add(s, s), p);
}

// ---- tanh ----

/**
 * tanh(z) per lane, relative error about 3e-7: Taylor series up to z^15 for |z| < 0.25
 * (where 1 - e^-2|z| would cancel), else (1 - e) / (1 + e) with e = e^-2|z|, sign restored.
 */
// @ts-ignore: decorator
@inline
export function tanhV(z: v128): v128 {
  const a = f32x4.abs(z);
  const e = expV(f32x4.mul(a, f32x4.splat(-2)));
  let big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  big = v128.or(big, v128.and(z, i32x4.splat(<i32>0x80000000)));
  const z2 = f32x4.mul(z, z);
  const p = poly6V(
    z2,
    -1.0 / 3.0, 2.0 / 15.0, -17.0 / 315.0, 62.0 / 2835.0, -1382.0 / 155925.0, 21844.0 / 6081075.0, -929569.0 / 638512875.0,
  );
  const small = f32x4.add(z, f32x4.mul(f32x4.mul(z, z2), p));
  return v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.25)));
}

// ---- sin, cos of radians ----

/**
 * Reduces z = n pi + r with |r| <= pi/2 (three-part Cody-Waite pi, good for |z| up to
 * about 1e4) and returns r, for n = nearest(z / pi) given as a float.
 */
// @ts-ignore: decorator
@inline
function reducePi(z: v128, n: v128): v128 {
  let r = f32x4.sub(z, f32x4.mul(n, f32x4.splat(3.140625)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(9.67502593994140625e-4)));
  return f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.509957990978376432e-7)));
}

/** nearest(z / pi) per lane, as a float. */
// @ts-ignore: decorator
@inline
function halfTurnsOf(z: v128): v128 {
  return f32x4.nearest(f32x4.mul(z, f32x4.splat(0.318309886183790672)));
}

/** (-1)^n as a sign bit per lane, for integer-valued float lanes n. */
// @ts-ignore: decorator
@inline
function paritySign(n: v128): v128 {
  return i32x4.shl(i32x4.trunc_sat_f32x4_s(n), 31);
}

/**
 * sin(z) per lane, absolute error about 1.2e-7 for |z| up to 1e4: sin(n pi + r) =
 * (-1)^n sin(r), Taylor series of sin(r) up to r^13 (error below 1e-9 on |r| <= pi/2).
 * One polynomial: faster than the quadrant method of {@link sinPiV} when only sin is wanted.
 */
// @ts-ignore: decorator
@inline
export function sinV(z: v128): v128 {
  const n = halfTurnsOf(z);
  const r = reducePi(z, n);
  const r2 = f32x4.mul(r, r);
  const p = poly5V(r2, -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0, -1.0 / 39916800.0, 1.0 / 6227020800.0);
  return v128.xor(f32x4.add(r, f32x4.mul(f32x4.mul(r, r2), p)), paritySign(n));
}

/**
 * cos(z) per lane, absolute error about 1.6e-7 for |z| up to 1e4: cos(n pi + r) =
 * (-1)^n cos(r), Taylor series of cos(r) up to r^14 (error below 1e-8 on |r| <= pi/2).
 */
// @ts-ignore: decorator
@inline
export function cosV(z: v128): v128 {
  const n = halfTurnsOf(z);
  const r = reducePi(z, n);
  const r2 = f32x4.mul(r, r);
  const p = poly7V(
    r2, 1.0, -0.5, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0, -1.0 / 3628800.0, 1.0 / 479001600.0, -1.0 / 87178291200.0,
  );
  return v128.xor(p, paritySign(n));
}

// ---- sin(pi y), cos(pi y) ----
//
// For arguments that are exact multiples of pi (positional encodings: y = 2^k x is
// exact in float32): y is reduced modulo 1/2 exactly (no rounded pi enters the
// reduction), so the error is that of the polynomials on [-pi/4, pi/4], about 1e-7
// absolute for any |y|. sin and cos of one y share the reduction and both
// polynomials (each result picks one by quadrant), and binaryen does not merge two
// such computations, so they come in parts:
//   turns = halfTurnsPi(y); r = halfTurnRemainder(y, turns);
//   s = sinPiPoly(r); c = cosPiPoly(r); q = quadrant(turns);
//   sin(pi y) = sinPiFromParts(s, c, q); cos(pi y) = cosPiFromParts(s, c, q).

// Taylor coefficients of sin(pi r) and cos(pi r) in r; |r| <= 1/4 keeps the first
// omitted term below 2e-9 (sin) and 1.1e-10 (cos).
// @ts-ignore: decorator
@inline const S1: f32 = 3.1415926535897931;
// @ts-ignore: decorator
@inline const S3: f32 = -5.1677127800499694;
// @ts-ignore: decorator
@inline const S5: f32 = 2.5501640398773451;
// @ts-ignore: decorator
@inline const S7: f32 = -0.59926452932079188;
// @ts-ignore: decorator
@inline const S9: f32 = 0.082145886611128191;
// @ts-ignore: decorator
@inline const C2: f32 = -4.934802200544679;
// @ts-ignore: decorator
@inline const C4: f32 = 4.0587121264167676;
// @ts-ignore: decorator
@inline const C6: f32 = -1.3352627688545893;
// @ts-ignore: decorator
@inline const C8: f32 = 0.23533063035889312;
// @ts-ignore: decorator
@inline const C10: f32 = -0.025806891390014051;

/** nearest(2y) per lane: the number of half turns of pi y, as a float. */
// @ts-ignore: decorator
@inline
export function halfTurnsPi(y: v128): v128 {
  return f32x4.nearest(f32x4.add(y, y));
}

/** The remainder r = y - turns / 2 of y after {@link halfTurnsPi}, |r| <= 1/4; exact in float32. */
// @ts-ignore: decorator
@inline
export function halfTurnRemainder(y: v128, turns: v128): v128 {
  return f32x4.sub(y, f32x4.mul(turns, f32x4.splat(0.5)));
}

/** turns mod 4 as i32 lanes in {0, 1, 2, 3}; exact for every float (large ones are multiples of 4). */
// @ts-ignore: decorator
@inline
export function quadrant(turns: v128): v128 {
  const m = f32x4.sub(turns, f32x4.mul(f32x4.floor(f32x4.mul(turns, f32x4.splat(0.25))), f32x4.splat(4)));
  return i32x4.trunc_sat_f32x4_s(m);
}

/** sin(pi r) per lane for |r| <= 1/4. */
// @ts-ignore: decorator
@inline
export function sinPiPoly(r: v128): v128 {
  return f32x4.mul(r, poly4V(f32x4.mul(r, r), S1, S3, S5, S7, S9));
}

/** cos(pi r) per lane for |r| <= 1/4. */
// @ts-ignore: decorator
@inline
export function cosPiPoly(r: v128): v128 {
  return poly5V(f32x4.mul(r, r), 1.0, C2, C4, C6, C8, C10);
}

/** sin(pi y) from the polynomials s = sin(pi r), c = cos(pi r) and the quadrant q of y. */
// @ts-ignore: decorator
@inline
export function sinPiFromParts(s: v128, c: v128, q: v128): v128 {
  const odd = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const sign = i32x4.shl(v128.and(q, i32x4.splat(2)), 30);
  return v128.xor(v128.bitselect(c, s, odd), sign);
}

/** cos(pi y) from the polynomials s = sin(pi r), c = cos(pi r) and the quadrant q of y. */
// @ts-ignore: decorator
@inline
export function cosPiFromParts(s: v128, c: v128, q: v128): v128 {
  const odd = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const sign = i32x4.shl(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), 30);
  return v128.xor(v128.bitselect(s, c, odd), sign);
}
