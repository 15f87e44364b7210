/**
 * Confidence contours of two parameters, MINOS-contour style (MINUIT's MNCONTOUR, James 1980 and
 * the MINUIT reference manual: points where the statistic, minimised over all other parameters
 * with the two held, equals S_best + level).
 *
 * Here each point is a 1D crossing along a ray from the best fit in the (i, j) plane (the root
 * finding of crossing.ts: secant bracketing then Brent on sqrt(Delta) - sqrt(level), re-minimising
 * all other parameters at every trial with theta_i, theta_j held). The ray directions come from
 * the covariance ellipse: d = L u with L the Cholesky factor of the 2 x 2 covariance block and u
 * on the unit circle, so t = sqrt(level / errordef) reaches the covariance ellipse (exact for a
 * linear model) and the angles of u are chosen so that the ellipse points are evenly spaced by
 * arc length in error-scaled axes (x / err_i, y / err_j). A contour that is not star-shaped
 * around the best fit is only found where the rays first cross it.
 *
 * The rays are independent (`contourRay` takes any warm start), so a worker pool can run them
 * apart; `confidenceContour` runs them in order around the curve, each warm-started from its
 * neighbour's solution. `covarianceEllipse` draws the parabolic (covariance) region for comparison.
 */
import { covarianceFromHessian } from './covariance';
import { findCrossing, LineProfile, type CrossingStatus } from './crossing';
import { numericalHessian } from './hessian';
import type { ProfileObjective } from './objective';
import { covEntry, regressionSlopes, type CovarianceInput } from './warm-start';

export type Cov2 = [[number, number], [number, number]];

/** Cholesky factor (l11, l21, l22) of a 2 x 2 covariance; null when not positive definite */
function cholesky2(c: Cov2): [number, number, number] | null {
  const a = c[0][0];
  const b = 0.5 * (c[0][1] + c[1][0]);
  const d = c[1][1];
  if (!(a > 0) || !(d > 0) || !Number.isFinite(b)) return null;
  const l11 = Math.sqrt(a);
  const l21 = b / l11;
  const r = d - l21 * l21;
  if (!(r > 1e-14 * d)) return null;
  return [l11, l21, Math.sqrt(r)];
}

/** the 2 x 2 block (i, j) of a full covariance */
export function covarianceBlock(cov: CovarianceInput, n: number, i: number, j: number): Cov2 {
  return [
    [covEntry(cov, n, i, i), covEntry(cov, n, i, j)],
    [covEntry(cov, n, j, i), covEntry(cov, n, j, j)],
  ];
}

/**
 * `points` ray directions (dx, dy) with (x, y) = best + t (dx, dy) on the covariance ellipse
 * Delta chi2 = t^2; spread 'arc' spaces them evenly along the ellipse in error-scaled axes,
 * 'angle' evenly in the angle of the whitened circle. The first ray points along +x-ish (u = (1, 0)).
 */
export function contourDirections(cov2: Cov2, points: number, spread: 'arc' | 'angle' = 'arc'): [number, number][] {
  const L = cholesky2(cov2);
  if (!L) throw new Error('contourDirections: the 2 x 2 covariance is not positive definite');
  const [l11, l21, l22] = L;
  const dir = (phi: number): [number, number] => [l11 * Math.cos(phi), l21 * Math.cos(phi) + l22 * Math.sin(phi)];
  const angles: number[] = [];
  if (spread === 'angle') {
    for (let m = 0; m < points; m++) angles.push((2 * Math.PI * m) / points);
  } else {
    // cumulative arc length of the ellipse in (x / sx, y / sy) on a fine angle grid, then invert
    const sx = l11;
    const sy = Math.sqrt(l21 * l21 + l22 * l22);
    const fine = Math.max(64, 32 * points);
    const cum = new Float64Array(fine + 1);
    let [px, py] = dir(0);
    for (let q = 1; q <= fine; q++) {
      const [x, y] = dir((2 * Math.PI * q) / fine);
      cum[q] = cum[q - 1] + Math.hypot((x - px) / sx, (y - py) / sy);
      px = x;
      py = y;
    }
    const total = cum[fine];
    let q = 0;
    for (let m = 0; m < points; m++) {
      const target = (total * m) / points;
      while (q < fine && cum[q + 1] < target) q++;
      const f = cum[q + 1] > cum[q] ? (target - cum[q]) / (cum[q + 1] - cum[q]) : 0;
      angles.push((2 * Math.PI * (q + f)) / fine);
    }
  }
  return angles.map(dir);
}

export interface ContourPoint {
  x: number;
  y: number;
  /** ray parameter: (x, y) = best + t (dx, dy) */
  t: number;
  direction: [number, number];
  delta: number;
  /** re-optimised full free vector at the point */
  theta: Float64Array | null;
  valid: boolean;
  status: CrossingStatus;
  reason: string | null;
  evaluations: number;
  nfev: number;
}

export interface ContourRayOptions {
  /** first trial t (default sqrt(level / errordef), the covariance ellipse) */
  t0?: number;
  /** a solved neighbouring point used as a warm start */
  seed?: ArrayLike<number> | null;
  /** regression slopes of all parameters on (i, j) (regressionSlopes(cov, n, [i, j])) */
  slopes?: Float64Array | null;
  /** tolerance on t relative to t at the crossing (default 1e-4) */
  tolerance?: number;
  maxEvaluations?: number;
  shouldStop?: () => boolean;
}

/** one contour point: the crossing of Delta = level along best + t direction in the (i, j) plane */
export function contourRay(
  obj: ProfileObjective,
  best: ArrayLike<number>,
  bestStatistic: number,
  i: number,
  j: number,
  direction: [number, number],
  level: number,
  options: ContourRayOptions = {},
): ContourPoint {
  const base = Float64Array.from(best);
  const [dx, dy] = direction;
  let tMax = Infinity;
  const limit = (k: number, d: number) => {
    if (d > 0 && Number.isFinite(obj.upper[k])) tMax = Math.min(tMax, (obj.upper[k] - base[k]) / d);
    if (d < 0 && Number.isFinite(obj.lower[k])) tMax = Math.min(tMax, (obj.lower[k] - base[k]) / d);
  };
  limit(i, dx);
  limit(j, dy);
  const line = new LineProfile(obj, base, bestStatistic, [i, j], [dx, dy], options.slopes ?? null, { shouldStop: options.shouldStop });
  if (options.seed) line.addSeed(options.seed);
  let t0 = options.t0 ?? Math.sqrt(level / obj.errordef);
  if (Number.isFinite(tMax) && tMax > 0 && t0 > tMax) t0 = tMax;
  const cr = findCrossing((t) => line.at(t), {
    level,
    t0: t0 > 0 ? t0 : Math.sqrt(level / obj.errordef),
    tMax,
    rtol: options.tolerance ?? 1e-4,
    maxEvaluations: options.maxEvaluations,
    shouldStop: options.shouldStop,
  });
  const t = cr.status === 'not-found' || cr.status === 'failed' || cr.status === 'cancelled' ? (cr.point ? cr.point.t : 0) : cr.t;
  let reason = cr.message;
  if (cr.status === 'limit') reason = 'at bound: the contour is cut by a parameter bound here';
  if (cr.newMinimum) reason = [reason, 'a lower minimum than the best fit was found: refit first'].filter(Boolean).join('; ');
  return {
    x: base[i] + t * dx,
    y: base[j] + t * dy,
    t,
    direction: [dx, dy],
    delta: cr.point ? cr.point.delta : NaN,
    theta: cr.point ? cr.point.theta : null,
    valid: cr.status === 'ok' && !cr.newMinimum,
    status: cr.status,
    reason,
    evaluations: cr.evaluations,
    nfev: cr.nfev,
  };
}

export interface ContourOptions {
  /** number of points on the curve (default 40) */
  points?: number;
  /** full n x n covariance; estimated from a numerical Hessian when absent or unusable */
  covariance?: CovarianceInput | null;
  /** statistic at `best` (default obj.value(best)) */
  bestStatistic?: number;
  tolerance?: number;
  spread?: 'arc' | 'angle';
  maxEvaluations?: number;
  shouldStop?: () => boolean;
  onPoint?: (index: number, point: ContourPoint) => void;
}

export interface ContourResult {
  i: number;
  j: number;
  level: number;
  /** the curve, closed: the first point is repeated at the end (points + 1 entries) */
  x: number[];
  y: number[];
  points: ContourPoint[];
  /** every point is a converged crossing */
  valid: boolean;
  nfev: number;
  cancelled: boolean;
}

/** the 2 x 2 covariance block, from `covariance` if usable, else from a numerical Hessian at best */
export function contourCovariance(obj: ProfileObjective, best: Float64Array, i: number, j: number, covariance?: CovarianceInput | null): Cov2 {
  if (covariance) {
    const c = covarianceBlock(covariance, obj.n, i, j);
    if (cholesky2(c)) return c;
  }
  const h = numericalHessian((t) => obj.value(t), best, { errordef: obj.errordef, lower: obj.lower, upper: obj.upper });
  const cov = covarianceFromHessian(h.hessian, obj.n, obj.errordef);
  const c = covarianceBlock(cov.covariance, obj.n, i, j);
  if (cholesky2(c)) return c;
  throw new Error(`confidenceContour: no usable covariance for ${obj.keys[i]} and ${obj.keys[j]}`);
}

/** the closed curve where the profiled statistic of (theta_i, theta_j) equals best + level */
export function confidenceContour(
  obj: ProfileObjective,
  best: ArrayLike<number>,
  i: number,
  j: number,
  level: number,
  options: ContourOptions = {},
): ContourResult {
  if (i === j) throw new Error('confidenceContour: i and j must differ');
  const base = Float64Array.from(best);
  const bestStat = options.bestStatistic ?? obj.value(base);
  const cov2 = contourCovariance(obj, base, i, j, options.covariance);
  const dirs = contourDirections(cov2, Math.max(options.points ?? 40, 3), options.spread ?? 'arc');
  // regression slopes on (i, j): from the full covariance when given
  const slopes = options.covariance ? regressionSlopes(options.covariance, obj.n, [i, j]) : null;
  const points: ContourPoint[] = [];
  let nfev = 0;
  let cancelled = false;
  let prev: ContourPoint | null = null;
  for (let m = 0; m < dirs.length; m++) {
    if (options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    const p = contourRay(obj, base, bestStat, i, j, dirs[m], level, {
      t0: prev && prev.valid ? prev.t : undefined,
      seed: prev && prev.valid ? prev.theta : null,
      slopes,
      tolerance: options.tolerance,
      maxEvaluations: options.maxEvaluations,
      shouldStop: options.shouldStop,
    });
    nfev += p.nfev;
    points.push(p);
    options.onPoint?.(m, p);
    if (p.status === 'cancelled') {
      cancelled = true;
      break;
    }
    prev = p;
  }
  const x = points.map((p) => p.x);
  const y = points.map((p) => p.y);
  if (points.length > 0) {
    x.push(x[0]);
    y.push(y[0]);
  }
  return { i, j, level, x, y, points, valid: !cancelled && points.every((p) => p.valid), nfev, cancelled };
}

/**
 * The covariance ellipse (x - c)^T C^-1 (x - c) = delta / errordef as a closed curve (points + 1
 * entries, first repeated), evenly spaced in the whitened angle.
 */
export function covarianceEllipse(cov2: Cov2, center: [number, number], delta: number, points = 100, errordef = 1): { x: number[]; y: number[] } {
  const L = cholesky2(cov2);
  if (!L) throw new Error('covarianceEllipse: the 2 x 2 covariance is not positive definite');
  const [l11, l21, l22] = L;
  const r = Math.sqrt(delta / errordef);
  const x: number[] = [];
  const y: number[] = [];
  for (let m = 0; m <= points; m++) {
    const phi = (2 * Math.PI * (m % points)) / points;
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    x.push(center[0] + r * l11 * c);
    y.push(center[1] + r * (l21 * c + l22 * s));
  }
  return { x, y };
}
