/**
 * Dense helpers for the small (k x k, k up to a few tens) symmetric systems of the cube fits.
 * Matrices are row-major in a flat Float64Array with leading dimension `ld`.
 * Cholesky factorisation A = L L^T (Golub & Van Loan, "Matrix Computations", alg. 4.2.1).
 */

/** In place: the lower triangle of a becomes L. Returns false when a is not (numerically) positive definite. */
export function cholesky(a: Float64Array, n: number, ld: number = n): boolean {
  for (let j = 0; j < n; j++) {
    const oj = j * ld;
    let d = a[oj + j];
    for (let k = 0; k < j; k++) d -= a[oj + k] * a[oj + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[oj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const oi = i * ld;
      let s = a[oi + j];
      for (let k = 0; k < j; k++) s -= a[oi + k] * a[oj + k];
      a[oi + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L L^T x = b in place (b becomes x), with L from `cholesky`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, ld: number = n): void {
  for (let i = 0; i < n; i++) {
    const oi = i * ld;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[oi + k] * b[k];
    b[i] = s / l[oi + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * ld + i] * b[k];
    b[i] = s / l[i * ld + i];
  }
}

/**
 * diag(A^-1) from the Cholesky factor: A^-1 = L^-T L^-1, so (A^-1)_jj = sum_i (L^-1)_ij^2.
 * `work` needs n entries.
 */
export function choleskyInverseDiagonal(l: Float64Array, n: number, out: Float64Array, work: Float64Array, ld: number = n): void {
  out.fill(0, 0, n);
  // column j of L^-1: solve L z = e_j (z_i = 0 for i < j)
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) work[i] = 0;
    for (let i = j; i < n; i++) {
      const oi = i * ld;
      let s = i === j ? 1 : 0;
      for (let k = j; k < i; k++) s -= l[oi + k] * work[k];
      work[i] = s / l[oi + i];
    }
    for (let i = j; i < n; i++) out[j] += work[i] * work[i];
  }
}
