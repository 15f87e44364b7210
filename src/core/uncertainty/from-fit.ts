/**
 * Everything the profile-likelihood tools need from one finished fit, shared by the runner
 * (src/cli/uncertainty-commands.ts), the uncertainty workers and the page:
 * the ProfileObjective (buildProfileObjective on the model with the fitted values), the best-fit
 * free vector in the objective's order, the statistic there, the parabolic errors and the
 * covariance (row-major, the objective's order).
 *
 * Data without sigma: chi-square then has unit weights and the fit's errors are scaled by the
 * square root of the reduced chi-square (fit-model.ts). To keep MINOS intervals, profiles and
 * contours on the same footing as those errors, `errordef` is scaled by the reduced chi-square
 * too (`errordefScale`), i.e. Delta chi2 levels are read in units of the estimated variance.
 * With sigma (or a likelihood) the scale is 1 and errordef is the statistic's own (1 or 0.5).
 */
import type { Dataset } from '../data/dataset';
import { buildProfileObjective } from '../fit/profile-objective';
import type { FitResult } from '../fit/result';
import type { FitSettings } from '../fit/settings';
import type { ModelDoc } from '../model/document';
import { setValues } from '../model/edit';
import type { ProfileObjective } from './objective';

export interface FitUncertaintyContext {
  obj: ProfileObjective;
  keys: string[];
  best: Float64Array;
  bestStatistic: number;
  /** parabolic (covariance) errors, null where none */
  errors: (number | null)[];
  /** n x n row-major in `keys` order, or null */
  covariance: Float64Array | null;
  /** obj.errordef: the statistic's errordef times errordefScale */
  errordef: number;
  errordefScale: number;
}

export class UncertaintyInputError extends Error {}

/** A view of `obj` with another errordef (the statistic and minimiser are shared). */
export function withErrordef(obj: ProfileObjective, errordef: number): ProfileObjective {
  return {
    n: obj.n,
    keys: obj.keys,
    lower: obj.lower,
    upper: obj.upper,
    errordef,
    value: (theta) => obj.value(theta),
    minimize: (start, held, shouldStop) => obj.minimize(start, held, shouldStop),
  };
}

export function fitUncertaintyContext(dataset: Dataset, model: ModelDoc, settings: FitSettings, result: FitResult): FitUncertaintyContext {
  const base = buildProfileObjective(dataset, setValues(model, result.values), settings);
  const keys = base.keys;
  const same = keys.length === result.parameterOrder.length && keys.every((k, i) => k === result.parameterOrder[i]);
  if (!same) {
    throw new UncertaintyInputError(
      `The free parameters changed since the fit (now ${keys.join(', ') || 'none'}; fitted ${result.parameterOrder.join(', ') || 'none'}): fit again`,
    );
  }
  if (keys.length === 0) throw new UncertaintyInputError('The model has no free parameters');
  const n = keys.length;
  const best = Float64Array.from(keys, (k) => result.parameters[k].value);
  const bestStatistic = base.value(best);
  const fitted = result.statistic.value;
  if (!Number.isFinite(bestStatistic) || Math.abs(bestStatistic - fitted) > 1e-6 * Math.max(1, Math.abs(fitted))) {
    throw new UncertaintyInputError(
      `The statistic at the fitted values is ${bestStatistic}, the fit reported ${fitted}: the data, ranges or statistic changed since the fit; fit again`,
    );
  }
  const errors = keys.map((k) => {
    const e = result.parameters[k].error;
    return e !== null && Number.isFinite(e) && e > 0 ? e : null;
  });
  let covariance: Float64Array | null = null;
  if (result.covariance && result.covariance.length === n) {
    covariance = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) covariance[a * n + b] = result.covariance[a][b];
  }
  const scale = result.errorsScaled && result.reducedStatistic !== null && result.reducedStatistic > 0 ? result.reducedStatistic : 1;
  const errordef = base.errordef * scale;
  const obj = scale === 1 ? base : withErrordef(base, errordef);
  return { obj, keys, best, bestStatistic, errors, covariance, errordef, errordefScale: scale };
}
