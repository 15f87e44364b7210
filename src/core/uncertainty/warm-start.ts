/**
 * Starting points for re-optimisation when some parameters are held at new values.
 *
 * Near the minimum the statistic is a quadratic form with covariance C, and the conditional
 * minimum over the other parameters O given the held ones H moves linearly with them (the
 * regression of O on H; the same linear prediction MINOS uses for its starting points, James
 * 1980, "Interpretation of the shape of the likelihood function around its minimum"):
 *     theta_O = theta_O(ref) + C_OH C_HH^-1 (theta_H - theta_H(ref)).
 * `regressionSlopes` returns B = C_OH C_HH^-1 (n x nh row-major, zero rows for the held ones),
 * `shiftedStart` applies it from a reference solution (the best fit or an already solved
 * neighbour point) and clips to the bounds. Parameters whose covariance is not finite get slope 0
 * (they simply keep their reference value).
 */

/** n x n covariance given as number[][] or a row-major array */
export type CovarianceInput = number[][] | ArrayLike<number>;

export function covEntry(cov: CovarianceInput, n: number, a: number, b: number): number {
  if (Array.isArray(cov) && Array.isArray(cov[0])) return (cov as number[][])[a][b];
  return (cov as ArrayLike<number>)[a * n + b];
}

/**
 * Slopes B (n x held.length, row-major) of the conditional minimum of all parameters on the held
 * ones. Null covariance gives all zeros.
 */
export function regressionSlopes(cov: CovarianceInput | null | undefined, n: number, held: number[]): Float64Array {
  const nh = held.length;
  const b = new Float64Array(n * nh);
  if (!cov) return b;
  // C_HH and its inverse (nh is 1 or 2 here, but any size works through Gauss-Jordan)
  const chh = new Float64Array(nh * nh);
  for (let p = 0; p < nh; p++) for (let q = 0; q < nh; q++) chh[p * nh + q] = covEntry(cov, n, held[p], held[q]);
  const inv = invertSmall(chh, nh);
  if (!inv) return b;
  const isHeld = new Uint8Array(n);
  for (const h of held) isHeld[h] = 1;
  for (let o = 0; o < n; o++) {
    if (isHeld[o]) continue;
    let ok = true;
    const row = new Float64Array(nh);
    for (let p = 0; p < nh; p++) {
      const c = covEntry(cov, n, o, held[p]);
      if (!Number.isFinite(c)) ok = false;
      row[p] = c;
    }
    if (!ok) continue;
    for (let q = 0; q < nh; q++) {
      let s = 0;
      for (let p = 0; p < nh; p++) s += row[p] * inv[p * nh + q];
      b[o * nh + q] = Number.isFinite(s) ? s : 0;
    }
  }
  return b;
}

/** inverse of a small symmetric matrix by Gauss-Jordan with partial pivoting; null if singular / not finite */
export function invertSmall(a: Float64Array, n: number): Float64Array | null {
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(a[i])) return null;
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(m[i * n + i]));
  if (!(scale > 0)) return null;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (Math.abs(m[piv * n + c]) <= 1e-14 * scale) return null;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        [m[c * n + k], m[piv * n + k]] = [m[piv * n + k], m[c * n + k]];
        [inv[c * n + k], inv[piv * n + k]] = [inv[piv * n + k], inv[c * n + k]];
      }
    }
    const d = m[c * n + c];
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= d;
      inv[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/**
 * A start vector for holding `held` at `values`: the reference solution `from` (whose held
 * entries are `from[held[p]]`) shifted by the regression slopes, held entries set, everything
 * clipped to [lower, upper].
 */
export function shiftedStart(
  from: ArrayLike<number>,
  held: number[],
  values: ArrayLike<number>,
  slopes: Float64Array | null,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): Float64Array {
  const n = from.length;
  const nh = held.length;
  const out = Float64Array.from(from);
  if (slopes) {
    for (let o = 0; o < n; o++) {
      let s = 0;
      for (let p = 0; p < nh; p++) s += slopes[o * nh + p] * (values[p] - from[held[p]]);
      out[o] += s;
    }
  }
  for (let p = 0; p < nh; p++) out[held[p]] = values[p];
  for (let k = 0; k < n; k++) {
    if (out[k] < lower[k]) out[k] = lower[k];
    else if (out[k] > upper[k]) out[k] = upper[k];
    if (!Number.isFinite(out[k])) out[k] = from[k];
  }
  for (let p = 0; p < nh; p++) out[held[p]] = values[p];
  return out;
}

/** held mask (1 = held) for the given indices */
export function heldMask(n: number, held: number[]): Uint8Array {
  const m = new Uint8Array(n);
  for (const h of held) m[h] = 1;
  return m;
}
