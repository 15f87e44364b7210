/**
 * Profile of the statistic in one parameter (the profile likelihood, e.g. Murphy & van der Vaart
 * 2000; MINUIT's MNPROFILE / iminuit's mnprofile): for each value v of theta_k,
 *     Delta(v) = min_{others} S(theta_k = v) - S_best,
 * or, with reoptimize = false, the cut S(theta_k = v, others at the best fit) - S_best.
 *
 * Order of work: the values are split into two chains walking outward from the best fit (values
 * >= best_k ascending, values < best_k descending); each point starts from its inner neighbour's
 * solution, shifted by the covariance regression (warm-start.ts). The chains are independent, and
 * `profilePoint` computes one point from any start vector, so a worker pool can run them apart.
 *
 * For comparison, `parabola` gives the quadratic approximation errordef ((v - best_k) / err_k)^2
 * that the covariance error implies (MINOS errors equal it exactly for a linear model).
 */
import type { ProfileObjective } from './objective';
import { covEntry, heldMask, regressionSlopes, shiftedStart, type CovarianceInput } from './warm-start';

export interface ProfilePointResult {
  value: number;
  statistic: number;
  theta: Float64Array;
  converged: boolean;
  nfev: number;
}

/**
 * One profile point: theta_k held at `value`, the others re-minimised from `start` (its k entry
 * is ignored), or just evaluated at `start` when reoptimize is false.
 */
export function profilePoint(
  obj: ProfileObjective,
  start: ArrayLike<number>,
  k: number,
  value: number,
  reoptimize = true,
  shouldStop?: () => boolean,
): ProfilePointResult {
  const s = Float64Array.from(start);
  s[k] = value;
  if (!reoptimize) {
    const stat = obj.value(s);
    return { value, statistic: stat, theta: s, converged: true, nfev: 1 };
  }
  const out = obj.minimize(s, heldMask(obj.n, [k]), shouldStop);
  return { value, statistic: out.statistic, theta: out.theta, converged: out.converged, nfev: out.nfev };
}

/** indices of `values` in evaluation order: outward from `center`, as two independent chains */
export function profileChains(values: ArrayLike<number>, center: number): { up: number[]; down: number[] } {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const up = idx.filter((i) => values[i] >= center).sort((a, b) => values[a] - values[b]);
  const down = idx.filter((i) => values[i] < center).sort((a, b) => values[b] - values[a]);
  return { up, down };
}

/**
 * Default grid: `points` values evenly spaced over best +- nSigma sqrt(level factor) err, clipped
 * to the bounds. Without an error, +-10 % of |best| (or +-0.1).
 */
export function defaultProfileValues(
  bestValue: number,
  error: number | null,
  options: { points?: number; nSigma?: number; lower?: number; upper?: number } = {},
): Float64Array {
  const n = Math.max(options.points ?? 21, 2);
  const half = error !== null && error > 0 && Number.isFinite(error) ? (options.nSigma ?? 3) * error : 0.1 * Math.max(Math.abs(bestValue), 1);
  const lo = Math.max(bestValue - half, options.lower ?? -Infinity);
  const hi = Math.min(bestValue + half, options.upper ?? Infinity);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + ((hi - lo) * i) / (n - 1);
  return v;
}

export interface ProfileOptions {
  /** explicit values of theta_k; default: defaultProfileValues over `range` or +-nSigma errors */
  values?: ArrayLike<number>;
  /** [min, max] of the default grid */
  range?: [number, number];
  /** points of the default grid (default 21) */
  points?: number;
  /** half-width of the default grid in errors (default 3) */
  nSigma?: number;
  /** the parabolic error of theta_k (for the default grid); else from `covariance` */
  error?: number | null;
  /** full covariance for the warm starts (and the default error) */
  covariance?: CovarianceInput | null;
  /** re-minimise the other parameters (default true); false gives the cut through the best fit */
  reoptimize?: boolean;
  /** statistic at `best` (default obj.value(best)) */
  bestStatistic?: number;
  shouldStop?: () => boolean;
  onPoint?: (index: number, point: ProfilePointResult) => void;
}

export interface ProfileResult {
  index: number;
  key: string;
  values: Float64Array;
  /** Delta statistic (NaN for points not computed after a cancel) */
  delta: Float64Array;
  statistic: Float64Array;
  /** re-optimised vectors (null where not computed) */
  thetas: (Float64Array | null)[];
  converged: Uint8Array;
  /** smallest Delta (< 0 beyond rounding means a better minimum than `best` exists) */
  minDelta: number;
  nfev: number;
  cancelled: boolean;
}

export function profileLikelihood(obj: ProfileObjective, best: ArrayLike<number>, k: number, options: ProfileOptions = {}): ProfileResult {
  const theta0 = Float64Array.from(best);
  const bestStat = options.bestStatistic ?? obj.value(theta0);
  let error = options.error ?? null;
  if (error === null && options.covariance) {
    const c = covEntry(options.covariance, obj.n, k, k);
    if (c > 0) error = Math.sqrt(c);
  }
  let values: Float64Array;
  if (options.values) values = Float64Array.from(options.values);
  else if (options.range) {
    const n = Math.max(options.points ?? 21, 2);
    const [a, b] = options.range;
    values = Float64Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  } else values = defaultProfileValues(theta0[k], error, { points: options.points, nSigma: options.nSigma, lower: obj.lower[k], upper: obj.upper[k] });
  const m = values.length;
  const delta = new Float64Array(m).fill(NaN);
  const statistic = new Float64Array(m).fill(NaN);
  const thetas: (Float64Array | null)[] = new Array(m).fill(null);
  const converged = new Uint8Array(m);
  const reopt = options.reoptimize ?? true;
  const slopes = reopt && options.covariance ? regressionSlopes(options.covariance, obj.n, [k]) : null;
  let nfev = 0;
  let cancelled = false;
  const { up, down } = profileChains(values, theta0[k]);
  for (const chain of [up, down]) {
    let from: Float64Array = theta0;
    for (const i of chain) {
      if (options.shouldStop?.()) {
        cancelled = true;
        break;
      }
      const start = reopt ? shiftedStart(from, [k], [values[i]], slopes, obj.lower, obj.upper) : theta0;
      const p = profilePoint(obj, start, k, values[i], reopt, options.shouldStop);
      nfev += p.nfev;
      statistic[i] = p.statistic;
      delta[i] = p.statistic - bestStat;
      thetas[i] = p.theta;
      converged[i] = p.converged ? 1 : 0;
      if (Number.isFinite(p.statistic)) from = p.theta;
      options.onPoint?.(i, p);
    }
    if (cancelled) break;
  }
  let minDelta = Infinity;
  for (let i = 0; i < m; i++) if (delta[i] < minDelta) minDelta = delta[i];
  return { index: k, key: obj.keys[k], values, delta, statistic, thetas, converged, minDelta, nfev, cancelled };
}

/** the parabolic approximation errordef ((v - best) / error)^2 at each value */
export function parabola(values: ArrayLike<number>, bestValue: number, error: number, errordef = 1): Float64Array {
  return Float64Array.from(values, (v) => errordef * ((v - bestValue) / error) ** 2);
}
