/**
 * Dense LU factorisation with partial pivoting (Doolittle, row interchanges), for the small
 * systems of the optimizers. a: row-major n x n, overwritten by L (unit, strict lower) and U.
 * Returns false when a pivot is exactly zero.
 */
export function luFactor(n: number, a: Float64Array, piv: Int32Array): boolean {
  for (let i = 0; i < n; i++) piv[i] = i;
  let ok = true;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j];
        a[k * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
      const t = piv[k];
      piv[k] = piv[p];
      piv[p] = t;
    }
    const akk = a[k * n + k];
    if (akk === 0) {
      ok = false;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const l = (a[i * n + k] /= akk);
      if (l !== 0) for (let j = k + 1; j < n; j++) a[i * n + j] -= l * a[k * n + j];
    }
  }
  return ok;
}

/** Solves A x = b with the factors from luFactor; b is overwritten by x. */
export function luSolve(n: number, lu: Float64Array, piv: Int32Array, b: Float64Array, work: Float64Array): void {
  for (let i = 0; i < n; i++) work[i] = b[piv[i]];
  for (let i = 0; i < n; i++) {
    let s = work[i];
    for (let j = 0; j < i; j++) s -= lu[i * n + j] * work[j];
    work[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = work[i];
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * work[j];
    work[i] = s / lu[i * n + i];
  }
  for (let i = 0; i < n; i++) b[i] = work[i];
}

/** Inverse of a small dense row-major matrix; returns null when singular. */
export function invert(n: number, a: Float64Array): Float64Array | null {
  const lu = Float64Array.from(a);
  const piv = new Int32Array(n);
  if (!luFactor(n, lu, piv)) return null;
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  const work = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    luSolve(n, lu, piv, col, work);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  return inv;
}
