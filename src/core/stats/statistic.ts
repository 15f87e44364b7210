/**
 * Fit statistics as descriptors. Arrays: y (data), m (model), sigma (per-point standard deviation,
 * null = unit weights), mask (1 = excluded, null = none), n (points). All statistics are
 * minimised. Derivatives are with respect to the model values m_i, for chaining with the model
 * Jacobian: dS/dtheta_k = sum_i dOut[i] dm_i/dtheta_k, and the Gauss-Newton Hessian
 * H = J^T diag(d2Out) J. Masked points contribute 0 to the value and both derivatives.
 *
 * Poisson-type statistics (cash, poisson) need counts y >= 0 and a model m > 0 where y > 0
 * (m = 0 is fine where y = 0). Otherwise the value is +Infinity (never NaN) and the derivatives
 * at the offending points are 0: the optimizers treat +Infinity as "step rejected" (LM and the
 * line search shrink the step, the simplex ranks it worst).
 */
export type StatisticName = 'chi2' | 'cash' | 'gauss' | 'poisson';

export interface Statistic {
  name: StatisticName;
  /** change of the statistic that defines a one-sigma interval (chi2, cash: 1; -ln L: 0.5) */
  errordef: number;
  /** true only for chi2: minimise sum r_i^2 with r_i = (y_i - m_i) / sigma_i by least squares */
  leastSquares: boolean;
  /**
   * When set, S = scale * chi2 + offset(y, sigma, mask, n) exactly, so the statistic can be
   * minimised by least squares on the chi2 residuals and converted afterwards (chi2, gauss).
   */
  leastSquaresEquivalent?: {
    scale: number;
    offset(y: Float64Array, sigma: Float64Array | null, mask: Uint8Array | null, n: number): number;
  };
  value(y: Float64Array, m: Float64Array, sigma: Float64Array | null, mask: Uint8Array | null, n: number): number;
  /** returns the value and fills dOut[i] = dS/dm_i */
  valueAndDerivative(
    y: Float64Array,
    m: Float64Array,
    sigma: Float64Array | null,
    mask: Uint8Array | null,
    n: number,
    dOut: Float64Array,
  ): number;
  /** fills d2Out[i] = d2S/dm_i^2 (the Hessian in m is diagonal) */
  secondDerivative(
    y: Float64Array,
    m: Float64Array,
    sigma: Float64Array | null,
    mask: Uint8Array | null,
    n: number,
    d2Out: Float64Array,
  ): void;
}
