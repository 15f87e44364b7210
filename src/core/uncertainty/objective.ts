/**
 * What profile-likelihood tools (MINOS intervals, profiles, contours, surfaces) need from a fit:
 * the statistic as a function of the free vector, and a minimiser that can hold any subset of the
 * free parameters at given values while re-optimising the rest.
 */
export interface MinimizeOutcome {
  /** full free vector (held entries unchanged) */
  theta: Float64Array;
  statistic: number;
  converged: boolean;
  nfev: number;
}

export interface ProfileObjective {
  /** number of free parameters */
  n: number;
  /** parameter keys of the free vector, e.g. `Gaussian.centre` */
  keys: string[];
  lower: Float64Array;
  upper: Float64Array;
  /** change of the statistic for a one-sigma 1D interval: 1 for chi2 and Cash, 0.5 for -ln L */
  errordef: number;
  /** statistic at a free vector */
  value(theta: Float64Array): number;
  /**
   * Minimises over the parameters with held[k] === 0, the others kept at start[k].
   * Must not modify `start`. With no free entries left it just evaluates.
   */
  minimize(start: Float64Array, held: Uint8Array, shouldStop?: () => boolean): MinimizeOutcome;
}
