/**
 * The statistic on a grid of two parameters (a 2D profile-likelihood scan, as in gammapy's
 * `Fit.stat_surface` or iminuit's `contour`): at each grid point (x_c, y_r)
 *     Delta[r, c] = min_{others} S(theta_i = x_c, theta_j = y_r) - S_best
 * (reoptimize = true), or the cut with the others frozen at the best fit (reoptimize = false).
 *
 * Test statistic. TS = -2 Delta ln L = Delta chi2 = Delta / errordef (chi2 and Cash have
 * errordef 1, -ln L has 0.5), and sqrtTS = sqrt(max(TS, 0)); for two parameters of interest the
 * region TS <= chi2 quantile(CL, 2) is the asymptotic CL region (levels.ts).
 *
 * Order of work. Row r (fixed y_r) is solved from an anchor column (nearest best_i) outward to
 * both sides, each point warm-started from its neighbour's solution in the row, shifted by the
 * covariance regression. `statisticSurface` visits the rows outward from the row nearest best_j,
 * starting each row's anchor from the adjacent row's anchor solution, so every grid point starts
 * from an adjacent grid point (a snake-like walk that never jumps). `surfaceRow` solves one row
 * from any start vector, so rows can be farmed out to workers (start each from the best fit).
 */
import type { ProfileObjective } from './objective';
import { heldMask, regressionSlopes, shiftedStart, type CovarianceInput } from './warm-start';

export interface SurfaceRowOptions {
  /** start vector for the anchor column (default: best) */
  start?: ArrayLike<number> | null;
  /** anchor column (default: the x value nearest best_i) */
  anchor?: number;
  reoptimize?: boolean;
  /** regression slopes of all parameters on (i, j) */
  slopes?: Float64Array | null;
  /** keep the re-optimised vectors of the row (default true) */
  keepThetas?: boolean;
  shouldStop?: () => boolean;
}

export interface SurfaceRow {
  /** Delta statistic per column (NaN when cancelled before) */
  delta: Float64Array;
  statistic: Float64Array;
  thetas: (Float64Array | null)[];
  converged: Uint8Array;
  anchor: number;
  nfev: number;
  cancelled: boolean;
}

function nearestIndex(values: ArrayLike<number>, v: number): number {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (Math.abs(values[c] - v) < Math.abs(values[best] - v)) best = c;
  return best;
}

/** one row of the surface: theta_j = yValue, theta_i over xValues */
export function surfaceRow(
  obj: ProfileObjective,
  best: ArrayLike<number>,
  bestStatistic: number,
  i: number,
  j: number,
  xValues: ArrayLike<number>,
  yValue: number,
  options: SurfaceRowOptions = {},
): SurfaceRow {
  const nx = xValues.length;
  const base = Float64Array.from(best);
  const reopt = options.reoptimize ?? true;
  const keep = options.keepThetas ?? true;
  const anchor = options.anchor ?? nearestIndex(xValues, base[i]);
  const delta = new Float64Array(nx).fill(NaN);
  const statistic = new Float64Array(nx).fill(NaN);
  const thetas: (Float64Array | null)[] = new Array(nx).fill(null);
  const converged = new Uint8Array(nx);
  const mask = heldMask(obj.n, [i, j]);
  const slopes = reopt ? (options.slopes ?? null) : null;
  let nfev = 0;
  let cancelled = false;
  let anchorTheta: Float64Array | null = null;
  const solve = (c: number, from: Float64Array): Float64Array | null => {
    const start = shiftedStart(from, [i, j], [xValues[c], yValue], slopes, obj.lower, obj.upper);
    let theta: Float64Array;
    let stat: number;
    if (reopt) {
      const out = obj.minimize(start, mask, options.shouldStop);
      theta = out.theta;
      stat = out.statistic;
      converged[c] = out.converged ? 1 : 0;
      nfev += out.nfev;
    } else {
      theta = start;
      stat = obj.value(start);
      converged[c] = 1;
      nfev += 1;
    }
    statistic[c] = stat;
    delta[c] = stat - bestStatistic;
    if (keep) thetas[c] = theta;
    return Number.isFinite(stat) ? theta : null;
  };
  const start0: Float64Array = reopt && options.start ? Float64Array.from(options.start) : base;
  for (const dir of [1, -1]) {
    let from: Float64Array = start0;
    const c0 = dir === 1 ? anchor : anchor - 1;
    if (dir === -1 && anchorTheta) from = anchorTheta;
    for (let c = c0; c >= 0 && c < nx; c += dir) {
      if (options.shouldStop?.()) {
        cancelled = true;
        break;
      }
      const th = solve(c, reopt ? from : base);
      if (th) from = th;
      if (c === anchor) anchorTheta = th;
    }
    if (cancelled) break;
  }
  return { delta, statistic, thetas, converged, anchor, nfev, cancelled };
}

export interface SurfaceOptions {
  reoptimize?: boolean;
  /** full covariance for the warm-start regression */
  covariance?: CovarianceInput | null;
  /** statistic at `best` (default obj.value(best)) */
  bestStatistic?: number;
  /** keep all re-optimised vectors (default false: memory nx ny n) */
  keepThetas?: boolean;
  shouldStop?: () => boolean;
  onRow?: (row: number, result: SurfaceRow) => void;
}

export interface SurfaceResult {
  i: number;
  j: number;
  x: Float64Array;
  y: Float64Array;
  nx: number;
  ny: number;
  /** Delta statistic, row-major: delta[r * nx + c] at (x[c], y[r]) */
  delta: Float64Array;
  /** TS = Delta / errordef (= Delta chi2 = -2 Delta ln L) */
  ts: Float64Array;
  /** sqrt(max(TS, 0)) */
  sqrtTS: Float64Array;
  /** 1 where the re-optimisation converged */
  converged: Uint8Array;
  /** thetas[r * nx + c] when keepThetas */
  thetas: (Float64Array | null)[] | null;
  /** smallest Delta (clearly negative: a better minimum than `best` exists) */
  minDelta: number;
  nfev: number;
  cancelled: boolean;
}

export function statisticSurface(
  obj: ProfileObjective,
  best: ArrayLike<number>,
  i: number,
  j: number,
  xValues: ArrayLike<number>,
  yValues: ArrayLike<number>,
  options: SurfaceOptions = {},
): SurfaceResult {
  if (i === j) throw new Error('statisticSurface: i and j must differ');
  const base = Float64Array.from(best);
  const bestStat = options.bestStatistic ?? obj.value(base);
  const nx = xValues.length;
  const ny = yValues.length;
  const reopt = options.reoptimize ?? true;
  const slopes = reopt && options.covariance ? regressionSlopes(options.covariance, obj.n, [i, j]) : null;
  const delta = new Float64Array(nx * ny).fill(NaN);
  const converged = new Uint8Array(nx * ny);
  const thetas: (Float64Array | null)[] | null = options.keepThetas ? new Array(nx * ny).fill(null) : null;
  const anchor = nearestIndex(xValues, base[i]);
  const r0 = nearestIndex(yValues, base[j]);
  let nfev = 0;
  let cancelled = false;
  let rowAnchor0: Float64Array | null = null;
  for (const dir of [1, -1]) {
    let from: Float64Array | null = null;
    let r = dir === 1 ? r0 : r0 - 1;
    // the downward half starts from row r0's anchor solution
    if (dir === -1) from = rowAnchor0;
    for (; r >= 0 && r < ny; r += dir) {
      if (options.shouldStop?.()) {
        cancelled = true;
        break;
      }
      const row = surfaceRow(obj, base, bestStat, i, j, xValues, yValues[r], {
        start: from,
        anchor,
        reoptimize: reopt,
        slopes,
        keepThetas: true,
        shouldStop: options.shouldStop,
      });
      nfev += row.nfev;
      for (let c = 0; c < nx; c++) {
        delta[r * nx + c] = row.delta[c];
        converged[r * nx + c] = row.converged[c];
        if (thetas) thetas[r * nx + c] = row.thetas[c];
      }
      const a = row.thetas[anchor];
      if (a && Number.isFinite(row.statistic[anchor])) from = a;
      if (r === r0) rowAnchor0 = from;
      options.onRow?.(r, row);
      if (row.cancelled) {
        cancelled = true;
        break;
      }
    }
    if (cancelled) break;
  }
  const ts = Float64Array.from(delta, (d) => d / obj.errordef);
  const sqrtTS = Float64Array.from(ts, (t) => (Number.isNaN(t) ? NaN : Math.sqrt(Math.max(t, 0))));
  let minDelta = Infinity;
  for (const d of delta) if (d < minDelta) minDelta = d;
  return {
    i,
    j,
    x: Float64Array.from(xValues),
    y: Float64Array.from(yValues),
    nx,
    ny,
    delta,
    ts,
    sqrtTS,
    converged,
    thetas,
    minDelta,
    nfev,
    cancelled,
  };
}
