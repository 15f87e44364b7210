/**
 * Block-coordinate least squares, as AstroPhot's `Iter` and `Iter_LM` fitters:
 *   - 'iter': one component at a time. Each component's free parameters are fitted by
 *     Levenberg-Marquardt (lm.ts) on the residual of the others (their model is computed once when
 *     the component's turn comes and held fixed, so each evaluation renders one component only);
 *     the components are visited in order, cycle after cycle, until a cycle lowers the statistic by
 *     less than `cycleTol` (relative).
 *   - 'iterlm': LM on consecutive chunks of `chunk` free parameters (whatever component they
 *     belong to), cycled the same way; every evaluation renders the whole model, the Jacobian only
 *     the chunk's columns, so memory stays at m x chunk.
 * Both descend monotonically (each block step is an LM run that never accepts an increase), so
 * they end at a point where no block can improve alone: a minimum whenever the blocks are not
 * strongly coupled, otherwise close to one and slower than a full LM step would be.
 */
import { levenbergMarquardt } from './lm';
import type { LeastSquaresProblem, OptimizeOptions, OptimizeResult } from './problem';

/** A least-squares problem that can move groups of parameters cheaply. */
export interface GroupedLeastSquares {
  m: number;
  n: number;
  lower: Float64Array;
  upper: Float64Array;
  /** the component groups (free-parameter indices), for 'iter' */
  groups: number[][];
  /** full residuals */
  residuals(theta: Float64Array, r: Float64Array): void;
  /** group g is about to move from theta: later groupResiduals calls move only its parameters */
  beginGroup(g: number, theta: Float64Array): void;
  /** residuals when only group g's parameters differ from the theta given to beginGroup */
  groupResiduals(theta: Float64Array, r: Float64Array): void;
  /** columns `cols` of dr/dtheta, column-major (Jc[j * m + i] for cols[j]) */
  jacobianOf(theta: Float64Array, cols: number[], Jc: Float64Array): void;
}

export interface IterOptions extends OptimizeOptions {
  mode: 'iter' | 'iterlm';
  /** parameters per chunk ('iterlm'; default 8) */
  chunk?: number;
  /** LM iterations per block visit (default 3) */
  innerIterations?: number;
  /** stop when a whole cycle lowers the sum of squares by less than this, relative (default 1e-4) */
  cycleTol?: number;
  /** at most this many cycles (default 100) */
  maxCycles?: number;
  wrap?: (theta: Float64Array) => void;
}

export interface IterResult extends OptimizeResult {
  cycles: number;
}

export function iterateBlocks(problem: GroupedLeastSquares, theta0: ArrayLike<number>, options: IterOptions): IterResult {
  const { m, n, lower, upper } = problem;
  const mode = options.mode;
  const inner = options.innerIterations ?? 3;
  const cycleTol = options.cycleTol ?? 1e-4;
  const maxCycles = options.maxCycles ?? 100;
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = Math.min(upper[k], Math.max(lower[k], theta0[k]));
  options.wrap?.(x);
  const r = new Float64Array(m);
  const ss = (): number => {
    let s = 0;
    for (let i = 0; i < m; i++) s += r[i] * r[i];
    return s === s ? s : Infinity;
  };
  let blocks: number[][];
  if (mode === 'iter') blocks = problem.groups.filter((g) => g.length > 0);
  else {
    const c = Math.max(1, Math.floor(options.chunk ?? 8));
    blocks = [];
    for (let a = 0; a < n; a += c) blocks.push(Array.from({ length: Math.min(c, n - a) }, (_, k) => a + k));
  }
  problem.residuals(x, r);
  let nfev = 1;
  let njev = 0;
  let F = ss();
  let cycles = 0;
  let iterations = 0;
  const done = (converged: boolean, message: string, cancelled = false): IterResult => ({
    theta: Float64Array.from(x),
    statistic: F,
    nfev,
    njev,
    iterations,
    converged,
    cancelled,
    message,
    cycles,
  });
  if (!Number.isFinite(F)) return done(false, 'failed: residuals are not finite at the starting point');
  const full = new Float64Array(n);
  for (;;) {
    if (options.shouldStop?.()) return done(false, 'cancelled', true);
    if (cycles >= maxCycles) return done(false, `stopped: ${maxCycles} cycles without meeting the tolerance`);
    if (options.maxIterations !== undefined && iterations >= options.maxIterations) return done(false, 'stopped: the number of iterations reached its limit');
    const Fstart = F;
    for (let b = 0; b < blocks.length; b++) {
      const cols = blocks[b];
      const nb = cols.length;
      const useGroup = mode === 'iter';
      if (useGroup) problem.beginGroup(b, x);
      full.set(x);
      const put = (t: ArrayLike<number>): void => {
        for (let j = 0; j < nb; j++) full[cols[j]] = t[j];
      };
      const Jc = new Float64Array(m * nb);
      const sub: LeastSquaresProblem = {
        m,
        n: nb,
        lower: Float64Array.from(cols, (k) => lower[k]),
        upper: Float64Array.from(cols, (k) => upper[k]),
        residuals(t, out) {
          put(t);
          if (useGroup) problem.groupResiduals(full, out);
          else problem.residuals(full, out);
        },
        jacobian(t, J) {
          put(t);
          problem.jacobianOf(full, cols, Jc);
          for (let j = 0; j < nb; j++) for (let i = 0; i < m; i++) J[i * nb + j] = Jc[j * m + i];
        },
        jacobianColumns(t, J) {
          put(t);
          problem.jacobianOf(full, cols, J);
        },
      };
      const res = levenbergMarquardt(sub, Float64Array.from(cols, (k) => x[k]), { maxIterations: inner, shouldStop: options.shouldStop });
      nfev += res.nfev;
      njev += res.njev;
      iterations += res.iterations;
      for (let j = 0; j < nb; j++) x[cols[j]] = res.theta[j];
      options.wrap?.(x);
      if (res.cancelled) {
        problem.residuals(x, r);
        F = ss();
        return done(false, 'cancelled', true);
      }
    }
    problem.residuals(x, r);
    nfev++;
    F = ss();
    cycles++;
    options.onProgress?.({ iteration: cycles, nfev, statistic: F, theta: Float64Array.from(x) });
    if (!(F < Infinity)) return done(false, 'failed: the residuals became non-finite');
    if (Fstart - F <= cycleTol * F) {
      const what = mode === 'iter' ? `${blocks.length} components one at a time` : `chunks of ${blocks[0]?.length ?? 0} parameters`;
      return done(true, `converged: a cycle over ${what} lowered the statistic by at most ${cycleTol} (relative), after ${cycles} cycles`);
    }
  }
}
