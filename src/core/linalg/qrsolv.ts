/**
 * Given A P = Q R (R upper triangular, n x n), a diagonal D and b, solves the damped system
 *   min || [A; D] x - [b; 0] ||   via   R^T-style Givens elimination of D (MINPACK qrsolv, Moré 1978).
 *
 * r: column-major n x n, r[i + j*n] = R(i, j). The full upper triangle is preserved; the strict
 * lower triangle receives the strict upper triangle of S (transposed), where P^T (A^T A + D D) P = S^T S,
 * and sdiag the diagonal of S. qtb = first n components of Q^T b. x receives the solution.
 */
export function qrsolv(
  n: number,
  r: Float64Array,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  x: Float64Array,
  sdiag: Float64Array,
  wa: Float64Array,
): void {
  // copy R and Q^T b; save the diagonal of R in x
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) r[i + j * n] = r[j + i * n];
    x[j] = r[j + j * n];
    wa[j] = qtb[j];
  }
  // eliminate the diagonal matrix D with Givens rotations
  for (let j = 0; j < n; j++) {
    const l = ipvt[j];
    if (diag[l] !== 0) {
      for (let k = j; k < n; k++) sdiag[k] = 0;
      sdiag[j] = diag[l];
      let qtbpj = 0;
      for (let k = j; k < n; k++) {
        if (sdiag[k] === 0) continue;
        const rkk = r[k + k * n];
        let cos: number;
        let sin: number;
        if (Math.abs(rkk) < Math.abs(sdiag[k])) {
          const cotan = rkk / sdiag[k];
          sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
          cos = sin * cotan;
        } else {
          const tan = sdiag[k] / rkk;
          cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
          sin = cos * tan;
        }
        r[k + k * n] = cos * rkk + sin * sdiag[k];
        const temp = cos * wa[k] + sin * qtbpj;
        qtbpj = -sin * wa[k] + cos * qtbpj;
        wa[k] = temp;
        const ok = k * n;
        for (let i = k + 1; i < n; i++) {
          const t = cos * r[i + ok] + sin * sdiag[i];
          sdiag[i] = -sin * r[i + ok] + cos * sdiag[i];
          r[i + ok] = t;
        }
      }
    }
    sdiag[j] = r[j + j * n];
    r[j + j * n] = x[j];
  }
  // solve the triangular system; least-squares solution when singular
  let nsing = n;
  for (let j = 0; j < n; j++) {
    if (sdiag[j] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa[j] = 0;
  }
  for (let k = nsing - 1; k >= 0; k--) {
    let sum = 0;
    const ok = k * n;
    for (let i = k + 1; i < nsing; i++) sum += r[i + ok] * wa[i];
    wa[k] = (wa[k] - sum) / sdiag[k];
  }
  for (let j = 0; j < n; j++) x[ipvt[j]] = wa[j];
}
