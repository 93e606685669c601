import { describe, expect, it } from "vitest";
import { Random } from "./random.js";

describe("Random", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = [...Array(8)].map(() => a.nextUint32());
    expect([...Array(8)].map(() => b.nextUint32())).toEqual(sa);
    expect([...Array(8)].map(() => c.nextUint32())).not.toEqual(sa);
  });

  it("has uniform and normal samples with the right moments", () => {
    const r = new Random(1);
    const n = 200_000;
    let su = 0, suu = 0, sn = 0, snn = 0, min = 1, max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      su += u; suu += u * u;
      min = Math.min(min, u); max = Math.max(max, u);
      const z = r.normal();
      sn += z; snn += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(suu / n - (su / n) ** 2).toBeCloseTo(1 / 12, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sn / n).toBeCloseTo(0, 2);
    expect(snn / n).toBeCloseTo(1, 1);
  });

  it("fills tensors with the requested spread", () => {
    const r = new Random(3);
    const t = r.randn([100, 100], 0.5);
    const d = t.data;
    let s2 = 0;
    for (const v of d) s2 += v * v;
    expect(Math.sqrt(s2 / d.length)).toBeCloseTo(0.5, 1);
    const u = r.randUniform([1000], -2, -1).data;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(-1);
    t.dispose();
  });
});
