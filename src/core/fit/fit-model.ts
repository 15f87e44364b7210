/**
 * fitModel: one dataset, one model document, one set of fit settings -> FitResult.
 *
 * Statistics with a least-squares form (chi2, Gaussian -ln L) are minimised by Levenberg-Marquardt
 * on r_i = (y_i - m_i) / sigma_i; the others (Cash, Poisson -ln L) by L-BFGS-B with the analytic
 * gradient dS/dtheta = J_m^T dS/dm. Errors come from the Gauss-Newton information at the end point
 * (J^T W J); for chi2 on data without sigma they are scaled by chi2/dof, as lmfit and HyperSpy do.
 */
import type { Dataset } from '../data/dataset';
import type { CompiledModel } from '../model/compile';
import { compileForView } from './compile-view';
import type { ModelDoc } from '../model/document';
import { levenbergMarquardt } from '../optimize/lm';
import type { LeastSquaresProblem, OptimizeOptions, OptimizeProgress, OptimizeResult, ScalarProblem } from '../optimize/problem';
import { nelderMead } from '../optimize/simplex';
import { fitLeastSquaresRobust, minimizeScalar } from '../optimize/strategy';
import { sumOfSquaresProblem } from '../optimize/sum-of-squares';
import { getStatistic, type Statistic } from '../stats';
import { covarianceFromHessian, covarianceFromJacobian, covarianceFromModelJacobian, type CovarianceResult } from '../uncertainty/covariance';
import { MethodError, runExtraMethod } from '../optimize/fit-methods';
import { angleWrapper } from '../image/canonical';
import { makeFitView, type FitView } from './fit-view';
import { fitMap, freePriors, mapCovariance, sumLogPrior } from './map-objective';
import type { FitProgress, FitResult, ParameterResult } from './result';
import type { FitSettings } from './settings';

export class FitError extends Error {}

export interface FitCallbacks {
  onProgress?: (p: FitProgress) => void;
  shouldStop?: () => boolean;
  /** clock for elapsedMs (performance.now in browsers and Node) */
  now?: () => number;
}

export interface Objective {
  compiled: CompiledModel;
  view: FitView;
  sigma: Float64Array | null;
  stat: Statistic;
}

export function checkData(view: FitView, stat: Statistic, datasetName: string): Float64Array | null {
  if (view.n === 0) throw new FitError(`${datasetName}: no points left to fit (check the mask and the fit ranges)`);
  const sigma = view.sigma ?? null;
  if (sigma) {
    for (let i = 0; i < view.n; i++) {
      if (!(sigma[i] > 0) || !Number.isFinite(sigma[i])) {
        throw new FitError(`${datasetName}: sigma must be positive and finite; point ${view.indices[i] + 1} has ${sigma[i]}`);
      }
    }
  }
  if (!stat.leastSquaresEquivalent) {
    for (let i = 0; i < view.n; i++) {
      if (!(view.y[i] >= 0)) {
        throw new FitError(`${datasetName}: the ${stat.name} statistic needs counts >= 0; point ${view.indices[i] + 1} has ${view.y[i]}`);
      }
    }
  }
  return sigma;
}

/** Names the first component that is not finite at the starting values (a clear message, never a silent NaN). */
export function checkStart(compiled: CompiledModel, theta0: Float64Array, n: number): void {
  const out = new Float64Array(n);
  compiled.evaluate(theta0, out);
  let bad = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i])) {
      bad = i;
      break;
    }
  }
  if (bad < 0) return;
  for (let c = 0; c < compiled.componentNames.length; c++) {
    compiled.evaluateComponent(c, theta0, out);
    if (!Number.isFinite(out[bad])) {
      throw new FitError(`Component ${compiled.componentNames[c]} is not finite at the starting values (point ${bad + 1}: ${out[bad]}); change its parameters or bounds`);
    }
  }
  throw new FitError(`The model is not finite at the starting values (point ${bad + 1})`);
}

function sameVector(a: ArrayLike<number>, b: Float64Array): boolean {
  for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * r_i = (y_i - m_i) / sigma_i and its Jacobian. With `jacobianAlongside`, every residual evaluation
 * also computes the Jacobian and keeps it: Levenberg-Marquardt asks for the Jacobian at almost
 * every point whose residuals it evaluated (each accepted step), and the model's value and
 * derivatives share their costly parts (exp, Faddeeva), so this saves about a third of the model
 * work (3 Gaussians: 4.4 -> 3.5 ms). Off for methods that rarely want derivatives (simplex).
 */
export function leastSquaresProblem(o: Objective, options: { jacobianAlongside?: boolean } = {}): LeastSquaresProblem {
  const { compiled, view, sigma } = o;
  const m = view.n;
  const n = compiled.nFree;
  const model = new Float64Array(m);
  const y = view.y;
  const negInvSigma = new Float64Array(m);
  for (let i = 0; i < m; i++) negInvSigma[i] = sigma ? -1 / sigma[i] : -1;
  const lastTheta = new Float64Array(n);
  /** the last Jacobian, column-major */
  const lastJc = new Float64Array(m * n);
  let cached = false;
  const alongside = options.jacobianAlongside ?? false;
  const fill = (theta: ArrayLike<number>): void => {
    compiled.evaluateWithJacobianColumns(theta, model, lastJc, negInvSigma);
    lastTheta.set(theta);
    cached = true;
  };
  const ensure = (theta: ArrayLike<number>): void => {
    // also serves the strategy's end-point check and the covariance, which ask again
    if (!cached || !sameVector(theta, lastTheta)) fill(theta);
  };
  return {
    m,
    n,
    lower: compiled.layout.lower,
    upper: compiled.layout.upper,
    residuals(theta, r) {
      if (alongside) fill(theta);
      else compiled.evaluate(theta, model);
      if (sigma) for (let i = 0; i < m; i++) r[i] = (y[i] - model[i]) / sigma[i];
      else for (let i = 0; i < m; i++) r[i] = y[i] - model[i];
    },
    jacobian(theta, J) {
      ensure(theta);
      for (let k = 0; k < n; k++) {
        const o = k * m;
        for (let i = 0; i < m; i++) J[i * n + k] = lastJc[o + i];
      }
    },
    jacobianColumns(theta, Jc) {
      ensure(theta);
      Jc.set(lastJc);
    },
  };
}

export function scalarProblem(o: Objective): ScalarProblem {
  const { compiled, view, sigma, stat } = o;
  const m = view.n;
  const n = compiled.nFree;
  const model = new Float64Array(m);
  const J = compiled.evaluateWithGradient ? new Float64Array(0) : new Float64Array(m * n);
  const dS = new Float64Array(m);
  const statistic = (mod: Float64Array, d: Float64Array): number => stat.valueAndDerivative(view.y, mod, sigma, null, m, d);
  return {
    n,
    lower: compiled.layout.lower,
    upper: compiled.layout.upper,
    value(theta) {
      compiled.evaluate(theta, model);
      return stat.value(view.y, model, sigma, null, m);
    },
    valueAndGradient(theta, g) {
      if (compiled.evaluateWithGradient) return compiled.evaluateWithGradient(theta, model, statistic, g);
      compiled.evaluateWithJacobian(theta, model, J);
      const s = stat.valueAndDerivative(view.y, model, sigma, null, m, dS);
      g.fill(0);
      for (let i = 0; i < m; i++) {
        const d = dS[i];
        if (d === 0) continue;
        const row = i * n;
        for (let k = 0; k < n; k++) g[k] += d * J[row + k];
      }
      return s;
    },
  };
}

type RunResult = OptimizeResult & { method: string; problem: LeastSquaresProblem | null; gram?: Float64Array };

function runOptimizer(o: Objective, settings: FitSettings, options: OptimizeOptions, wrap?: (theta: Float64Array) => void): RunResult {
  const theta0 = o.compiled.layout.theta0;
  const useLeastSquares = o.stat.leastSquaresEquivalent !== undefined;
  const method = settings.method;
  // iter, iterlm, adam; chunked LM and adjoint-gradient L-BFGS-B for images (optimize/fit-methods.ts)
  try {
    const extra = runExtraMethod({ compiled: o.compiled, y: o.view.y, sigma: o.sigma, stat: o.stat }, settings, theta0, options, wrap);
    if (extra) return { ...extra, problem: null };
  } catch (e) {
    if (e instanceof MethodError) throw new FitError(e.message);
    throw e;
  }
  if (useLeastSquares && (method === 'auto' || method === 'lm')) {
    const ls = leastSquaresProblem(o, { jacobianAlongside: true });
    if (method === 'lm') return { ...levenbergMarquardt(ls, theta0, options), method: 'lm', problem: ls };
    const res = fitLeastSquaresRobust(ls, theta0, options);
    return { ...res, method: res.method, problem: ls };
  }
  if (method === 'lm') {
    throw new FitError(`Levenberg-Marquardt needs a least-squares statistic (chi-square or Gaussian); use L-BFGS-B or simplex for ${o.stat.name}`);
  }
  const ls = useLeastSquares ? leastSquaresProblem(o) : null;
  const scalar = ls ? sumOfSquaresProblem(ls) : scalarProblem(o);
  if (method === 'simplex') return { ...nelderMead(scalar, theta0, options), method: 'simplex', problem: ls };
  return { ...minimizeScalar(scalar, theta0, { ...options, method: method === 'lbfgsb' ? 'lbfgsb' : 'auto' }), problem: ls };
}

function covarianceAt(o: Objective, theta: Float64Array, statValue: number, dof: number, ls: LeastSquaresProblem | null, gram?: Float64Array): CovarianceResult | null {
  const { compiled, view, sigma, stat } = o;
  const m = view.n;
  const n = compiled.nFree;
  if (n === 0) return null;
  const bounds = { theta, lower: compiled.layout.lower, upper: compiled.layout.upper };
  if (gram && stat.name === 'chi2') {
    // chunked LM: J^T J formed block by block; cov = s (J^T J)^-1 (s = chi2/dof without sigma) = 2 (2 J^T J / s)^-1
    const s = sigma === null ? (dof > 0 ? statValue / dof : NaN) : 1;
    return covarianceFromHessian(Float64Array.from(gram, (v) => (2 * v) / s), n, 1, bounds);
  }
  if (stat.name === 'chi2') {
    const J = new Float64Array(m * n);
    (ls ?? leastSquaresProblem(o)).jacobian(theta, J);
    return covarianceFromJacobian(J, m, n, { ...bounds, scaleByReducedChi2: sigma === null, chi2: statValue, dof });
  }
  const model = new Float64Array(m);
  const J = new Float64Array(m * n);
  const d2 = new Float64Array(m);
  compiled.evaluateWithJacobian(theta, model, J);
  stat.secondDerivative(view.y, model, sigma, null, m, d2);
  return covarianceFromModelJacobian(J, d2, m, n, stat.errordef, bounds);
}

/** The fitted points, compiled model and statistic of one fit (validated). */
export function prepareObjective(dataset: Dataset, model: ModelDoc, settings: FitSettings): Objective {
  const stat = getStatistic(settings.statistic);
  const view = makeFitView(dataset, settings.ranges);
  const sigma = checkData(view, stat, dataset.name);
  const compiled = compileForView(model, dataset, view);
  return { compiled, view, sigma, stat };
}

export function fitModel(dataset: Dataset, model: ModelDoc, settings: FitSettings, callbacks: FitCallbacks = {}): FitResult {
  const now = callbacks.now ?? (() => Date.now());
  const t0 = now();
  const o = prepareObjective(dataset, model, settings);
  const { compiled, view, sigma, stat } = o;
  const { layout, nFree } = compiled;
  for (let k = 0; k < nFree; k++) {
    const v = layout.theta0[k];
    if (!Number.isFinite(v)) throw new FitError(`${layout.freeKeys[k]} has no finite starting value`);
    if (v < layout.lower[k] || v > layout.upper[k]) {
      throw new FitError(`${layout.freeKeys[k]} = ${v} lies outside its bounds [${layout.lower[k]}, ${layout.upper[k]}]`);
    }
  }
  checkStart(compiled, layout.theta0, view.n);

  const keyed = (theta: ArrayLike<number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let k = 0; k < nFree; k++) out[layout.freeKeys[k]] = theta[k];
    return out;
  };
  const onProgress = callbacks.onProgress
    ? (p: OptimizeProgress) => callbacks.onProgress!({ iteration: p.iteration, nfev: p.nfev, statistic: p.statistic, values: keyed(p.theta) })
    : undefined;
  const options: OptimizeOptions = {
    onProgress,
    shouldStop: callbacks.shouldStop,
    ...(settings.maxIterations ? { maxIterations: settings.maxIterations } : {}),
  };

  const priors = settings.objective === 'posterior' && nFree > 0 ? freePriors(o, model) : [];
  const wrapAngles = dataset.kind === 'image' ? angleWrapper(model, layout) : undefined;
  let opt: RunResult;
  let mapBounds: { lower: Float64Array; upper: Float64Array } | null = null;
  if (nFree === 0) {
    opt = { theta: new Float64Array(0), statistic: 0, nfev: 1, njev: 0, iterations: 0, converged: true, cancelled: false, message: 'no free parameters: statistic evaluated', method: 'none', problem: null };
  } else if (priors.length > 0) {
    const r = fitMap(o, priors, layout.theta0, options);
    mapBounds = { lower: r.problem.lower, upper: r.problem.upper };
    opt = { ...r, method: `MAP (${r.method})`, problem: null };
  } else {
    opt = runOptimizer(o, settings, options, wrapAngles);
  }
  const theta = Float64Array.from(opt.theta);
  wrapAngles?.(theta); // position angles of elliptical image components in [0, pi) (image/canonical.ts)
  const modelValues = new Float64Array(view.n);
  compiled.evaluate(theta, modelValues);
  const statValue = stat.value(view.y, modelValues, sigma, null, view.n);
  const dof = view.n - nFree;
  const cov = mapBounds ? mapCovariance(o, priors, theta, mapBounds.lower, mapBounds.upper) : covarianceAt(o, theta, statValue, dof, opt.problem, opt.gram);

  const slotValues = new Float64Array(layout.slots.length);
  compiled.expand(theta, slotValues);
  const values: Record<string, number> = {};
  layout.slots.forEach((s, i) => (values[s.key] = slotValues[i]));
  const parameters: Record<string, ParameterResult> = {};
  for (let k = 0; k < nFree; k++) {
    const error = cov ? cov.errors[k] : null;
    const p: ParameterResult = { value: theta[k], error, atBound: cov ? cov.atBound[k] : null };
    const reason = cov?.errorReasons[k];
    if (error === null && reason) p.errorReason = reason;
    parameters[layout.freeKeys[k]] = p;
  }
  const result: FitResult = {
    parameters,
    parameterOrder: layout.freeKeys.slice(),
    values,
    start: keyed(layout.theta0),
    covariance: cov ? cov.covariance : null,
    correlation: cov ? cov.correlation : null,
    statistic: { name: stat.name, value: statValue },
    dof,
    reducedStatistic: dof > 0 && (stat.name === 'chi2' || stat.name === 'cash') ? statValue / dof : null,
    nPoints: view.n,
    converged: opt.converged,
    cancelled: opt.cancelled,
    message: opt.message,
    method: opt.method,
    nfev: opt.nfev,
    elapsedMs: now() - t0,
    errorsScaled: stat.name === 'chi2' && sigma === null,
  };
  if (cov?.reason) result.covarianceReason = cov.reason;
  if (mapBounds) {
    result.objective = 'posterior';
    result.logPrior = sumLogPrior(priors, theta);
    result.errorsScaled = false;
    result.message = `${result.message} (maximum a posteriori with ${priors.length} prior${priors.length === 1 ? '' : 's'})`;
  }
  return result;
}
