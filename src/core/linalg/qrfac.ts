/**
 * Householder QR factorisation with column pivoting of a column-major m x n matrix (m >= n).
 * MINPACK qrfac, Moré, Garbow & Hillstrom (1980): A P = Q R with |R_00| >= |R_11| >= ...
 *
 * Storage: a[i + j*m] = A(i, j). On return the strict upper triangle of a holds the strict
 * upper triangle of R, rdiag its diagonal, and the lower trapezoid (diagonal included) the
 * Householder vectors; ipvt[j] = original index of the j-th column of A P; acnorm the column
 * norms of the original A.
 */
import { enorm } from './enorm';

const EPS = 2.220446049250313e-16;

export function qrfac(
  m: number,
  n: number,
  a: Float64Array,
  ipvt: Int32Array,
  rdiag: Float64Array,
  acnorm: Float64Array,
  wa: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    const c = enorm(m, a, j * m);
    acnorm[j] = c;
    rdiag[j] = c;
    wa[j] = c;
    ipvt[j] = j;
  }
  const minmn = Math.min(m, n);
  for (let j = 0; j < minmn; j++) {
    // bring the column of largest remaining norm into the pivot position
    let kmax = j;
    for (let k = j; k < n; k++) if (rdiag[k] > rdiag[kmax]) kmax = k;
    if (kmax !== j) {
      const oj = j * m;
      const ok = kmax * m;
      for (let i = 0; i < m; i++) {
        const t = a[oj + i];
        a[oj + i] = a[ok + i];
        a[ok + i] = t;
      }
      rdiag[kmax] = rdiag[j];
      wa[kmax] = wa[j];
      const t = ipvt[j];
      ipvt[j] = ipvt[kmax];
      ipvt[kmax] = t;
    }
    const oj = j * m;
    let ajnorm = enorm(m - j, a, oj + j);
    if (ajnorm !== 0) {
      if (a[oj + j] < 0) ajnorm = -ajnorm;
      for (let i = j; i < m; i++) a[oj + i] /= ajnorm;
      a[oj + j] += 1;
      const ajj = a[oj + j];
      // apply the reflector to the remaining columns and update their norms
      for (let k = j + 1; k < n; k++) {
        const ok = k * m;
        let sum = 0;
        for (let i = j; i < m; i++) sum += a[oj + i] * a[ok + i];
        const temp = sum / ajj;
        for (let i = j; i < m; i++) a[ok + i] -= temp * a[oj + i];
        if (rdiag[k] !== 0) {
          const t = a[ok + j] / rdiag[k];
          rdiag[k] *= Math.sqrt(Math.max(0, 1 - t * t));
          const q = rdiag[k] / wa[k];
          if (0.05 * q * q <= EPS) {
            rdiag[k] = enorm(m - j - 1, a, ok + j + 1);
            wa[k] = rdiag[k];
          }
        }
      }
    }
    rdiag[j] = -ajnorm;
  }
}

/** Overwrites v (length m) with Q^T v using the Householder vectors left in a by qrfac. */
export function applyQt(m: number, n: number, a: Float64Array, v: Float64Array): void {
  const minmn = Math.min(m, n);
  for (let j = 0; j < minmn; j++) {
    const oj = j * m;
    const ajj = a[oj + j];
    if (ajj !== 0) {
      let sum = 0;
      for (let i = j; i < m; i++) sum += a[oj + i] * v[i];
      const temp = -sum / ajj;
      for (let i = j; i < m; i++) v[i] += a[oj + i] * temp;
    }
  }
}
