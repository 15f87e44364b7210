/**
 * Nelder-Mead simplex (Nelder & Mead 1965) with the adaptive coefficients of Gao & Han 2012
 * ("Implementing the Nelder-Mead simplex algorithm with adaptive parameters") for n > 2:
 * reflection 1, expansion 1 + 2/n, contraction 3/4 - 1/(2n), shrink 1 - 1/n; the classic
 * (1, 2, 1/2, 1/2) for n <= 2.
 *
 * Bounds: every trial point is projected (clamped) onto the box, so the simplex may flatten onto
 * a face that holds the minimum; a minimum on a bound is reached exactly. Restarts rebuild a full
 * simplex around the best point when the simplex has converged (to confirm it) or stagnates
 * (no improvement for 20 (n + 1) iterations); the run ends when a restart gains less than ftol
 * (relative, with values below 1e-14 |f(theta0)| counting as zero).
 * Non-finite values count as +Infinity.
 */
import type { OptimizeOptions, OptimizeResult, ScalarProblem } from './problem';

export interface SimplexOptions extends OptimizeOptions {
  /** initial step per parameter (default 5% of |theta0|, 0.00025 for zero) */
  initialStep?: ArrayLike<number>;
  /** restarts after convergence or stagnation (default 10) */
  maxRestarts?: number;
}

export interface SimplexResult extends OptimizeResult {
  restarts: number;
}

export function nelderMead(problem: ScalarProblem, theta0: ArrayLike<number>, options: SimplexOptions = {}): SimplexResult {
  const n = problem.n;
  const lower = problem.lower;
  const upper = problem.upper;
  const ftol = options.ftol ?? 1e-12;
  const xtol = options.xtol ?? 1e-10;
  const maxfev = options.maxFunctionEvaluations ?? 500 * (n + 1);
  const maxIter = options.maxIterations ?? Infinity;
  const maxRestarts = options.maxRestarts ?? 10;
  const adaptive = n > 2;
  const cr = 1;
  const ce = adaptive ? 1 + 2 / n : 2;
  const cc = adaptive ? 0.75 - 1 / (2 * n) : 0.5;
  const cs = adaptive ? 1 - 1 / n : 0.5;

  const np = n + 1;
  const pts = new Float64Array(np * n); // vertex j at j*n
  const fv = new Float64Array(np);
  const order = new Int32Array(np);
  const c = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const best = new Float64Array(n);
  const step0 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    best[k] = Math.min(upper[k], Math.max(lower[k], theta0[k]));
    const s = options.initialStep?.[k];
    step0[k] = s !== undefined && s > 0 ? s : best[k] !== 0 ? 0.05 * Math.abs(best[k]) : 0.00025;
  }

  let nfev = 0;
  let iterations = 0;
  let restarts = 0;
  const evalf = (x: Float64Array): number => {
    nfev++;
    const v = problem.value(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  let fbest = evalf(best);
  // values below this are treated as zero by the relative tests (a perfect fit has S = 0)
  const fFloor = Number.isFinite(fbest) ? 1e-14 * Math.abs(fbest) : 0;

  const finish = (converged: boolean, message: string, cancelled = false): SimplexResult => ({
    theta: Float64Array.from(best),
    statistic: fbest,
    nfev,
    njev: 0,
    iterations,
    converged,
    cancelled,
    message,
    restarts,
  });
  if (n === 0) return finish(true, 'converged: no free parameters');

  const clampInto = (x: Float64Array) => {
    for (let k = 0; k < n; k++) x[k] = Math.min(upper[k], Math.max(lower[k], x[k]));
  };

  /** builds a simplex around `best`, steps away from bounds */
  const build = (scale: number) => {
    pts.set(best, 0);
    fv[0] = fbest;
    for (let j = 1; j < np; j++) {
      const o = j * n;
      for (let k = 0; k < n; k++) pts[o + k] = best[k];
      const k = j - 1;
      let h = step0[k] * scale;
      if (best[k] + h > upper[k]) h = -h;
      let v = best[k] + h;
      if (v < lower[k]) v = upper[k] - best[k] > best[k] - lower[k] ? upper[k] : lower[k];
      if (v === best[k]) v = best[k] + (upper[k] > best[k] ? 1 : -1) * Math.max(Math.abs(h), 1e-12);
      pts[o + k] = Math.min(upper[k], Math.max(lower[k], v));
      fv[j] = evalf(pts.subarray(o, o + n));
    }
  };

  build(1);
  let lastRestartBest = fbest;
  let sinceImprove = 0;
  let bestSeen = fbest;
  for (;;) {
    // order vertices
    for (let j = 0; j < np; j++) order[j] = j;
    order.sort((a, b) => fv[a] - fv[b] || a - b);
    const ib = order[0];
    const iw = order[n];
    const isw = order[n - 1];
    if (fv[ib] <= fbest) {
      fbest = fv[ib];
      best.set(pts.subarray(ib * n, ib * n + n));
    }
    if (options.shouldStop?.()) return finish(false, 'cancelled', true);
    options.onProgress?.({ iteration: iterations, nfev, statistic: fbest, theta: Float64Array.from(best) });

    if (fbest < bestSeen) {
      bestSeen = fbest;
      sinceImprove = 0;
    } else sinceImprove++;

    // convergence of the current simplex: size below xtol and spread of values below ftol,
    // or size below xtol / 100 alone (values may be exactly equal or at zero)
    let size = 0;
    for (let j = 0; j < np; j++) {
      if (j === ib) continue;
      for (let k = 0; k < n; k++) {
        const dlt = Math.abs(pts[j * n + k] - pts[ib * n + k]) / Math.max(Math.abs(pts[ib * n + k]), 1e-3 * step0[k]);
        if (dlt > size) size = dlt;
      }
    }
    const fspread = fv[iw] - fv[ib];
    const fdone = fspread <= ftol * Math.max(Math.abs(fv[ib]), fFloor) || fspread === 0;
    const small = (size <= xtol && fdone) || size <= 0.01 * xtol;
    const stagnant = sinceImprove > 20 * np;
    if (small || stagnant) {
      const gain = lastRestartBest - fbest;
      if (restarts > 0 && gain <= ftol * Math.max(Math.abs(fbest), fFloor)) {
        return finish(
          true,
          small
            ? 'converged: the simplex shrank below xtol/ftol and a restart found no better point'
            : 'converged: the simplex stagnated and a restart found no better point',
        );
      }
      if (restarts >= maxRestarts) {
        return small
          ? finish(true, 'converged: the simplex shrank below xtol/ftol (restart limit reached)')
          : finish(false, 'stopped: the simplex stagnated and the restart limit was reached');
      }
      restarts++;
      lastRestartBest = fbest;
      sinceImprove = 0;
      build(1);
      continue;
    }
    if (nfev >= maxfev) return finish(false, 'stopped: the number of function evaluations reached its limit');
    if (iterations >= maxIter) return finish(false, 'stopped: the number of iterations reached its limit');
    iterations++;

    // centroid of all but the worst
    c.fill(0);
    for (let j = 0; j < np; j++) {
      if (j === iw) continue;
      for (let k = 0; k < n; k++) c[k] += pts[j * n + k];
    }
    for (let k = 0; k < n; k++) c[k] /= n;
    const ow = iw * n;
    for (let k = 0; k < n; k++) xr[k] = c[k] + cr * (c[k] - pts[ow + k]);
    clampInto(xr);
    const fr = evalf(xr);
    if (fr < fv[ib]) {
      for (let k = 0; k < n; k++) xe[k] = c[k] + ce * (xr[k] - c[k]);
      clampInto(xe);
      const fe = evalf(xe);
      if (fe < fr) replace(pts, fv, iw, n, xe, fe);
      else replace(pts, fv, iw, n, xr, fr);
      continue;
    }
    if (fr < fv[isw]) {
      replace(pts, fv, iw, n, xr, fr);
      continue;
    }
    if (fr < fv[iw]) {
      // outside contraction
      for (let k = 0; k < n; k++) xc[k] = c[k] + cc * (xr[k] - c[k]);
      clampInto(xc);
      const fc = evalf(xc);
      if (fc <= fr) {
        replace(pts, fv, iw, n, xc, fc);
        continue;
      }
    } else {
      // inside contraction
      for (let k = 0; k < n; k++) xc[k] = c[k] + cc * (pts[ow + k] - c[k]);
      clampInto(xc);
      const fc = evalf(xc);
      if (fc < fv[iw]) {
        replace(pts, fv, iw, n, xc, fc);
        continue;
      }
    }
    // shrink towards the best vertex
    const ob = ib * n;
    for (let j = 0; j < np; j++) {
      if (j === ib) continue;
      const o = j * n;
      for (let k = 0; k < n; k++) pts[o + k] = pts[ob + k] + cs * (pts[o + k] - pts[ob + k]);
      fv[j] = evalf(pts.subarray(o, o + n));
    }
  }
}

function replace(pts: Float64Array, fv: Float64Array, j: number, n: number, x: Float64Array, f: number): void {
  pts.set(x, j * n);
  fv[j] = f;
}
