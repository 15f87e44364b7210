/**
 * Default strategies.
 *
 * fitLeastSquaresRobust: one MINPACK-style LM run; its end point is then checked (one residual
 * and one Jacobian evaluation): the run must have converged, the gradient must be small
 * (max_k |J_k . r| / (||J_k|| ||r||) <= 1e-4), and no parameter may have "evaporated" (its
 * Jacobian column fell below 1e-8 of the largest norm it had during the run, as when an
 * exponential rate runs off to where exp(-b x) underflows, or the width of a peak whose amplitude
 * went to zero). Only if that check fails do further stages run, each from the best point or the
 * start, until one passes:
 *   1. LM restarted from the end point (fresh scaling and trust region) when a limit was hit, or
 *      when only the gradient test failed: if the restart lowers the sum of squares S by no more
 *      than 0.01 S / (m - n) (a hundredth of the one-sigma change when S is a chi-square, i.e. an
 *      insignificant move) the point is accepted as stationary to rounding (residuals dominated
 *      by rounding, as in NIST Lanczos1 where they are 1e-13 of the data),
 *   2. LM from the start with a small initial trust region (factor 1),
 *   3. LM with geodesic acceleration from the start (factor 1),
 *   4. Nelder-Mead on the sum of squares from the start, then LM,
 *   5. Nelder-Mead from the best point so far, then LM.
 * The best point (lowest sum of squares) over all stages is returned. Its `converged` is false
 * when the objection stands (limit hit, large gradient), except for evaporation alone: then LM's
 * own verdict stands and the message carries the warning (a vanished component is a legitimate,
 * if degenerate, optimum; the covariance will report those parameters as not identifiable).
 *
 * minimizeScalar: L-BFGS-B or Nelder-Mead; 'auto' runs L-BFGS-B and, if it does not converge,
 * Nelder-Mead from its end point followed by L-BFGS-B again.
 */
import { enorm } from '../linalg/enorm';
import { lbfgsb } from './lbfgsb';
import { levenbergMarquardt, type LmOptions, type LmResult } from './lm';
import type { LeastSquaresProblem, OptimizeOptions, OptimizeResult, ScalarProblem } from './problem';
import { nelderMead } from './simplex';
import { sumOfSquaresProblem } from './sum-of-squares';

export interface RobustResult extends LmResult {
  /** the stages that ran, e.g. ['lm', 'lm-small-step'] */
  stages: string[];
  /** the stage whose result was returned */
  method: string;
  /** why the first LM result was not accepted (absent when it was) */
  retryReason?: string;
}

interface Assessment {
  ok: boolean;
  /** the only objection is the gradient test (may be rounding noise in tiny residuals) */
  gradientOnly?: boolean;
  /** the only objection is that some parameters lost their influence */
  evaporatedOnly?: boolean;
  reason: string;
}

export function fitLeastSquaresRobust(
  problem: LeastSquaresProblem,
  theta0: ArrayLike<number>,
  options: LmOptions = {},
): RobustResult {
  const { m, n } = problem;
  const r = new Float64Array(m);
  const jac = new Float64Array(m * n);
  let extraEvals = 0;
  const stages: string[] = [];

  const assess = (res: LmResult): Assessment => {
    if (res.cancelled) return { ok: true, reason: 'cancelled' };
    if (!res.converged) return { ok: false, reason: res.message };
    if (res.statistic === 0 || n === 0) return { ok: true, reason: '' };
    problem.residuals(res.theta, r);
    problem.jacobian(res.theta, jac);
    extraEvals++;
    const rn = enorm(m, r);
    if (!Number.isFinite(rn)) return { ok: false, reason: 'residuals not finite at the end point' };
    let worstCos = 0;
    const evaporated: number[] = [];
    for (let k = 0; k < n; k++) {
      if (res.atBound[k] !== 0) continue;
      let jr = 0;
      let jj = 0;
      for (let i = 0; i < m; i++) {
        const v = jac[i * n + k];
        jr += v * r[i];
        jj += v * v;
      }
      const jn = Math.sqrt(jj);
      if (jn > 0) worstCos = Math.max(worstCos, Math.abs(jr) / (jn * rn));
      if (!(jn >= 1e-8 * res.columnScale[k])) evaporated.push(k);
    }
    if (evaporated.length > 0) {
      return {
        ok: false,
        evaporatedOnly: true,
        reason: `parameter(s) ${evaporated.join(', ')} no longer influence the residuals`,
      };
    }
    if (!(worstCos <= 1e-4)) {
      return { ok: false, gradientOnly: true, reason: `gradient not small at the end (cosine ${worstCos.toExponential(2)})` };
    }
    return { ok: true, reason: '' };
  };

  let nfev = 0;
  let njev = 0;
  let iterations = 0;
  let best: LmResult | null = null;
  let bestStage = '';
  let bestOk = false;
  let bestEvaporated = false;
  let firstReason: string | undefined;

  const consider = (stage: string, res: LmResult, evals: { nfev: number; njev: number; iterations: number }) => {
    stages.push(stage);
    nfev += evals.nfev;
    njev += evals.njev;
    iterations += evals.iterations;
    const verdict = assess(res);
    if (best === null || res.statistic < best.statistic || (res.statistic === best.statistic && verdict.ok && !bestOk)) {
      best = res;
      bestStage = stage;
      bestOk = verdict.ok;
      bestEvaporated = verdict.evaporatedOnly === true;
    }
    if (firstReason === undefined && !verdict.ok) firstReason = verdict.reason;
    return verdict;
  };
  const finish = (): RobustResult => {
    const b = best as unknown as LmResult;
    return {
      ...b,
      nfev: nfev + extraEvals,
      njev: njev + extraEvals,
      iterations,
      converged: b.converged && (bestOk || bestEvaporated),
      message:
        bestOk || b.cancelled
          ? b.message
          : bestEvaporated
            ? `${b.message} (warning: ${firstReason ?? 'degenerate'}; other starts found nothing better)`
            : `${b.message} (not confirmed: ${firstReason ?? 'poor result'})`,
      stages,
      method: bestStage,
      retryReason: firstReason,
    };
  };
  const cancelled = () => (best as LmResult | null)?.cancelled === true || options.shouldStop?.() === true;

  const lm = (start: ArrayLike<number>, extra: LmOptions) => levenbergMarquardt(problem, start, { ...options, ...extra });

  const first = lm(theta0, {});
  const v1 = consider('lm', first, first);
  if (v1.ok || cancelled()) return finish();

  // 1. restart from the end point when a limit stopped it, or to confirm a stationary point whose
  //    gradient test failed (tiny residuals dominated by rounding): no further decrease confirms it
  if (first.info === 5 || first.info === 9 || v1.gradientOnly) {
    const res = lm(first.theta, {});
    const v = consider('lm-restart', res, res);
    if (v.ok || cancelled()) return finish();
    const insignificant = first.statistic - res.statistic <= (0.01 * first.statistic) / Math.max(m - n, 1);
    if (v1.gradientOnly && res.converged && insignificant) {
      bestOk = true;
      return finish();
    }
  }
  // 2. small initial trust region from the start
  {
    const res = lm(theta0, { factor: 1 });
    if (consider('lm-small-step', res, res).ok || cancelled()) return finish();
  }
  // 3. geodesic acceleration
  {
    const res = lm(theta0, { factor: 1, geodesic: true });
    if (consider('lm-geodesic', res, res).ok || cancelled()) return finish();
  }
  // 4, 5. simplex on the sum of squares, then LM
  const ss = sumOfSquaresProblem(problem);
  for (const [stage, startOf] of [
    ['simplex+lm', () => theta0],
    ['simplex+lm-from-best', () => (best as unknown as LmResult).theta],
  ] as const) {
    const nm = nelderMead(ss, startOf(), {
      maxFunctionEvaluations: options.maxFunctionEvaluations ?? 500 * (n + 1),
      shouldStop: options.shouldStop,
      onProgress: options.onProgress,
    });
    nfev += nm.nfev;
    iterations += nm.iterations;
    if (nm.cancelled) break;
    const res = lm(nm.theta, {});
    if (consider(stage, res, res).ok || cancelled()) return finish();
  }
  return finish();
}

export interface MinimizeScalarOptions extends OptimizeOptions {
  method?: 'lbfgsb' | 'simplex' | 'auto';
}

export function minimizeScalar(
  problem: ScalarProblem,
  theta0: ArrayLike<number>,
  options: MinimizeScalarOptions = {},
): OptimizeResult & { method: string } {
  const method = options.method ?? 'auto';
  if (method === 'simplex') return { ...nelderMead(problem, theta0, options), method };
  const first = lbfgsb(problem, theta0, options);
  if (method === 'lbfgsb' || first.converged || first.cancelled) return { ...first, method: 'lbfgsb' };
  const nm = nelderMead(problem, first.theta, options);
  const second = nm.cancelled ? nm : lbfgsb(problem, nm.theta, options);
  const bestRes = [first, nm, second].reduce((a, b) => (b.statistic < a.statistic ? b : a));
  return {
    ...bestRes,
    nfev: first.nfev + nm.nfev + (second === nm ? 0 : second.nfev),
    njev: first.njev + (second === nm ? 0 : second.njev),
    iterations: first.iterations + nm.iterations + (second === nm ? 0 : second.iterations),
    converged: bestRes.converged,
    method: 'lbfgsb+simplex+lbfgsb',
  };
}
