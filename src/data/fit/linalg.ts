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
  for (let i = 0; i < n; i++) {
    let s = b[bOffset + i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[bOffset + k];
    b[bOffset + i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[bOffset + i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[bOffset + k];
    b[bOffset + i] = s / l[i * n + i];
  }
}

/**
 * Solves the symmetric block-tridiagonal system whose diagonal blocks are
 * `diag[i]` (`n x n`, full symmetric) and whose off-diagonal blocks between
 * block i and i + 1 are diagonal matrices `-couple[i]` (length n; the temporal
 * smoothness terms produce exactly this shape). Block Thomas algorithm (block
 * LDL^T), O(count n^3). `diag` is overwritten; the solution replaces `rhs`
 * ([count * n]). Returns false when a block is not positive definite.
 */
export function solveBlockTridiagonal(diag: Float64Array[], couple: Float64Array[], rhs: Float64Array, n: number): boolean {
  const count = diag.length;
  // Forward elimination: S_i = D_i - C_{i-1} S_{i-1}^-1 C_{i-1}; y_i = b_i + C_{i-1} S_{i-1}^-1 y_{i-1}.
  const inverseTimesCouple: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let i = 0; i < count; i++) {
    const s = diag[i];
    if (!choleskyFactor(s, n)) return false;
    if (i + 1 < count) {
      const c = couple[i];
      // M = S_i^-1 C_i (C_i diagonal): column k is S_i^-1 e_k c_k.
      const m = new Float64Array(n * n);
      for (let k = 0; k < n; k++) {
        if (c[k] === 0) continue;
        col.fill(0);
        col[k] = c[k];
        choleskySolve(s, n, col);
        for (let r = 0; r < n; r++) m[r * n + k] = col[r];
      }
      inverseTimesCouple.push(m);
      // y_{i+1} += C_i S_i^-1 y_i; uses the current (already eliminated) y_i.
      col.set(rhs.subarray(i * n, (i + 1) * n));
      choleskySolve(s, n, col);
      const next = diag[i + 1];
      for (let r = 0; r < n; r++) {
        rhs[(i + 1) * n + r] += c[r] * col[r];
        // S_{i+1} = D_{i+1} - C_i M (lower triangle suffices for the factorization).
        for (let k = 0; k <= r; k++) next[r * n + k] -= c[r] * m[r * n + k];
      }
    }
  }
  // Back substitution: x_i = S_i^-1 y_i + M_i x_{i+1}.
  const tmp = new Float64Array(n);
  for (let i = count - 1; i >= 0; i--) {
    tmp.set(rhs.subarray(i * n, (i + 1) * n));
    choleskySolve(diag[i], n, tmp);
    if (i + 1 < count) {
      const m = inverseTimesCouple[i];
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += m[r * n + k] * rhs[(i + 1) * n + k];
        tmp[r] += s;
      }
    }
    rhs.set(tmp, i * n);
  }
  return true;
}
