/**
 * Descriptor of a model component: a pure vectorised function plus metadata.
 * Components keep HyperSpy's parameter names and definitions (1D) and AstroPhot's (2D).
 *
 * Evaluation contract (hot path, no allocation inside):
 *   evaluate(p, coords, out, jac)
 *     p      parameter values, in the order of `paramNames(options)`
 *     coords independent variables (coords.x for 1D; coords.x and coords.y for 2D), length n
 *     out    written (not accumulated) with f(point_i; p) for i < n
 *     jac    null, or one Float64Array per parameter (length n): jac[k][i] = d f(point_i) / d p[k]
 * Derivatives are analytic (exact); tests compare them with finite differences.
 */
export interface ComponentOptions {
  /** polynomial order */
  order?: number;
  /** expression text for expression components */
  expr?: string;
}

export interface ParamSpec {
  name: string;
  /** default starting value */
  value: number;
  /** natural bounds (null = unbounded) */
  lower: number | null;
  upper: number | null;
  description: string;
}

export interface GuessInput {
  x: Float64Array;
  y: Float64Array;
}

export interface ComponentType {
  type: string;
  /** number of independent variables: 1 for spectra, 2 for images */
  dims: 1 | 2;
  /** formula for the help text, e.g. "A / (sigma sqrt(2 pi)) exp(-(x-centre)^2 / (2 sigma^2))" */
  formula: string;
  /** is this a peak (offers "estimate from data")? */
  peak: boolean;
  params(options?: ComponentOptions): ParamSpec[];
  evaluate(
    p: ArrayLike<number>,
    coords: Record<string, Float64Array>,
    out: Float64Array,
    jac: Float64Array[] | null,
    n: number,
    options?: ComponentOptions,
  ): void;
  /**
   * Optional fused adjoint: g[k] += sum_i w[i] d f(point_i) / d p[k] for i < n, without writing
   * the derivative columns (the pixel integrator's gradient route, image-model.ts; same
   * derivatives as evaluate's jac). Points with w[i] = 0 may be skipped.
   */
  gradientDot?(p: ArrayLike<number>, coords: Record<string, Float64Array>, w: Float64Array, n: number, g: Float64Array, options?: ComponentOptions): void;
  /**
   * Optional, with gradientDot: an object that keeps, per point, what the forward pass computed and
   * gradientDot needs again (e.g. the Sersic's table lookups), so that a gradient looks the
   * profile up once per point instead of twice. Its gradientDot equals the type's, for the points
   * and parameters of its last evaluate.
   */
  adjointCache?(): AdjointCache;
  /** starting values estimated from data (x, y already restricted to the region of interest) */
  guess?(data: GuessInput, options?: ComponentOptions): Record<string, number>;
}

/** See ComponentType.adjointCache. */
export interface AdjointCache {
  /**
   * out[i] = the profile at point i (as evaluate without jac), keeping what gradientDot needs; it
   * may keep `out` itself, which the caller then leaves unchanged until gradientDot
   */
  evaluate(p: ArrayLike<number>, coords: Record<string, Float64Array>, out: Float64Array, n: number, options?: ComponentOptions): void;
  /** as ComponentType.gradientDot, for the same p, coords and n as the last evaluate */
  gradientDot(p: ArrayLike<number>, coords: Record<string, Float64Array>, w: Float64Array, n: number, g: Float64Array, options?: ComponentOptions): void;
}
