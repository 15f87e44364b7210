/**
 * The R factor of a pivoted QR of a tall matrix from its Gram matrix: A P = Q R with
 * R^T R = P^T A^T A P (pivoted Cholesky, greedy on the largest remaining diagonal, which picks the
 * same pivots as Householder QR with column pivoting), and Q^T b = R^-T P^T A^T b.
 * Costs m n^2 / 2 multiply-adds against 2 m n^2 for Householder, but squares the condition number,
 * so it refuses (returns false) unless the factor is well conditioned: min |R_jj| / max |R_jj| >
 * minRatio (default 1e-5, i.e. cond(A) below ~1e5 and cond(A^T A) below ~1e10, leaving the step
 * accurate to ~1e-6 relative). Callers fall back to Householder QR (qrfac) then.
 *
 * a: column-major, column k of the subset at a[cols[k] * m ...]; b: length m.
 * Outputs in MINPACK's layout: r (n x n column-major, ld n, upper triangle), ipvt (subset index of
 * each pivot), acnorm (column norms), qtb (first n entries of Q^T b).
 */
export interface CholeskyQrWork {
  gram: Float64Array;
  perm: Int32Array;
}

export function makeCholeskyQrWork(n: number): CholeskyQrWork {
  return { gram: new Float64Array(n * n), perm: new Int32Array(n) };
}

export function choleskyQr(
  m: number,
  n: number,
  a: Float64Array,
  cols: Int32Array,
  b: Float64Array,
  r: Float64Array,
  ipvt: Int32Array,
  acnorm: Float64Array,
  qtb: Float64Array,
  work: CholeskyQrWork,
  minRatio = 1e-5,
): boolean {
  const s = work.gram; // current (permuted) Schur complement, n x n, ld n
  const perm = work.perm;
  // Gram matrix and A^T b; column j is read once per four partner columns
  for (let j = 0; j < n; j++) {
    const oj = cols[j] * m;
    let bj = 0;
    for (let i = 0; i < m; i++) bj += a[oj + i] * b[i];
    qtb[j] = bj;
    let k = j;
    for (; k + 3 < n; k += 4) {
      const o0 = cols[k] * m;
      const o1 = cols[k + 1] * m;
      const o2 = cols[k + 2] * m;
      const o3 = cols[k + 3] * m;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < m; i++) {
        const v = a[oj + i];
        s0 += v * a[o0 + i];
        s1 += v * a[o1 + i];
        s2 += v * a[o2 + i];
        s3 += v * a[o3 + i];
      }
      s[j + k * n] = s[k + j * n] = s0;
      s[j + (k + 1) * n] = s[k + 1 + j * n] = s1;
      s[j + (k + 2) * n] = s[k + 2 + j * n] = s2;
      s[j + (k + 3) * n] = s[k + 3 + j * n] = s3;
    }
    for (; k < n; k++) {
      const ok = cols[k] * m;
      let sum = 0;
      for (let i = 0; i < m; i++) sum += a[oj + i] * a[ok + i];
      s[j + k * n] = sum;
      s[k + j * n] = sum;
    }
    acnorm[j] = Math.sqrt(s[j + j * n]);
    perm[j] = j;
  }
  let maxDiag = 0;
  for (let j = 0; j < n; j++) {
    // pivot: the largest remaining diagonal
    let p = j;
    for (let k = j + 1; k < n; k++) if (s[k + k * n] > s[p + p * n]) p = k;
    if (p !== j) {
      // symmetric swap of rows/columns j and p in s, and of the entries already in r's rows
      for (let i = 0; i < n; i++) {
        const t = s[i + j * n];
        s[i + j * n] = s[i + p * n];
        s[i + p * n] = t;
      }
      for (let i = 0; i < n; i++) {
        const t = s[j + i * n];
        s[j + i * n] = s[p + i * n];
        s[p + i * n] = t;
      }
      for (let i = 0; i < j; i++) {
        const t = r[i + j * n];
        r[i + j * n] = r[i + p * n];
        r[i + p * n] = t;
      }
      const t = perm[j];
      perm[j] = perm[p];
      perm[p] = t;
      const tb = qtb[j];
      qtb[j] = qtb[p];
      qtb[p] = tb;
    }
    const d = s[j + j * n];
    if (!(d > 0)) return false;
    const rjj = Math.sqrt(d);
    if (j === 0) maxDiag = rjj;
    else if (rjj < minRatio * maxDiag) return false;
    r[j + j * n] = rjj;
    for (let k = j + 1; k < n; k++) r[j + k * n] = s[j + k * n] / rjj;
    for (let k = j + 1; k < n; k++) {
      const rjk = r[j + k * n];
      for (let l = k; l < n; l++) {
        const v = s[k + l * n] - rjk * r[j + l * n];
        s[k + l * n] = v;
        s[l + k * n] = v;
      }
    }
  }
  for (let j = 0; j < n; j++) {
    ipvt[j] = perm[j];
    for (let i = j + 1; i < n; i++) r[i + j * n] = 0;
  }
  // Q^T b = R^-T (P^T A^T b): forward substitution (qtb already permuted)
  for (let j = 0; j < n; j++) {
    let sum = qtb[j];
    for (let i = 0; i < j; i++) sum -= r[i + j * n] * qtb[i];
    qtb[j] = sum / r[j + j * n];
  }
  return true;
}
