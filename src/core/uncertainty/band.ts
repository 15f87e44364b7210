/**
 * Confidence band of the fitted model by linear error propagation (the delta method; e.g.
 * Bevington & Robinson, "Data Reduction and Error Analysis", ch. 3): with the model Jacobian
 * J_i = d model_i / d theta at the best fit and the parameter covariance C,
 *     sigma_model_i = sqrt(J_i C J_i^T),   band_i = model_i +- z sigma_model_i.
 * z = 1 gives the one-sigma band; a confidence level cl gives z = Phi^-1((1 + cl) / 2) (a
 * pointwise band, not a simultaneous one). Parameters whose covariance row is not finite (held at
 * a bound, not identifiable: see covariance.ts) are left out, i.e. treated as fixed, and listed.
 * This is exact for a model linear in the parameters; for a nonlinear one it is the first-order
 * approximation.
 */
import { normalQuantile } from './levels';
import { covEntry, type CovarianceInput } from './warm-start';

export interface BandOptions {
  /** multiple of sigma (default 1); ignored when cl is given */
  z?: number;
  /** pointwise confidence level (0 < cl < 1) */
  cl?: number;
}

export interface ModelBand {
  sigma: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  z: number;
  /** free-parameter indices left out because their covariance is not finite */
  skipped: number[];
}

/**
 * Band of `model` (length m) from the row-major m x n Jacobian and the n x n covariance.
 */
export function modelBand(
  model: ArrayLike<number>,
  jacobian: ArrayLike<number>,
  covariance: CovarianceInput,
  n: number,
  options: BandOptions = {},
): ModelBand {
  const m = model.length;
  if (jacobian.length !== m * n) throw new Error(`modelBand: Jacobian has ${jacobian.length} entries, expected ${m} x ${n}`);
  const z = options.cl !== undefined ? normalQuantile(0.5 * (1 + options.cl)) : (options.z ?? 1);
  const use: number[] = [];
  const skipped: number[] = [];
  for (let k = 0; k < n; k++) {
    if (Number.isFinite(covEntry(covariance, n, k, k))) use.push(k);
    else skipped.push(k);
  }
  const nu = use.length;
  const c = new Float64Array(nu * nu);
  for (let a = 0; a < nu; a++) {
    for (let b = 0; b < nu; b++) {
      const v = 0.5 * (covEntry(covariance, n, use[a], use[b]) + covEntry(covariance, n, use[b], use[a]));
      c[a * nu + b] = Number.isFinite(v) ? v : 0;
    }
  }
  const sigma = new Float64Array(m);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const jr = new Float64Array(nu);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < nu; a++) jr[a] = jacobian[i * n + use[a]];
    let v = 0;
    for (let a = 0; a < nu; a++) {
      let s = 0;
      for (let b = 0; b < nu; b++) s += c[a * nu + b] * jr[b];
      v += jr[a] * s;
    }
    const sd = Math.sqrt(Math.max(v, 0));
    sigma[i] = sd;
    lower[i] = model[i] - z * sd;
    upper[i] = model[i] + z * sd;
  }
  return { sigma, lower, upper, z, skipped };
}

/**
 * Model Jacobian (row-major m x n) by central differences, step h_k = relStep * scale_k with
 * scale_k the parameter's error (or max(|theta_k|, 1e-8) without one), one-sided inside bounds.
 */
export function modelJacobianByDifferences(
  evaluate: (theta: Float64Array) => ArrayLike<number>,
  theta: ArrayLike<number>,
  options: { errors?: ArrayLike<number | null>; relStep?: number; lower?: ArrayLike<number>; upper?: ArrayLike<number> } = {},
): { jacobian: Float64Array; model: Float64Array } {
  const n = theta.length;
  const x = Float64Array.from(theta);
  const model = Float64Array.from(evaluate(x));
  const m = model.length;
  const jac = new Float64Array(m * n);
  const rel = options.relStep ?? 1e-3;
  for (let k = 0; k < n; k++) {
    const e = options.errors ? options.errors[k] : null;
    const scale = e !== null && e !== undefined && e > 0 && Number.isFinite(e) ? e : Math.max(Math.abs(x[k]), 1e-8) * 1e-3;
    const h = rel * scale;
    const lo = options.lower ? options.lower[k] : -Infinity;
    const hi = options.upper ? options.upper[k] : Infinity;
    const xk = x[k];
    const up = xk + h <= hi;
    const dn = xk - h >= lo;
    let fp: ArrayLike<number> = model;
    let fm: ArrayLike<number> = model;
    let width = 0;
    if (up) {
      x[k] = xk + h;
      fp = Float64Array.from(evaluate(x));
      width += h;
    }
    if (dn) {
      x[k] = xk - h;
      fm = Float64Array.from(evaluate(x));
      width += h;
    }
    x[k] = xk;
    for (let i = 0; i < m; i++) jac[i * n + k] = width > 0 ? (fp[i] - fm[i]) / width : 0;
  }
  return { jacobian: jac, model };
}
