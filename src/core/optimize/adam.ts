/**
 * Adam (Kingma & Ba 2015, "Adam: a method for stochastic optimization", Algorithm 1) for a smooth
 * objective with an analytic gradient, within bounds:
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  x -= lr s (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * then projected onto the box. `scale` (s) sets the step unit of each parameter (e.g. its
 * standard error from the diagonal of the information matrix), so the learning rate is in those
 * units. Adam never checks the objective, so the best point seen is kept; the learning rate is
 * halved when `patience` iterations bring no relative improvement above `ftol`, and the run
 * converges when it falls below minRate (the steps are then far below the parameters' errors).
 */
import type { OptimizeOptions, OptimizeResult, ScalarProblem } from './problem';

export interface AdamOptions extends OptimizeOptions {
  /** step unit per parameter (default 1) */
  scale?: ArrayLike<number>;
  /** initial learning rate in units of scale (default 0.5) */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** iterations without improvement before the rate is halved (default 20) */
  patience?: number;
  /** stop when the rate falls below this (default 1e-3 of the initial one) */
  minRate?: number;
  wrap?: (theta: Float64Array) => void;
}

export function adam(problem: ScalarProblem, theta0: ArrayLike<number>, options: AdamOptions = {}): OptimizeResult {
  const n = problem.n;
  const { lower, upper } = problem;
  if (!problem.valueAndGradient) throw new Error('Adam needs the gradient of the objective');
  const vg = problem.valueAndGradient.bind(problem);
  const maxIter = options.maxIterations ?? 1000;
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  const patience = options.patience ?? 20;
  const lr0 = options.learningRate ?? 20;
  const minRate = options.minRate ?? 1e-3 * lr0;
  const ftol = options.ftol ?? 1e-10;
  const scale = Float64Array.from({ length: n }, (_, k) => (options.scale ? options.scale[k] : 1));
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = Math.min(upper[k], Math.max(lower[k], theta0[k]));
  options.wrap?.(x);
  const g = new Float64Array(n);
  const mo = new Float64Array(n);
  const ve = new Float64Array(n);
  const best = Float64Array.from(x);
  let fBest = Infinity;
  let lr = lr0;
  let sinceBest = 0;
  let nfev = 0;
  let t = 0;
  const result = (converged: boolean, message: string, cancelled = false): OptimizeResult => ({
    theta: Float64Array.from(best),
    statistic: fBest,
    nfev,
    njev: nfev,
    iterations: t,
    converged,
    cancelled,
    message,
  });
  for (;;) {
    if (options.shouldStop?.()) return result(false, 'cancelled', true);
    const f = vg(x, g);
    nfev++;
    if (!Number.isFinite(f)) {
      if (t === 0) return result(false, 'failed: the objective is not finite at the starting point');
      // step back to the best point with a smaller rate
      x.set(best);
      lr *= 0.5;
      mo.fill(0);
      ve.fill(0);
      if (lr < minRate) return result(true, `converged: the learning rate fell below ${minRate} (steps far below the parameter scales)`);
      continue;
    }
    if (f < fBest * (1 - ftol) || fBest === Infinity) {
      fBest = f;
      best.set(x);
      sinceBest = 0;
    } else if (f < fBest) {
      fBest = f;
      best.set(x);
      sinceBest++;
    } else sinceBest++;
    if (sinceBest >= patience) {
      lr *= 0.5;
      sinceBest = 0;
      x.set(best);
      if (lr < minRate) return result(true, `converged: the learning rate fell below ${minRate.toPrecision(3)} (steps far below the parameter scales)`);
      continue;
    }
    if (t >= maxIter) return result(false, `stopped: ${maxIter} iterations`);
    options.onProgress?.({ iteration: t, nfev, statistic: fBest, theta: Float64Array.from(best) });
    t++;
    const c1 = 1 / (1 - Math.pow(b1, t));
    const c2 = 1 / (1 - Math.pow(b2, t));
    for (let k = 0; k < n; k++) {
      if (lower[k] >= upper[k]) continue;
      mo[k] = b1 * mo[k] + (1 - b1) * g[k];
      ve[k] = b2 * ve[k] + (1 - b2) * g[k] * g[k];
      const step = (lr * scale[k] * (mo[k] * c1)) / (Math.sqrt(ve[k] * c2) + eps);
      x[k] = Math.min(upper[k], Math.max(lower[k], x[k] - step));
    }
    options.wrap?.(x);
  }
}
