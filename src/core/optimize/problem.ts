/**
 * The contracts every optimizer speaks. Optimizers see only the free-parameter vector;
 * links, fixed parameters and transforms are folded in by the model compiler.
 */

/** Least squares: minimise sum_i r_i(theta)^2. */
export interface LeastSquaresProblem {
  /** number of residuals */
  m: number;
  /** number of free parameters */
  n: number;
  /** fills r (length m) */
  residuals(theta: Float64Array, r: Float64Array): void;
  /** fills J (m x n, row-major): J[i*n + k] = d r_i / d theta_k */
  jacobian(theta: Float64Array, J: Float64Array): void;
  /** optional, faster for tall problems: the same Jacobian column-major, Jc[k*m + i] = d r_i / d theta_k */
  jacobianColumns?(theta: Float64Array, Jc: Float64Array): void;
  /** bounds per parameter (-Infinity / Infinity when unbounded) */
  lower: Float64Array;
  upper: Float64Array;
}

/** A scalar objective (e.g. -2 ln L, Cash C), minimised. */
export interface ScalarProblem {
  n: number;
  value(theta: Float64Array): number;
  /** fills g with the gradient and returns the value; absent means numerical gradient */
  valueAndGradient?(theta: Float64Array, g: Float64Array): number;
  lower: Float64Array;
  upper: Float64Array;
}

export interface OptimizeProgress {
  iteration: number;
  nfev: number;
  statistic: number;
  theta: Float64Array;
}

export interface OptimizeOptions {
  maxIterations?: number;
  maxFunctionEvaluations?: number;
  /** relative reduction of the statistic */
  ftol?: number;
  /** relative change of the parameters */
  xtol?: number;
  /** gradient orthogonality / norm */
  gtol?: number;
  /** called at most every iteration; the optimizer never awaits it */
  onProgress?: (p: OptimizeProgress) => void;
  /** polled between iterations: true stops and returns the best point reached */
  shouldStop?: () => boolean;
}

export interface OptimizeResult {
  theta: Float64Array;
  /** final value of the minimised statistic (sum of squares for least squares) */
  statistic: number;
  nfev: number;
  njev: number;
  iterations: number;
  converged: boolean;
  cancelled: boolean;
  message: string;
}
