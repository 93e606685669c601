/**
 * Small dense linear algebra for the landmark fitter: symmetric positive-definite
 * solves by Cholesky factorization, in float64, row-major `n x n` arrays. The
 * systems are the Gauss-Newton normal equations of a few dozen unknowns.
 */

/**
 * In-place Cholesky factorization A = L L^T of a symmetric positive-definite
 * `n x n` matrix (only the lower triangle is read; L overwrites it). Returns
 * false when a pivot is not positive (the matrix is not positive definite).
 */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L L^T x = b in place in `b` (offset `bOffset`), with L from {@link choleskyFactor}. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, bOffset = 0): void {
  forwardSolve(l, n, b, bOffset);
  backwardSolve(l, n, b, bOffset);
}

/** Solves L y = b in place (L lower triangular from {@link choleskyFactor}, `n x n`), `b` at `bOffset`. */
function forwardSolve(l: Float64Array, n: number, b: Float64Array, bOffset = 0): void {
  for (let i = 0; i < n; i++) {
    let s = b[bOffset + i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[bOffset + k];
    b[bOffset + i] = s / l[i * n + i];
  }
}

/** Solves L^T x = y in place (L lower triangular from {@link choleskyFactor}, `n x n`), `y` at `yOffset`. */
function backwardSolve(l: Float64Array, n: number, y: Float64Array, yOffset = 0): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = y[yOffset + i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * y[yOffset + k];
    y[yOffset + i] = s / l[i * n + i];
  }
}

/**
 * Solves the symmetric block-banded system whose diagonal blocks are `diag[i]`
 * (`n x n`, full symmetric; only the lower triangle is read) and whose blocks
 * below the diagonal are diagonal matrices: `near[i]` (length n) the block
 * between unknowns i + 1 and i, `far[i]` the block between i + 2 and i (the
 * temporal terms of a sequence produce exactly this shape: first differences
 * couple neighbours, second differences reach one further). Pass no `far`
 * blocks for a block-tridiagonal system. Block Cholesky factorization, whose
 * factor keeps the band (two full blocks below each diagonal one), in
 * O(count n^3). `diag` is overwritten; the solution replaces `rhs`
 * (`[count * n]`). Returns false when the matrix is not positive definite.
 */
export function solveBlockBanded(diag: Float64Array[], near: readonly Float64Array[], far: readonly Float64Array[], rhs: Float64Array, n: number): boolean {
  const count = diag.length;
  // below1[i] = L_{i+1,i}, below2[i] = L_{i+2,i}, full n x n, row-major.
  const below1: Float64Array[] = [], below2: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const s = diag[i];
    // S = A_ii - L_{i,i-1} L_{i,i-1}^T - L_{i,i-2} L_{i,i-2}^T (lower triangle).
    for (const l of [i >= 1 ? below1[i - 1] : null, i >= 2 ? below2[i - 2] : null]) {
      if (!l) continue;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c <= r; c++) {
          let t = 0;
          for (let k = 0; k < n; k++) t += l[r * n + k] * l[c * n + k];
          s[r * n + c] -= t;
        }
      }
    }
    if (!choleskyFactor(s, n)) return false;
    // L_{i+1,i} = (A_{i+1,i} - L_{i+1,i-1} L_{i,i-1}^T) L_ii^-T and L_{i+2,i} = A_{i+2,i} L_ii^-T, row by row.
    if (i + 1 < count) {
      const m = new Float64Array(n * n);
      const a = near[i];
      for (let r = 0; r < n; r++) m[r * n + r] = a[r];
      const l21 = i >= 1 ? below2[i - 1] : null, l11 = i >= 1 ? below1[i - 1] : null;
      if (l21 && l11) {
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < n; c++) {
            let t = 0;
            for (let k = 0; k < n; k++) t += l21[r * n + k] * l11[c * n + k];
            m[r * n + c] -= t;
          }
        }
      }
      for (let r = 0; r < n; r++) forwardSolve(s, n, m, r * n);
      below1.push(m);
    }
    if (i + 2 < count) {
      const m = new Float64Array(n * n);
      const a = far[i];
      if (a) for (let r = 0; r < n; r++) m[r * n + r] = a[r];
      for (let r = 0; r < n; r++) forwardSolve(s, n, m, r * n);
      below2.push(m);
    }
  }
  // L y = b, then L^T x = y.
  for (let i = 0; i < count; i++) {
    for (const [l, j] of [[i >= 1 ? below1[i - 1] : null, i - 1], [i >= 2 ? below2[i - 2] : null, i - 2]] as const) {
      if (!l) continue;
      for (let r = 0; r < n; r++) {
        let t = 0;
        for (let k = 0; k < n; k++) t += l[r * n + k] * rhs[j * n + k];
        rhs[i * n + r] -= t;
      }
    }
    forwardSolve(diag[i], n, rhs, i * n);
  }
  for (let i = count - 1; i >= 0; i--) {
    for (const [l, j] of [[i + 1 < count ? below1[i] : null, i + 1], [i + 2 < count ? below2[i] : null, i + 2]] as const) {
      if (!l) continue;
      for (let c = 0; c < n; c++) {
        let t = 0;
        for (let k = 0; k < n; k++) t += l[k * n + c] * rhs[j * n + k];
        rhs[i * n + c] -= t;
      }
    }
    backwardSolve(diag[i], n, rhs, i * n);
  }
  return true;
}
