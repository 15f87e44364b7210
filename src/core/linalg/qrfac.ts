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
      // apply the reflector to the remaining columns (two at a time: the reflector is read once
      // per pair, which is what limits speed on tall Jacobians) and update their norms
      for (let k = j + 1; k < n; k++) {
        const ok = k * m;
        if (k + 1 < n) {
          const ok1 = ok + m;
          let s0 = 0;
          let s1 = 0;
          for (let i = j; i < m; i++) {
            const v = a[oj + i];
            s0 += v * a[ok + i];
            s1 += v * a[ok1 + i];
          }
          const t0 = s0 / ajj;
          const t1 = s1 / ajj;
          for (let i = j; i < m; i++) {
            const v = a[oj + i];
            a[ok + i] -= t0 * v;
            a[ok1 + i] -= t1 * v;
          }
          updateNorm(k, j, m, a, rdiag, wa);
          updateNorm(k + 1, j, m, a, rdiag, wa);
          k++;
          continue;
        }
        let sum = 0;
        for (let i = j; i < m; i++) sum += a[oj + i] * a[ok + i];
        const temp = sum / ajj;
        for (let i = j; i < m; i++) a[ok + i] -= temp * a[oj + i];
        updateNorm(k, j, m, a, rdiag, wa);
      }
    }
    rdiag[j] = -ajnorm;
  }
}

/** MINPACK's downdate of the remaining norm of column k after reflector j (recomputed when it loses accuracy). */
function updateNorm(k: number, j: number, m: number, a: Float64Array, rdiag: Float64Array, wa: Float64Array): void {
  const ok = k * m;
  if (rdiag[k] === 0) return;
  const t = a[ok + j] / rdiag[k];
  rdiag[k] *= Math.sqrt(Math.max(0, 1 - t * t));
  const q = rdiag[k] / wa[k];
  if (0.05 * q * q <= EPS) {
    rdiag[k] = enorm(m - j - 1, a, ok + j + 1);
    wa[k] = rdiag[k];
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
