import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { choleskyFactor, choleskySolve, solveBlockTridiagonal } from "./linalg.js";

describe("solveBlockTridiagonal", () => {
  it("matches a dense Cholesky solve of the same system", () => {
    const rng = new Random(4);
    const n = 5, count = 6, size = n * count;
    const diag = Array.from({ length: count }, () => {
      // A random symmetric positive-definite block: B B^T + n I.
      const b = Array.from({ length: n * n }, () => rng.normal());
      const d = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
        d[i * n + j] = s;
      }
      return d;
    });
    const couple = Array.from({ length: count - 1 }, (_, i) => Float64Array.from({ length: n }, (_, k) => (i === 2 && k === 1 ? 0 : 0.5 + rng.uniform())));
    const rhs = Float64Array.from({ length: size }, () => rng.normal());
    const dense = new Float64Array(size * size);
    diag.forEach((d, i) => { for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) dense[(i * n + r) * size + i * n + c] = d[r * n + c]; });
    couple.forEach((c, i) => { for (let k = 0; k < n; k++) dense[(i * n + k) * size + (i + 1) * n + k] = dense[((i + 1) * n + k) * size + i * n + k] = -c[k]; });
    const expected = Float64Array.from(rhs);
    expect(choleskyFactor(dense, size)).toBe(true);
    choleskySolve(dense, size, expected);
    const got = Float64Array.from(rhs);
    expect(solveBlockTridiagonal(diag.map((d) => Float64Array.from(d)), couple, got, n)).toBe(true);
    for (let i = 0; i < size; i++) expect(got[i]).toBeCloseTo(expected[i], 10);
  });

  it("reports a block that is not positive definite", () => {
    expect(solveBlockTridiagonal([Float64Array.from([-1])], [], Float64Array.from([1]), 1)).toBe(false);
  });
});
