/**
 * A ProfileObjective for one dataset and model: the statistic of the fit and a minimiser that
 * holds chosen free parameters (MINOS, profiles, contours re-optimise the others). Least-squares
 * statistics re-optimise with Levenberg-Marquardt on the reduced problem, the others with L-BFGS-B.
 */
import type { Dataset } from '../data/dataset';
import type { ModelDoc } from '../model/document';
import { levenbergMarquardt } from '../optimize/lm';
import type { LeastSquaresProblem, ScalarProblem } from '../optimize/problem';
import { minimizeScalar } from '../optimize/strategy';
import type { MinimizeOutcome, ProfileObjective } from '../uncertainty/objective';
import { leastSquaresProblem, prepareObjective, scalarProblem, type Objective } from './fit-model';
import type { FitSettings } from './settings';

/** Maps a reduced vector (entries with held 0) into the full one. */
function reducer(n: number, held: Uint8Array, start: Float64Array) {
  const freeIdx: number[] = [];
  for (let k = 0; k < n; k++) if (!held[k]) freeIdx.push(k);
  const full = Float64Array.from(start);
  const fill = (t: ArrayLike<number>): Float64Array => {
    for (let j = 0; j < freeIdx.length; j++) full[freeIdx[j]] = t[j];
    return full;
  };
  return { freeIdx, full, fill };
}

function reducedLeastSquares(ls: LeastSquaresProblem, held: Uint8Array, start: Float64Array): { problem: LeastSquaresProblem; freeIdx: number[]; fill: (t: ArrayLike<number>) => Float64Array } {
  const { freeIdx, fill } = reducer(ls.n, held, start);
  const nr = freeIdx.length;
  const Jfull = new Float64Array(ls.m * ls.n);
  const problem: LeastSquaresProblem = {
    m: ls.m,
    n: nr,
    lower: Float64Array.from(freeIdx, (k) => ls.lower[k]),
    upper: Float64Array.from(freeIdx, (k) => ls.upper[k]),
    residuals: (t, r) => ls.residuals(fill(t), r),
    jacobian: (t, J) => {
      ls.jacobian(fill(t), Jfull);
      for (let i = 0; i < ls.m; i++) for (let j = 0; j < nr; j++) J[i * nr + j] = Jfull[i * ls.n + freeIdx[j]];
    },
  };
  return { problem, freeIdx, fill };
}

function reducedScalar(sp: ScalarProblem, held: Uint8Array, start: Float64Array): { problem: ScalarProblem; freeIdx: number[]; fill: (t: ArrayLike<number>) => Float64Array } {
  const { freeIdx, fill } = reducer(sp.n, held, start);
  const gFull = new Float64Array(sp.n);
  const problem: ScalarProblem = {
    n: freeIdx.length,
    lower: Float64Array.from(freeIdx, (k) => sp.lower[k]),
    upper: Float64Array.from(freeIdx, (k) => sp.upper[k]),
    value: (t) => sp.value(fill(t)),
    valueAndGradient: (t, g) => {
      const v = sp.valueAndGradient!(fill(t), gFull);
      for (let j = 0; j < freeIdx.length; j++) g[j] = gFull[freeIdx[j]];
      return v;
    },
  };
  return { problem, freeIdx, fill };
}

export function objectiveFromFit(o: Objective): ProfileObjective {
  const { compiled, stat } = o;
  const n = compiled.nFree;
  const ls = stat.leastSquaresEquivalent ? leastSquaresProblem(o) : null;
  const sp = scalarProblem(o);
  // S = scale * sum r^2 + offset for least-squares-equivalent statistics
  const lsScale = stat.leastSquaresEquivalent?.scale ?? 1;
  const lsOffset = stat.leastSquaresEquivalent ? stat.leastSquaresEquivalent.offset(o.view.y, o.sigma, null, o.view.n) : 0;
  const value = (theta: Float64Array) => sp.value(theta);
  const minimize = (start: Float64Array, held: Uint8Array, shouldStop?: () => boolean): MinimizeOutcome => {
    let nHeld = 0;
    for (let k = 0; k < n; k++) nHeld += held[k] ? 1 : 0;
    if (nHeld === n) return { theta: Float64Array.from(start), statistic: value(start), converged: true, nfev: 1 };
    if (ls) {
      const { problem, freeIdx, fill } = reducedLeastSquares(ls, held, start);
      const t0 = Float64Array.from(freeIdx, (k) => start[k]);
      const res = levenbergMarquardt(problem, t0, { shouldStop });
      const theta = Float64Array.from(fill(res.theta));
      return { theta, statistic: lsScale * res.statistic + lsOffset, converged: res.converged, nfev: res.nfev };
    }
    const { problem, freeIdx, fill } = reducedScalar(sp, held, start);
    const t0 = Float64Array.from(freeIdx, (k) => start[k]);
    const res = minimizeScalar(problem, t0, { shouldStop });
    const theta = Float64Array.from(fill(res.theta));
    return { theta, statistic: res.statistic, converged: res.converged, nfev: res.nfev };
  };
  return {
    n,
    keys: compiled.layout.freeKeys.slice(),
    lower: compiled.layout.lower,
    upper: compiled.layout.upper,
    errordef: stat.errordef,
    value,
    minimize,
  };
}

/** The profile objective of fitting `model` to `dataset` with `settings`. */
export function buildProfileObjective(dataset: Dataset, model: ModelDoc, settings: FitSettings): ProfileObjective {
  return objectiveFromFit(prepareObjective(dataset, model, settings));
}
