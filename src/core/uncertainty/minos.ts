/**
 * MINOS errors: asymmetric profile-likelihood intervals (James 1980, "Interpretation of the shape
 * of the likelihood function around its minimum", Comput. Phys. Commun. 20, 29; the MINUIT
 * reference manual, "MINOS error analysis").
 *
 * For parameter k and side s = -1 / +1 the error is the offset d with
 *     min_{others} S(theta_k = best_k + d) - S_best = errordef * sigma^2     (sigma = 1: one sigma).
 * The search starts at the parabolic estimate d = s sigma err_k (err_k from the covariance) with
 * the others moved by the covariance regression on theta_k, and each later trial re-minimises
 * the others from the nearest solved point: see crossing.ts for the root finding (secant
 * bracketing, then Brent, on sqrt(Delta) - sqrt(level)) and its tolerance (default 1e-4 of the
 * crossing distance).
 *
 * Outcomes per side: valid with a signed offset (lower negative, upper positive); 'at bound' when
 * the profile stays below the level up to the parameter's bound (the offset to the bound is
 * reported, flagged invalid: the interval is cut by the bound); 'not found' when the profile
 * stays below the level out to 1000 errors (1e8 times the first guess when there is no error:
 * unconstrained parameter); 'discontinuous' when the
 * statistic jumps over the level (undefined region); 'new minimum' when a trial went below the
 * best fit by more than 1e-4 level (the fit was not at its minimum: refit from newMinimum).
 */
import { findCrossing, LineProfile, type CrossingResult, type LinePoint } from './crossing';
import type { ProfileObjective } from './objective';
import { covEntry, regressionSlopes, type CovarianceInput } from './warm-start';

export interface MinosOptions {
  /** indices of the free parameters to run (default all) */
  params?: number[];
  /** width of the interval in sigma (default 1): level = errordef * sigma^2 */
  sigma?: number;
  /** explicit level of Delta statistic, overrides sigma */
  level?: number;
  /** tolerance on the crossing relative to its distance from the best fit (default 1e-4) */
  tolerance?: number;
  /** full covariance (n x n) for the regression starting points; without it only the diagonal errors are used */
  covariance?: CovarianceInput | null;
  /** most re-optimisations per side (default 60) */
  maxEvaluations?: number;
  shouldStop?: () => boolean;
  onProgress?: (p: MinosProgress) => void;
}

export interface MinosProgress {
  index: number;
  key: string;
  side: 'lower' | 'upper';
  /** trial value of the parameter */
  value: number;
  delta: number;
  /** re-optimisations so far for this parameter */
  evaluations: number;
}

export type MinosStatus = 'ok' | 'at bound' | 'not found' | 'discontinuous' | 'cancelled' | 'failed';

export interface MinosSide {
  /** signed offset from the best fit (lower < 0 < upper); the offset to the bound for 'at bound'; NaN when unknown */
  offset: number;
  valid: boolean;
  status: MinosStatus;
  reason: string | null;
  /** re-optimised free vector at the crossing (or bound) */
  theta: Float64Array | null;
  /** Delta statistic at that point */
  delta: number;
  evaluations: number;
  nfev: number;
}

export interface MinosError {
  index: number;
  key: string;
  /** negative offset (best + lower is the lower end of the interval) */
  lower: number;
  /** positive offset */
  upper: number;
  lowerValid: boolean;
  upperValid: boolean;
  reasons: { lower: string | null; upper: string | null };
  lowerSide: MinosSide;
  upperSide: MinosSide;
  /** a point with a lower statistic than the best fit met during the search (the fit was not at its minimum) */
  newMinimum: { theta: Float64Array; statistic: number } | null;
  nfev: number;
}

function sideFromCrossing(cr: CrossingResult, s: number, k: number, best: Float64Array, lowerB: number, upperB: number): MinosSide {
  const base = { evaluations: cr.evaluations, nfev: cr.nfev };
  const theta = cr.point ? cr.point.theta : null;
  const delta = cr.point ? cr.point.delta : NaN;
  switch (cr.status) {
    case 'ok':
      return { ...base, offset: s * cr.t, valid: true, status: 'ok', reason: null, theta, delta };
    case 'limit': {
      const bound = s > 0 ? upperB : lowerB;
      return {
        ...base,
        offset: bound - best[k],
        valid: false,
        status: 'at bound',
        reason: `at bound: the profile stays below the level up to the ${s > 0 ? 'upper' : 'lower'} bound ${bound}; the interval is limited by it`,
        theta,
        delta,
      };
    }
    case 'not-found':
      return { ...base, offset: NaN, valid: false, status: 'not found', reason: cr.message, theta, delta };
    case 'discontinuous':
      return { ...base, offset: s * cr.t, valid: false, status: 'discontinuous', reason: cr.message, theta, delta };
    case 'cancelled':
      return { ...base, offset: NaN, valid: false, status: 'cancelled', reason: 'cancelled', theta, delta };
    default:
      return { ...base, offset: NaN, valid: false, status: 'failed', reason: cr.message, theta, delta };
  }
}

/** one side of one parameter (independent of the others: usable as a worker job) */
export function minosSide(
  obj: ProfileObjective,
  best: Float64Array,
  bestStatistic: number,
  k: number,
  side: 'lower' | 'upper',
  error: number | null,
  options: MinosOptions = {},
): MinosSide & { newMinimum: LinePoint | null } {
  const s = side === 'upper' ? 1 : -1;
  const sigma = options.sigma ?? 1;
  const level = options.level ?? obj.errordef * sigma * sigma;
  const lowerB = obj.lower[k];
  const upperB = obj.upper[k];
  const tMax = s > 0 ? upperB - best[k] : best[k] - lowerB;
  // parabolic estimate of the crossing; without an error, a guess of the scale of the parameter
  const scale = Math.sqrt(level / obj.errordef);
  const haveError = error !== null && error > 0 && Number.isFinite(error);
  let t0 = haveError ? scale * (error as number) : 0.1 * Math.max(Math.abs(best[k]), 1e-3);
  // give up beyond 1000 parabolic errors; with only a blind first guess, much farther
  const tGiveUp = haveError ? 1000 * t0 : 1e8 * t0;
  if (Number.isFinite(tMax) && tMax > 0 && t0 > tMax) t0 = tMax;
  const slopes = options.covariance ? regressionSlopes(options.covariance, obj.n, [k]) : null;
  const line = new LineProfile(obj, best, bestStatistic, [k], [s], slopes, { shouldStop: options.shouldStop });
  let count = 0;
  const cr = findCrossing((t) => line.at(t), {
    level,
    t0: t0 > 0 ? t0 : 1e-3,
    tMax,
    tGiveUp,
    rtol: options.tolerance ?? 1e-4,
    maxEvaluations: options.maxEvaluations,
    shouldStop: options.shouldStop,
    onTrial: (p) => {
      count++;
      options.onProgress?.({ index: k, key: obj.keys[k], side, value: best[k] + s * p.t, delta: p.delta, evaluations: count });
    },
  });
  return { ...sideFromCrossing(cr, s, k, best, lowerB, upperB), newMinimum: cr.newMinimum };
}

/**
 * MINOS errors of the chosen free parameters. `errors` are the parabolic (covariance) errors used
 * for the starting points (null entries are allowed).
 */
export function minosErrors(
  obj: ProfileObjective,
  best: ArrayLike<number>,
  bestStatistic: number,
  errors: ArrayLike<number | null>,
  options: MinosOptions = {},
): MinosError[] {
  const theta = Float64Array.from(best);
  const params = options.params ?? Array.from({ length: obj.n }, (_, k) => k);
  const out: MinosError[] = [];
  for (const k of params) {
    let err = errors[k];
    if ((err === null || !(err > 0)) && options.covariance) {
      const v = covEntry(options.covariance, obj.n, k, k);
      if (v > 0) err = Math.sqrt(v);
    }
    const lo = minosSide(obj, theta, bestStatistic, k, 'lower', err ?? null, options);
    const up = minosSide(obj, theta, bestStatistic, k, 'upper', err ?? null, options);
    const nm = [lo.newMinimum, up.newMinimum].filter((p): p is LinePoint => p !== null).sort((a, b) => a.delta - b.delta)[0];
    out.push(assembleMinos(obj, k, lo, up, nm ? { theta: nm.theta, statistic: nm.statistic } : null));
    if (options.shouldStop?.()) break;
  }
  return out;
}

/** combines two sides into a MinosError (for callers that ran the sides as separate jobs) */
export function assembleMinos(
  obj: ProfileObjective,
  k: number,
  lo: MinosSide,
  up: MinosSide,
  newMinimum: { theta: Float64Array; statistic: number } | null = null,
): MinosError {
  const strip = (s: MinosSide): MinosSide => ({
    offset: s.offset,
    valid: s.valid,
    status: s.status,
    reason: s.reason,
    theta: s.theta,
    delta: s.delta,
    evaluations: s.evaluations,
    nfev: s.nfev,
  });
  const lowerSide = strip(lo);
  const upperSide = strip(up);
  const reason = (s: MinosSide) => (newMinimum && s.valid ? null : s.reason);
  const nmNote = 'a lower minimum was found during the search: refit from it';
  return {
    index: k,
    key: obj.keys[k],
    lower: lo.offset,
    upper: up.offset,
    lowerValid: lo.valid && !newMinimum,
    upperValid: up.valid && !newMinimum,
    reasons: {
      lower: newMinimum ? [reason(lo), nmNote].filter(Boolean).join('; ') : lo.reason,
      upper: newMinimum ? [reason(up), nmNote].filter(Boolean).join('; ') : up.reason,
    },
    lowerSide,
    upperSide,
    newMinimum,
    nfev: lo.nfev + up.nfev,
  };
}
