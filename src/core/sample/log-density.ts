/**
 * The contract every sampler speaks: a log density (up to an additive constant) of n parameters,
 * with its gradient. Built by fit/posterior.ts from a dataset, a model and the fit settings, or by
 * hand in tests. Samplers move in an unconstrained space (transform.ts) and report draws in this,
 * the constrained space.
 */
export interface LogDensity {
  /** number of parameters */
  n: number;
  /** parameter names, `<component>.<parameter>` */
  keys: string[];
  /** support per parameter (-Infinity / Infinity when unbounded); the density is -Infinity outside */
  lower: Float64Array;
  upper: Float64Array;
  /** log posterior at theta (constrained space); -Infinity outside the support or where undefined */
  logDensity(theta: Float64Array): number;
  /** the same, and fills g with d logDensity / d theta (values of g are unspecified where the result is -Infinity) */
  logDensityAndGradient(theta: Float64Array, g: Float64Array): number;
}
