import { rangeStart } from "./partition";

/**
 * Measures the SIMD128 arithmetic ceiling: `iterations` rounds of 7 independent
 * f32x4 additions and 7 independent f32x4 multiplications (56 FLOP a round):
 * enough independent chains to fill two adder and two multiplier pipes of
 * 3-cycle latency, few enough (16 live vectors with the two constants) to stay
 * in x86-64's 16 vector registers (with 8 + 8 chains V8 spills and runs at a
 * third of the speed). Each thread writes one float to `out` + 4 * tid so the work cannot
 * be optimized away.
 */
export function simdPeakProbe(iterations: i32, out: usize, tid: i32, numThreads: i32): void {
  const n = rangeStart(iterations, tid + 1, numThreads) - rangeStart(iterations, tid, numThreads);
  const d = f32x4.splat(1e-7);
  const c = f32x4.splat(0.9999999);
  let a0 = f32x4.splat(1.0), a1 = f32x4.splat(1.1), a2 = f32x4.splat(1.2);
  let a3 = f32x4.splat(1.3), a4 = f32x4.splat(1.4), a5 = f32x4.splat(1.5), a6 = f32x4.splat(1.6);
  let m0 = f32x4.splat(1.0), m1 = f32x4.splat(1.1), m2 = f32x4.splat(1.2);
  let m3 = f32x4.splat(1.3), m4 = f32x4.splat(1.4), m5 = f32x4.splat(1.5), m6 = f32x4.splat(1.6);
  for (let i = 0; i < n; i++) {
    a0 = f32x4.add(a0, d); m0 = f32x4.mul(m0, c);
    a1 = f32x4.add(a1, d); m1 = f32x4.mul(m1, c);
    a2 = f32x4.add(a2, d); m2 = f32x4.mul(m2, c);
    a3 = f32x4.add(a3, d); m3 = f32x4.mul(m3, c);
    a4 = f32x4.add(a4, d); m4 = f32x4.mul(m4, c);
    a5 = f32x4.add(a5, d); m5 = f32x4.mul(m5, c);
    a6 = f32x4.add(a6, d); m6 = f32x4.mul(m6, c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(f32x4.add(a2, a3), f32x4.add(f32x4.add(a4, a5), a6))),
    f32x4.add(f32x4.add(m0, m1), f32x4.add(f32x4.add(m2, m3), f32x4.add(f32x4.add(m4, m5), m6))),
  );
  store<f32>(out + (<usize>tid << 2), f32x4.extract_lane(s, 0));
}
