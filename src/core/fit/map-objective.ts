/**
 * Maximum a posteriori fits: minimise S(theta) - 2 errordef sum_k ln p_k(theta_k), the fit
 * statistic plus the priors in the same units (-2 errordef ln posterior, up to a constant), with
 * L-BFGS-B and the analytic gradient. Parameters without a prior are flat within their bounds;
 * a prior's support tightens the parameter's bounds. Errors come from the curvature of that
 * objective: the statistic's Gauss-Newton information plus each prior's -2 errordef (ln p)''.
 */
import type { ModelDoc, ParameterDoc } from '../model/document';
import { paramKey } from '../model/document';
import type { OptimizeOptions, ScalarProblem } from '../optimize/problem';
import { minimizeScalar } from '../optimize/strategy';
import { compilePrior, type CompiledPrior } from '../stats/priors';
import { covarianceFromHessian, type CovarianceResult } from '../uncertainty/covariance';
import type { Objective } from './fit-model';
import { scalarProblem } from './fit-model';

export interface FreePrior {
  index: number;
  prior: CompiledPrior;
}

/** The compiled priors of the free parameters that have one. */
export function freePriors(o: Objective, model: ModelDoc): FreePrior[] {
  const docs = new Map<string, ParameterDoc>();
  for (const c of model.components) for (const [p, d] of Object.entries(c.params)) docs.set(paramKey(c.name, p), d);
  const out: FreePrior[] = [];
  o.compiled.layout.freeKeys.forEach((key, index) => {
    const doc = docs.get(key);
    if (doc?.prior) out.push({ index, prior: compilePrior(doc.prior, o.compiled.layout.lower[index], o.compiled.layout.upper[index]) });
  });
  return out;
}

export function sumLogPrior(priors: FreePrior[], theta: ArrayLike<number>): number {
  let s = 0;
  for (const { index, prior } of priors) s += prior.logDensity(theta[index]);
  return s;
}

export function mapProblem(o: Objective, priors: FreePrior[]): ScalarProblem {
  const base = scalarProblem(o);
  const w = 2 * o.stat.errordef;
  const lower = Float64Array.from(base.lower);
  const upper = Float64Array.from(base.upper);
  for (const { index, prior } of priors) {
    lower[index] = Math.max(lower[index], prior.lower);
    upper[index] = Math.min(upper[index], prior.upper);
  }
  return {
    n: base.n,
    lower,
    upper,
    value(theta) {
      const lp = sumLogPrior(priors, theta);
      return lp === -Infinity ? Infinity : base.value(theta) - w * lp;
    },
    valueAndGradient(theta, g) {
      const lp = sumLogPrior(priors, theta);
      const s = base.valueAndGradient!(theta, g);
      for (const { index, prior } of priors) g[index] -= w * prior.derivative(theta[index]);
      return lp === -Infinity ? Infinity : s - w * lp;
    },
  };
}

export function fitMap(o: Objective, priors: FreePrior[], theta0: Float64Array, options: OptimizeOptions) {
  const problem = mapProblem(o, priors);
  const start = Float64Array.from(theta0, (v, k) => Math.min(problem.upper[k], Math.max(problem.lower[k], v)));
  return { ...minimizeScalar(problem, start, options), problem };
}

/** Covariance from the MAP objective's curvature (Gauss-Newton for the statistic, exact-ish for priors). */
export function mapCovariance(o: Objective, priors: FreePrior[], theta: Float64Array, lower: Float64Array, upper: Float64Array): CovarianceResult {
  const { compiled, view, sigma, stat } = o;
  const m = view.n;
  const n = compiled.nFree;
  const model = new Float64Array(m);
  const J = new Float64Array(m * n);
  const d2 = new Float64Array(m);
  compiled.evaluateWithJacobian(theta, model, J);
  stat.secondDerivative(view.y, model, sigma, null, m, d2);
  const h = new Float64Array(n * n);
  for (let i = 0; i < m; i++) {
    const w = d2[i];
    if (w === 0) continue;
    const row = i * n;
    for (let a = 0; a < n; a++) {
      const ja = J[row + a] * w;
      if (ja === 0) continue;
      for (let b = a; b < n; b++) h[a * n + b] += ja * J[row + b];
    }
  }
  const w = 2 * stat.errordef;
  for (const { index, prior } of priors) {
    // (ln p)'' by a central difference of the analytic first derivative
    const x = theta[index];
    const step = 1e-5 * Math.max(Math.abs(x), Number.isFinite(prior.sd) ? prior.sd : 1, 1e-8);
    const curv = (prior.derivative(x + step) - prior.derivative(x - step)) / (2 * step);
    if (Number.isFinite(curv)) h[index * n + index] -= w * curv;
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) h[a * n + b] = h[b * n + a];
  return covarianceFromHessian(h, n, stat.errordef, { theta, lower, upper });
}
