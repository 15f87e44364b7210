/**
 * L-BFGS-B: limited-memory BFGS for bound-constrained minimisation (Byrd, Lu, Nocedal & Zhu
 * 1995, "A limited memory algorithm for bound constrained optimization"; with the subspace
 * projection of Morales & Nocedal 2011). Each iteration: generalized Cauchy point along the
 * projected steepest-descent path, direct primal subspace minimisation over the free variables,
 * then a strong-Wolfe line search (line-search.ts) along the resulting feasible direction.
 *
 * Convergence tests:
 * - projected gradient: max_i |P(x - g)_i - x_i| * max(|x_i|, 1e-3 typ_i) <= gtol * max(|f|, 1)
 *   (a relative, unit-free form of the classic ||P(x - g) - x||_inf <= pgtol; typ_i = |theta0_i| or 1),
 * - relative reduction: (f_k - f_k+1) / max(|f_k|, |f_k+1|, 1) <= ftol (L-BFGS-B's factr * eps).
 * Without valueAndGradient the gradient comes from central differences (numerical-gradient.ts).
 */
import { cauchyPoint, subspaceMinimize } from './lbfgsb-cauchy';
import { LbfgsMatrix } from './lbfgsb-matrix';
import { strongWolfe } from './line-search';
import { numericalGradient } from './numerical-gradient';
import type { OptimizeOptions, OptimizeResult, ScalarProblem } from './problem';

export interface LbfgsbOptions extends OptimizeOptions {
  /** number of stored corrections (default 10) */
  memory?: number;
}

export function lbfgsb(problem: ScalarProblem, theta0: ArrayLike<number>, options: LbfgsbOptions = {}): OptimizeResult {
  const n = problem.n;
  const lower = problem.lower;
  const upper = problem.upper;
  const ftol = options.ftol ?? 1e-13;
  const gtol = options.gtol ?? 1e-10;
  const maxIter = options.maxIterations ?? 10000;
  const maxfev = options.maxFunctionEvaluations ?? 1000 * (n + 1);
  const bm = new LbfgsMatrix(n, options.memory ?? 10);

  const x = new Float64Array(n);
  const typical = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.min(upper[i], Math.max(lower[i], theta0[i]));
    typical[i] = x[i] !== 0 ? Math.abs(x[i]) : 1;
  }
  const g = new Float64Array(n);
  const xt = new Float64Array(n);
  const gt = new Float64Array(n);
  const xcp = new Float64Array(n);
  const xbar = new Float64Array(n);
  const d = new Float64Array(n);
  const s = new Float64Array(n);
  const yv = new Float64Array(n);
  const counter = { nfev: 0 };
  let njev = 0;

  const fg = (xx: Float64Array, gg: Float64Array): number => {
    let v: number;
    if (problem.valueAndGradient) {
      counter.nfev++;
      njev++;
      v = problem.valueAndGradient(xx, gg);
    } else {
      v = numericalGradient((z) => problem.value(z), xx, lower, upper, typical, gg, counter);
    }
    return Number.isNaN(v) ? Infinity : v;
  };

  let f = fg(x, g);
  let iterations = 0;
  const finish = (converged: boolean, message: string, cancelled = false): OptimizeResult => ({
    theta: Float64Array.from(x),
    statistic: f,
    nfev: counter.nfev,
    njev,
    iterations,
    converged,
    cancelled,
    message,
  });
  if (!Number.isFinite(f)) return finish(false, 'failed: the objective is not finite at the starting point');
  if (n === 0) return finish(true, 'converged: no free parameters');

  const projGradScaled = (): number => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const pg = Math.min(upper[i], Math.max(lower[i], x[i] - g[i])) - x[i];
      m = Math.max(m, Math.abs(pg) * Math.max(Math.abs(x[i]), 1e-3 * typical[i]));
    }
    return m;
  };

  let resets = 0;
  for (;;) {
    if (options.shouldStop?.()) return finish(false, 'cancelled', true);
    options.onProgress?.({ iteration: iterations, nfev: counter.nfev, statistic: f, theta: Float64Array.from(x) });
    if (projGradScaled() <= gtol * Math.max(Math.abs(f), 1)) {
      return finish(true, 'converged: the projected gradient is below gtol');
    }
    if (iterations >= maxIter) return finish(false, 'stopped: the number of iterations reached its limit');
    if (counter.nfev >= maxfev) return finish(false, 'stopped: the number of function evaluations reached its limit');

    // search direction from the Cauchy point and the subspace minimisation
    const cp = cauchyPoint(x, g, lower, upper, bm, xcp);
    subspaceMinimize(x, g, lower, upper, bm, xcp, cp, xbar);
    let gd = 0;
    let dnorm = 0;
    for (let i = 0; i < n; i++) {
      d[i] = xbar[i] - x[i];
      gd += g[i] * d[i];
      dnorm += d[i] * d[i];
    }
    dnorm = Math.sqrt(dnorm);
    if (!(gd < 0) || dnorm === 0) {
      if (bm.k > 0) {
        bm.reset();
        resets++;
        continue;
      }
      return finish(true, 'converged: no descent direction remains (projected gradient is zero to rounding)');
    }
    // largest feasible step along d (x + alpha d stays in the box)
    let alphaMax = 1e10;
    for (let i = 0; i < n; i++) {
      if (d[i] > 0 && upper[i] < Infinity) alphaMax = Math.min(alphaMax, (upper[i] - x[i]) / d[i]);
      else if (d[i] < 0 && lower[i] > -Infinity) alphaMax = Math.min(alphaMax, (lower[i] - x[i]) / d[i]);
    }
    alphaMax = Math.max(alphaMax, 1);
    const alpha1 = bm.k === 0 ? Math.min(1, 1 / dnorm) : 1;
    let lastAlpha = NaN;
    const phi = (alpha: number) => {
      for (let i = 0; i < n; i++) {
        const v = x[i] + alpha * d[i];
        xt[i] = v < lower[i] ? lower[i] : v > upper[i] ? upper[i] : v;
      }
      const fv = fg(xt, gt);
      lastAlpha = alpha;
      let dd = 0;
      for (let i = 0; i < n; i++) dd += gt[i] * d[i];
      return { f: fv, df: dd };
    };
    const ls = strongWolfe(phi, f, gd, alpha1, alphaMax);
    if (!(ls.alpha > 0) || !(ls.f < f || (ls.f === f && ls.ok))) {
      if (bm.k > 0 && resets < 20) {
        bm.reset();
        resets++;
        continue;
      }
      return finish(
        projGradScaled() <= 1e3 * gtol * Math.max(Math.abs(f), 1),
        'stopped: the line search found no lower point (converged to rounding, or a bad gradient)',
      );
    }
    if (lastAlpha !== ls.alpha) phi(ls.alpha);
    const fold = f;
    for (let i = 0; i < n; i++) {
      s[i] = xt[i] - x[i];
      yv[i] = gt[i] - g[i];
      x[i] = xt[i];
      g[i] = gt[i];
    }
    f = ls.f;
    iterations++;
    bm.update(s, yv);
    if ((fold - f) / Math.max(Math.abs(fold), Math.abs(f), 1) <= ftol) {
      return finish(true, 'converged: the relative reduction of the objective is below ftol');
    }
  }
}
