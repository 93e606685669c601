import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { choleskyFactor, choleskySolve, solveBlockBanded } from "./linalg.js";

/** A random symmetric positive-definite `n x n` block: B B^T + n I. */
function spdBlock(rng: Random, n: number): Float64Array {
  const b = Array.from({ length: n * n }, () => rng.normal());
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? n : 0;
    for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
    d[i * n + j] = s;
  }
  return d;
}

/** Solves the block-banded system densely (the reference), and with solveBlockBanded. */
function bothSolves(n: number, count: number, withFar: boolean, seed: number): { expected: Float64Array; got: Float64Array } {
  const rng = new Random(seed);
  const size = n * count;
  const diag = Array.from({ length: count }, () => spdBlock(rng, n));
  // Off-diagonal entries small enough that the whole matrix stays positive definite; one left at zero.
  const near = Array.from({ length: count - 1 }, (_, i) => Float64Array.from({ length: n }, (_, k) => (i === 2 && k === 1 ? 0 : rng.uniform() - 0.5)));
  const far = withFar ? Array.from({ length: count - 2 }, () => Float64Array.from({ length: n }, () => 0.5 * (rng.uniform() - 0.5))) : [];
  const rhs = Float64Array.from({ length: size }, () => rng.normal());
  const dense = new Float64Array(size * size);
  diag.forEach((d, i) => { for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) dense[(i * n + r) * size + i * n + c] = d[r * n + c]; });
  const band = (blocks: Float64Array[], offset: number): void => blocks.forEach((c, i) => {
    for (let k = 0; k < n; k++) dense[((i + offset) * n + k) * size + i * n + k] = dense[(i * n + k) * size + (i + offset) * n + k] = c[k];
  });
  band(near, 1);
  band(far, 2);
  const expected = Float64Array.from(rhs);
  expect(choleskyFactor(dense, size)).toBe(true);
  choleskySolve(dense, size, expected);
  const got = Float64Array.from(rhs);
  expect(solveBlockBanded(diag.map((d) => Float64Array.from(d)), near, far, got, n)).toBe(true);
  return { expected, got };
}

describe("solveBlockBanded", () => {
  it("matches a dense Cholesky solve of a block-tridiagonal system", () => {
    const { expected, got } = bothSolves(5, 6, false, 4);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i], 10);
  });

  it("matches a dense Cholesky solve with the second band (second differences)", () => {
    for (const count of [1, 2, 3, 7]) {
      const { expected, got } = bothSolves(4, count, count >= 3, 10 + count);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i], 10);
    }
  });

  it("reports a matrix that is not positive definite", () => {
    expect(solveBlockBanded([Float64Array.from([-1])], [], [], Float64Array.from([1]), 1)).toBe(false);
    // Positive blocks, but the coupling makes the whole indefinite.
    expect(solveBlockBanded([Float64Array.from([1]), Float64Array.from([1])], [Float64Array.from([2])], [], Float64Array.from([1, 1]), 1)).toBe(false);
  });
});
