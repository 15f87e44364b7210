/**
 * Box-constrained linear least squares on the normal equations: minimise
 *   q(theta) = 1/2 theta^T G theta - b^T theta,   lower <= theta <= upper,
 * with G = D^T W D (k x k, positive definite) and b = D^T W (y - c); equivalent to minimising
 * ||W^1/2 (y - c - D theta)||^2 in the box.
 *
 * The active-set method of Lawson & Hanson ("Solving Least Squares Problems", 1974, ch. 23,
 * NNLS) with both lower and upper bounds, as in Stark & Parker's BVLS ("Bounded-variable least
 * squares: an algorithm and applications", Computational Statistics 10, 1995): variables are
 * free or held on a bound; the free ones solve the reduced system; when that solution leaves
 * the box the step is cut at the first bound met (which joins the bound set); when it is inside,
 * the bound variable whose gradient most strongly points into the box is freed; the KKT
 * conditions end it. With lower = 0 and upper = +Infinity it is exactly Lawson-Hanson NNLS.
 * It starts from the unconstrained solution clipped into the box (BVLS's warm start), so a
 * pixel whose unconstrained solution is feasible costs nothing extra.
 */
import { cholesky, choleskySolve } from './small-linalg';

export interface BoundedLsqWork {
  k: number;
  state: Int8Array;
  z: Float64Array;
  sub: Float64Array;
  rhs: Float64Array;
  free: Int32Array;
}

export function makeBoundedLsqWork(k: number): BoundedLsqWork {
  return {
    k,
    state: new Int8Array(k),
    z: new Float64Array(k),
    sub: new Float64Array(k * k),
    rhs: new Float64Array(k),
    free: new Int32Array(k),
  };
}

/**
 * Solves the box-constrained problem; `theta` holds the start on entry (any values; they are
 * clipped into the box) and the solution on exit. `atBound` (optional) gets -1/+1/0 per
 * variable. Returns the number of active-set iterations, or -1 when a reduced system is singular.
 */
export function boundedLeastSquares(
  G: Float64Array,
  b: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  theta: Float64Array,
  work: BoundedLsqWork,
  atBound?: Int8Array,
): number {
  const k = work.k;
  const { state, z, sub, rhs, free } = work;
  let scaleB = 0;
  for (let j = 0; j < k; j++) scaleB = Math.max(scaleB, Math.abs(b[j]));
  // warm start: clip, holding clipped variables on their bound
  for (let j = 0; j < k; j++) {
    if (!(theta[j] > lower[j])) {
      theta[j] = lower[j];
      state[j] = Number.isFinite(lower[j]) ? -1 : 0;
      if (state[j] === 0) theta[j] = 0;
    } else if (!(theta[j] < upper[j])) {
      theta[j] = upper[j];
      state[j] = Number.isFinite(upper[j]) ? 1 : 0;
      if (state[j] === 0) theta[j] = 0;
    } else state[j] = 0;
    if (lower[j] === upper[j]) {
      theta[j] = lower[j];
      state[j] = -1;
    }
  }
  const maxIter = 10 * k + 20;
  let iter = 0;
  let lastFreed = -1;
  for (; iter < maxIter; iter++) {
    // solve the reduced system, cutting steps at the bounds
    for (let inner = 0; inner <= k; inner++) {
      let nf = 0;
      for (let j = 0; j < k; j++) if (state[j] === 0) free[nf++] = j;
      if (nf === 0) break;
      for (let a = 0; a < nf; a++) {
        const ja = free[a];
        let r = b[ja];
        for (let j = 0; j < k; j++) if (state[j] !== 0) r -= G[ja * k + j] * theta[j];
        rhs[a] = r;
        for (let c = 0; c < nf; c++) sub[a * nf + c] = G[ja * k + free[c]];
      }
      if (!cholesky(sub, nf)) return -1;
      choleskySolve(sub, nf, rhs);
      let alpha = 1;
      let hit = -1;
      for (let a = 0; a < nf; a++) {
        const j = free[a];
        const zj = rhs[a];
        z[j] = zj;
        if (zj < lower[j]) {
          const t = (lower[j] - theta[j]) / (zj - theta[j]);
          if (t < alpha) {
            alpha = t;
            hit = j;
          }
        } else if (zj > upper[j]) {
          const t = (upper[j] - theta[j]) / (zj - theta[j]);
          if (t < alpha) {
            alpha = t;
            hit = j;
          }
        }
      }
      if (hit < 0) {
        for (let a = 0; a < nf; a++) theta[free[a]] = z[free[a]];
        break;
      }
      alpha = Math.max(0, alpha);
      for (let a = 0; a < nf; a++) {
        const j = free[a];
        theta[j] += alpha * (z[j] - theta[j]);
      }
      // the variable met first, and any other now on (or past) a bound, joins the bound set
      for (let a = 0; a < nf; a++) {
        const j = free[a];
        const tol = 1e-14 * Math.max(1, Math.abs(theta[j]));
        if (j === hit || theta[j] <= lower[j] + tol || theta[j] >= upper[j] - tol) {
          if (j === hit ? z[j] < lower[j] : theta[j] <= lower[j] + tol) {
            theta[j] = lower[j];
            state[j] = -1;
          } else {
            theta[j] = upper[j];
            state[j] = 1;
          }
        }
      }
    }
    // KKT: w = b - G theta is the negative gradient; a variable on its lower bound with w > 0
    // (or on its upper bound with w < 0) would improve the fit by moving into the box
    let best = -1;
    let bestW = 0;
    let scale = scaleB;
    for (let j = 0; j < k; j++) {
      let gj = 0;
      for (let c = 0; c < k; c++) gj += G[j * k + c] * theta[c];
      scale = Math.max(scale, Math.abs(gj));
    }
    const tol = 1e-11 * scale;
    for (let j = 0; j < k; j++) {
      if (state[j] === 0 || lower[j] === upper[j]) continue;
      let w = b[j];
      for (let c = 0; c < k; c++) w -= G[j * k + c] * theta[c];
      const v = state[j] < 0 ? w : -w;
      if (v > tol && v > bestW && j !== lastFreed) {
        bestW = v;
        best = j;
      }
    }
    if (best < 0) break;
    state[best] = 0;
    lastFreed = best;
  }
  if (atBound) for (let j = 0; j < k; j++) atBound[j] = state[j];
  return iter;
}
