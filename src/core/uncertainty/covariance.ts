/**
 * Parameter covariance at an optimum.
 *
 * Conventions
 * - Least squares (residuals r_i = (y_i - m_i)/sigma_i, J = dr/dtheta, m x n row-major):
 *   cov = (J^T J)^-1, computed from the SVD of the column-scaled Jacobian (Householder QR of
 *   J D^-1, then one-sided Jacobi SVD of the n x n factor R), never by forming and inverting J^T J.
 *   cov is multiplied by chi2/dof only when `scaleByReducedChi2` is set, i.e. when the data carry
 *   no sigma (unit weights): then the residual scatter estimates the noise (what NIST certifies).
 * - Scalar statistic S with errordef (chi2, Cash: 1; -ln L: 0.5): cov = 2 * errordef * H^-1 with
 *   H the Hessian of S. `covarianceFromModelJacobian` uses the Gauss-Newton form
 *   H = J_m^T diag(d2S/dm_i^2) J_m (J_m = dmodel/dtheta) through the same SVD route;
 *   `covarianceFromHessian` takes any symmetric H (e.g. from `numericalHessian`) and uses a
 *   Jacobi eigen-decomposition of D^-1 H D^-1, D = sqrt(diag H).
 * - Bounds: a parameter is "at a bound" when it lies on it or within boundTolerance (relative)
 *   of it, or within 1e-3 of its own standard error of it. Those parameters are held fixed: the
 *   covariance of the others is the inverse of their own information block, and the bound ones
 *   get error null, NaN rows/columns in covariance and correlation, and a reason.
 * - Rank: singular values of the scaled Jacobian below rcond * s_max (default max(m, n) * eps),
 *   or eigenvalues of the scaled Hessian below rcond * lambda_max (default 1e-10), count as zero.
 *   A parameter with weight > 1e-6 in that null space is not identifiable: error null, NaN row and
 *   column; the others (estimable functions) keep the pseudo-inverse variance, which is exact for them.
 * - conditionNumber: that of the scaled information matrix (J^T J or H after symmetric diagonal
 *   scaling, so independent of the parameters' units); Infinity when singular.
 * - covariance/correlation are plain number[][] (n x n, free-parameter order).
 */
import { enorm } from '../linalg/enorm';
import { qrfac } from '../linalg/qrfac';
import { jacobiSvd, symmetricEigen } from '../linalg/svd';

const EPS = 2.220446049250313e-16;

export type BoundSide = 'lower' | 'upper' | null;

export interface CovarianceOptions {
  /** parameter values, with lower/upper, to detect parameters at a bound */
  theta?: ArrayLike<number>;
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** relative distance that counts as "at the bound" (default 1e-10) */
  boundTolerance?: number;
  /** explicit bound flags (skip detection), e.g. from the optimizer */
  atBound?: BoundSide[];
  /** relative singular-value (Jacobian) or eigenvalue (Hessian) threshold for the rank */
  rcond?: number;
  /** least squares only: multiply by chi2 / dof (data carry no sigma) */
  scaleByReducedChi2?: boolean;
  chi2?: number;
  dof?: number;
}

export interface CovarianceResult {
  covariance: number[][];
  correlation: number[][];
  /** standard errors; null where none can be given honestly (see errorReasons) */
  errors: (number | null)[];
  errorReasons: (string | null)[];
  rank: number;
  conditionNumber: number;
  singular: boolean;
  reason?: string;
  atBound: BoundSide[];
  /** factor applied to the inverse information (chi2/dof, 2*errordef, or 1) */
  scale: number;
}

/** information block of the free set, as eigen-pairs of the scaled matrix: info = D V diag(lam) V^T D */
interface ScaledInfo {
  lam: Float64Array;
  v: Float64Array;
  d: Float64Array;
}

/** cov = (J^T J)^-1 from a residual Jacobian (row-major m x n), optionally scaled by chi2/dof. */
export function covarianceFromJacobian(
  jac: Float64Array,
  m: number,
  n: number,
  options: CovarianceOptions = {},
): CovarianceResult {
  let scale = 1;
  if (options.scaleByReducedChi2) {
    const dof = options.dof ?? m - n;
    if (options.chi2 === undefined) throw new Error('scaleByReducedChi2 needs chi2');
    scale = dof > 0 ? options.chi2 / dof : NaN;
  }
  const rcond = options.rcond ?? Math.max(m, n) * EPS;
  return assemble(n, scale, options, (free) => jacobianInfo(jac, null, m, n, free), rcond * rcond, 'Jacobian');
}

/**
 * cov = 2 errordef (J_m^T diag(d2) J_m)^-1: Gauss-Newton Hessian of a statistic from the model
 * Jacobian (row-major m x n, dmodel_i/dtheta_k) and d2_i = d2S/dm_i^2 (>= 0; masked points 0).
 */
export function covarianceFromModelJacobian(
  jm: Float64Array,
  d2: Float64Array,
  m: number,
  n: number,
  errordef: number,
  options: CovarianceOptions = {},
): CovarianceResult {
  for (let i = 0; i < m; i++) {
    if (!(d2[i] >= 0)) throw new Error('covarianceFromModelJacobian: second derivatives must be >= 0');
  }
  const rcond = options.rcond ?? Math.max(m, n) * EPS;
  return assemble(n, 2 * errordef, options, (free) => jacobianInfo(jm, d2, m, n, free), rcond * rcond, 'Jacobian');
}

/** cov = 2 errordef H^-1 for a symmetric Hessian (row- or column-major, n x n). */
export function covarianceFromHessian(
  h: Float64Array,
  n: number,
  errordef: number,
  options: CovarianceOptions = {},
): CovarianceResult {
  const rcond = options.rcond ?? 1e-10;
  return assemble(n, 2 * errordef, options, (free) => hessianInfo(h, n, free), rcond, 'Hessian');
}

function detectBounds(n: number, options: CovarianceOptions): BoundSide[] {
  if (options.atBound) return options.atBound.slice();
  const out: BoundSide[] = new Array(n).fill(null);
  const { theta, lower, upper } = options;
  if (!theta) return out;
  const tol = options.boundTolerance ?? 1e-10;
  for (let k = 0; k < n; k++) {
    const t = theta[k];
    const lo = lower ? lower[k] : -Infinity;
    const hi = upper ? upper[k] : Infinity;
    const width = hi - lo;
    const s = Math.max(Math.abs(t), Number.isFinite(width) ? width : 0);
    if (Number.isFinite(lo) && t - lo <= tol * Math.max(s, Math.abs(lo))) out[k] = 'lower';
    else if (Number.isFinite(hi) && hi - t <= tol * Math.max(s, Math.abs(hi))) out[k] = 'upper';
  }
  return out;
}

function assemble(
  n: number,
  scale: number,
  options: CovarianceOptions,
  info: (free: number[]) => ScaledInfo,
  tol: number,
  what: string,
): CovarianceResult {
  const atBound = detectBounds(n, options);
  let result = build(n, scale, atBound, info, tol, what);
  // second pass: parameters within 1e-3 standard errors of a bound are held there too
  const { theta, lower, upper } = options;
  if (theta && !options.atBound) {
    let changed = false;
    for (let k = 0; k < n; k++) {
      const e = result.errors[k];
      if (atBound[k] !== null || e === null) continue;
      if (lower && theta[k] - lower[k] <= 1e-3 * e) {
        atBound[k] = 'lower';
        changed = true;
      } else if (upper && upper[k] - theta[k] <= 1e-3 * e) {
        atBound[k] = 'upper';
        changed = true;
      }
    }
    if (changed) result = build(n, scale, atBound, info, tol, what);
  }
  return result;
}

function build(
  n: number,
  scale: number,
  atBound: BoundSide[],
  info: (free: number[]) => ScaledInfo,
  tol: number,
  what: string,
): CovarianceResult {
  const free: number[] = [];
  for (let k = 0; k < n; k++) if (atBound[k] === null) free.push(k);
  const nf = free.length;
  const cov: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  const errors: (number | null)[] = new Array(n).fill(null);
  const errorReasons: (string | null)[] = new Array(n).fill(null);
  for (let k = 0; k < n; k++) {
    if (atBound[k] !== null) {
      errorReasons[k] = `at the ${atBound[k]} bound: held fixed there, no symmetric error`;
    }
  }
  const reasons: string[] = [];
  let rank = 0;
  let cond = Infinity;
  let singular = false;
  if (nf > 0) {
    const { lam, v, d } = info(free);
    const lmax = lam[0];
    let negative = false;
    for (let j = 0; j < nf; j++) {
      if (lam[j] > tol * lmax && lmax > 0) rank++;
      else if (lam[j] < -tol * Math.abs(lmax)) negative = true;
    }
    cond = rank === nf ? lmax / lam[nf - 1] : Infinity;
    singular = rank < nf;
    if (negative) reasons.push(`the ${what} is not positive definite (not at a minimum)`);
    // weight of each parameter in the null space
    const nullWeight = new Float64Array(nf);
    for (let j = rank; j < nf; j++) {
      for (let a = 0; a < nf; a++) nullWeight[a] += v[a + j * nf] * v[a + j * nf];
    }
    const unidentified: number[] = [];
    for (let a = 0; a < nf; a++) {
      if (nullWeight[a] > 1e-6 || d[a] === 0) {
        unidentified.push(free[a]);
        errorReasons[free[a]] = 'not identifiable: the data do not constrain this parameter (singular information matrix)';
      }
    }
    if (singular) {
      reasons.push(`the ${what} is rank-deficient (rank ${rank} of ${nf} free parameters)`);
    } else if (cond > 1e12) {
      reasons.push(`the ${what} is badly conditioned (condition number ${cond.toExponential(2)}): errors are inaccurate`);
    }
    for (let a = 0; a < nf; a++) {
      if (errorReasons[free[a]] !== null) continue;
      for (let b = a; b < nf; b++) {
        if (errorReasons[free[b]] !== null) continue;
        let s = 0;
        for (let j = 0; j < rank; j++) s += (v[a + j * nf] * v[b + j * nf]) / lam[j];
        const c = (scale * s) / (d[a] * d[b]);
        cov[free[a]][free[b]] = c;
        cov[free[b]][free[a]] = c;
      }
    }
    for (const k of free) {
      if (errorReasons[k] === null) {
        const c = cov[k][k];
        if (c >= 0 && Number.isFinite(c)) errors[k] = Math.sqrt(c);
        else errorReasons[k] = 'variance is not finite';
      }
    }
  }
  const correlation: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const ea = errors[a];
      const eb = errors[b];
      if (ea !== null && eb !== null && ea > 0 && eb > 0) correlation[a][b] = a === b ? 1 : cov[a][b] / (ea * eb);
    }
  }
  if (atBound.some((b) => b !== null)) reasons.push('some parameters are at a bound and were held fixed');
  if (!Number.isFinite(scale)) reasons.push('no degrees of freedom left to scale by chi2/dof');
  return {
    covariance: cov,
    correlation,
    errors,
    errorReasons,
    rank,
    conditionNumber: cond,
    singular,
    reason: reasons.length ? reasons.join('; ') : undefined,
    atBound,
    scale,
  };
}

/** SVD of the column-scaled (optionally row-weighted by sqrt(w)) Jacobian restricted to `free`. */
function jacobianInfo(jac: Float64Array, w: Float64Array | null, m: number, n: number, free: number[]): ScaledInfo {
  const nf = free.length;
  const mm = Math.max(m, nf);
  const a = new Float64Array(mm * nf);
  const d = new Float64Array(nf);
  for (let j = 0; j < nf; j++) {
    const k = free[j];
    for (let i = 0; i < m; i++) a[i + j * mm] = w ? Math.sqrt(w[i]) * jac[i * n + k] : jac[i * n + k];
    const c = enorm(mm, a, j * mm);
    d[j] = c;
    if (c > 0) for (let i = 0; i < mm; i++) a[i + j * mm] /= c;
  }
  // QR (column pivoting) reduces the m x nf problem to nf x nf: A P = Q R, so A^T A = P R^T R P^T
  const ipvt = new Int32Array(nf);
  const rdiag = new Float64Array(nf);
  const acn = new Float64Array(nf);
  const wa = new Float64Array(nf);
  qrfac(mm, nf, a, ipvt, rdiag, acn, wa);
  const r = new Float64Array(nf * nf);
  for (let j = 0; j < nf; j++) {
    for (let i = 0; i < j; i++) r[i + j * nf] = a[i + j * mm];
    r[j + j * nf] = rdiag[j];
  }
  const s = new Float64Array(nf);
  const wv = new Float64Array(nf * nf);
  jacobiSvd(nf, nf, r, s, wv);
  // V = P W: row ipvt[j] of V is row j of W
  const v = new Float64Array(nf * nf);
  for (let j = 0; j < nf; j++) {
    for (let c = 0; c < nf; c++) v[ipvt[j] + c * nf] = wv[j + c * nf];
  }
  const lam = new Float64Array(nf);
  for (let j = 0; j < nf; j++) lam[j] = s[j] * s[j];
  return { lam, v, d };
}

function hessianInfo(h: Float64Array, n: number, free: number[]): ScaledInfo {
  const nf = free.length;
  const d = new Float64Array(nf);
  for (let a = 0; a < nf; a++) d[a] = Math.sqrt(Math.abs(h[free[a] * n + free[a]]));
  const hs = new Float64Array(nf * nf);
  for (let a = 0; a < nf; a++) {
    for (let b = 0; b < nf; b++) {
      const da = d[a] || 1;
      const db = d[b] || 1;
      // symmetrise: average the two triangles
      const hab = 0.5 * (h[free[a] * n + free[b]] + h[free[b] * n + free[a]]);
      hs[a + b * nf] = hab / (da * db);
    }
  }
  const lam = new Float64Array(nf);
  const v = new Float64Array(nf * nf);
  symmetricEigen(nf, hs, lam, v);
  return { lam, v, d };
}
