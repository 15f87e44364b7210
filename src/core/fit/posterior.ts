/**
 * The log posterior of a fit, for the samplers (sample/):
 *   ln p(theta | data) = ln L(theta) + sum_k ln p_k(theta_k) + const,
 *   ln L = -S(theta) / (2 errordef)
 * with S the fit statistic (chi2 and Cash have errordef 1, i.e. S = -2 ln L + const; the -ln L
 * statistics gauss and poisson have errordef 0.5). Parameters without a prior are flat within
 * their bounds; a prior's support (uniform, loguniform, truncated gaussian bounds) narrows the
 * parameter's box. Only free parameters carry priors (fixed and twinned ones are functions of
 * the free ones). The gradient is analytic: dS/dtheta = J^T dS/dm (fit-model.ts scalarProblem)
 * plus the priors' derivatives.
 *
 * chi2 on data without sigma uses unit weights: the posterior then assumes sigma = 1 (there is no
 * rescaling by chi2/dof as for fit errors); give sigmas, or use the gauss statistic with sigma.
 */
import type { Dataset } from '../data/dataset';
import type { ModelDoc, ParameterDoc } from '../model/document';
import { paramKey } from '../model/document';
import type { Rng } from '../random/rng';
import type { LogDensity } from '../sample/log-density';
import { interiorPoint } from '../sample/transform';
import { compilePrior, PriorError, type CompiledPrior } from '../stats/priors';
import { FitError, prepareObjective, scalarProblem, type Objective } from './fit-model';
import type { FitSettings } from './settings';

export interface Posterior extends LogDensity {
  objective: Objective;
  /** compiled prior of each free parameter, or null (flat within its bounds) */
  priors: (CompiledPrior | null)[];
  /** the model's start values moved strictly inside the support */
  theta0: Float64Array;
  /** ln L = -S / (2 errordef) */
  logLikelihood(theta: Float64Array): number;
  /** sum of the log priors (0 for flat parameters inside their bounds, -Infinity outside) */
  logPrior(theta: Float64Array): number;
  /** fills out with a draw from the proper priors; parameters with a flat or improper prior keep theta0. Returns the keys drawn. */
  samplePrior(rng: Rng, out: Float64Array): string[];
}

function parameterDocs(model: ModelDoc): Map<string, ParameterDoc> {
  const docs = new Map<string, ParameterDoc>();
  for (const c of model.components) {
    if (!c.active) continue;
    for (const [p, d] of Object.entries(c.params)) docs.set(paramKey(c.name, p), d);
  }
  return docs;
}

export function buildPosterior(dataset: Dataset, model: ModelDoc, settings: FitSettings): Posterior {
  const o = prepareObjective(dataset, model, settings);
  const { layout, nFree: n } = o.compiled;
  if (n === 0) throw new FitError('The model has no free parameters to sample');
  const keys = layout.freeKeys.slice();
  const docs = parameterDocs(model);
  const lower = Float64Array.from(layout.lower);
  const upper = Float64Array.from(layout.upper);
  const priors: (CompiledPrior | null)[] = keys.map((key, k) => {
    const doc = docs.get(key);
    if (!doc?.prior) return null;
    let c: CompiledPrior;
    try {
      c = compilePrior(doc.prior, layout.lower[k], layout.upper[k]);
    } catch (e) {
      if (e instanceof PriorError) throw new FitError(`Prior of ${key}: ${e.message}`);
      throw e;
    }
    lower[k] = Math.max(lower[k], c.lower);
    upper[k] = Math.min(upper[k], c.upper);
    if (!(lower[k] < upper[k])) throw new FitError(`${key}: its prior's support does not overlap its bounds [${layout.lower[k]}, ${layout.upper[k]}]`);
    return c;
  });
  const withPrior = priors.map((p, k) => (p ? k : -1)).filter((k) => k >= 0);
  const scalar = scalarProblem(o);
  const f = -1 / (2 * o.stat.errordef);

  const inside = (theta: Float64Array): boolean => {
    for (let k = 0; k < n; k++) if (!(theta[k] >= lower[k] && theta[k] <= upper[k])) return false;
    return true;
  };
  const logPrior = (theta: Float64Array): number => {
    if (!inside(theta)) return -Infinity;
    let s = 0;
    for (const k of withPrior) s += priors[k]!.logDensity(theta[k]);
    return s;
  };
  const logLikelihood = (theta: Float64Array): number => {
    const s = scalar.value(theta);
    return Number.isFinite(s) ? f * s : -Infinity;
  };

  const theta0 = interiorPoint(layout.theta0, lower, upper);
  return {
    n,
    keys,
    lower,
    upper,
    objective: o,
    priors,
    theta0,
    logLikelihood,
    logPrior,
    logDensity(theta) {
      const lp = logPrior(theta);
      if (lp === -Infinity) return -Infinity;
      const v = logLikelihood(theta) + lp;
      return v === v ? v : -Infinity;
    },
    logDensityAndGradient(theta, g) {
      const lp = logPrior(theta);
      if (lp === -Infinity) return -Infinity;
      const s = scalar.valueAndGradient!(theta, g);
      if (!Number.isFinite(s)) return -Infinity;
      for (let k = 0; k < n; k++) g[k] *= f;
      for (const k of withPrior) g[k] += priors[k]!.derivative(theta[k]);
      const v = f * s + lp;
      return v === v ? v : -Infinity;
    },
    samplePrior(rng, out) {
      out.set(theta0);
      const drawn: string[] = [];
      for (const k of withPrior) {
        const p = priors[k]!;
        if (!p.proper) continue;
        out[k] = p.sample(rng);
        drawn.push(keys[k]);
      }
      return drawn;
    },
  };
}
