/**
 * Levels of the statistic that define profile-likelihood intervals and regions (Wilks' theorem:
 * -2 Delta ln L of the profiled parameters follows chi2 with as many degrees of freedom as
 * parameters of interest; see e.g. James, "Statistical Methods in Experimental Physics", ch. 9,
 * and the MINUIT manual's section on ERRORDEF / "UP").
 *
 * Units. Every statistic carries `errordef`, its change for a one-sigma 1D interval: 1 for chi2
 * and Cash (-2 ln L forms), 0.5 for -ln L. A level in "chi2 units" Delta chi2 is a change of the
 * statistic of
 *     Delta = errordef * Delta chi2.
 *
 * Conventions
 * - 1D interval of n sigma:          Delta chi2 = n^2, coverage erf(n / sqrt 2) (68.27 % for n = 1).
 * - 1D interval of confidence CL:    Delta chi2 = chi2 quantile(CL, 1 dof) = (Phi^-1((1 + CL) / 2))^2.
 * - 2D region of coverage CL:        Delta chi2 = chi2 quantile(CL, 2 dof) = -2 ln(1 - CL)
 *                                    (68.27 % -> 2.30, 95.45 % -> 6.18, 99.73 % -> 11.83).
 * - 2D "n sigma", coverage convention: the region with the coverage of a 1D n-sigma interval,
 *                                    CL = erf(n / sqrt 2), so Delta chi2 = -2 ln(1 - CL).
 * - 2D "n sigma", gammapy convention: Delta chi2 = n^2 (the 1D level drawn in 2D), coverage
 *                                    1 - exp(-n^2 / 2) (39.3 % for n = 1).
 *
 * The chi2 distribution: CDF F_k(x) = P(k/2, x/2) with P the regularized lower incomplete gamma
 * function, evaluated by its power series for x < a + 1 and by the Legendre continued fraction
 * (modified Lentz) for the upper function otherwise (Abramowitz & Stegun 6.5.29, 6.5.31). The
 * quantile is found by safeguarded Newton iteration; k = 1 and k = 2 use the closed forms.
 * The normal quantile Phi^-1 refines a log-based starting guess by Halley's iteration on
 * Phi(x) = erfc(-x / sqrt 2) / 2 (erfc from special/erf.ts, about 1e-15 relative).
 */
import { erf, erfc } from '../special/erf';
import { lgamma } from '../stats/lgamma';
import { gammaP, gammaQ } from '../special/incomplete-gamma';

const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** standard normal CDF */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** standard normal quantile Phi^-1(p), 0 < p < 1 (+-Infinity at 1 and 0) */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // work in the lower tail for accuracy; q = min(p, 1 - p)
  const lowerTail = p < 0.5;
  const q = lowerTail ? p : 1 - p;
  // starting guess: the tail approximation x ~ -sqrt(-2 ln q - ln(-2 ln q) - ln 2 pi) (good for small q),
  // blended with a linear start near the centre
  const l = -2 * Math.log(q);
  let x = q > 0.3 ? (q - 0.5) * SQRT_2PI : -Math.sqrt(Math.max(l - Math.log(l) - Math.log(2 * Math.PI), 0.01));
  for (let it = 0; it < 50; it++) {
    // f(x) = Phi(x) - q, f' = phi(x), f'' = -x phi(x); Halley: dx = f / (f' - f f'' / (2 f'))
    const f = 0.5 * erfc(-x / SQRT2) - q;
    const phi = Math.exp(-0.5 * x * x) / SQRT_2PI;
    if (!(phi > 0)) break;
    const r = f / phi;
    const dx = r / (1 + 0.5 * x * r);
    x -= dx;
    if (Math.abs(dx) <= 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return lowerTail ? x : -x;
}

export { gammaP, gammaQ };

export function chi2Cdf(x: number, k: number): number {
  if (!(x > 0)) return 0;
  if (k === 2) return -Math.expm1(-0.5 * x);
  if (k === 1) return erf(Math.sqrt(0.5 * x));
  return gammaP(0.5 * k, 0.5 * x);
}

/** chi2 density with k degrees of freedom */
function chi2Pdf(x: number, k: number): number {
  if (!(x > 0)) return 0;
  const a = 0.5 * k;
  return Math.exp((a - 1) * Math.log(x) - 0.5 * x - a * Math.LN2 - lgamma(a));
}

/** inverse chi2 CDF: the x with chi2Cdf(x, k) = p, 0 <= p < 1 */
export function chi2Quantile(p: number, k: number): number {
  if (!(p >= 0 && p <= 1) || !(k > 0)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  if (k === 2) return -2 * Math.log1p(-p);
  if (k === 1) {
    const z = normalQuantile(0.5 * (1 + p));
    return z * z;
  }
  // Wilson-Hilferty start, then Newton with a bisection bracket
  const z = normalQuantile(p);
  const c = 2 / (9 * k);
  let x = Math.max(k * Math.pow(1 - c + z * Math.sqrt(c), 3), 1e-8);
  let lo = 0;
  let hi = Infinity;
  for (let it = 0; it < 200; it++) {
    const f = chi2Cdf(x, k) - p;
    if (f < 0) lo = x;
    else hi = x;
    const dens = chi2Pdf(x, k);
    let xn = dens > 0 ? x - f / dens : NaN;
    if (!(xn > lo && xn < hi)) xn = Number.isFinite(hi) ? 0.5 * (lo + hi) : Math.max(2 * x, 1);
    const done = Math.abs(xn - x) <= 1e-15 * Math.max(1, x);
    x = xn;
    if (done) break;
  }
  return x;
}

/** the change of the statistic for a 1D n-sigma interval: errordef * n^2 */
export function deltaForSigma(nSigma: number, errordef: number): number {
  return errordef * nSigma * nSigma;
}

export type LevelSpec =
  /** 1D interval of n sigma (MINOS errors, profile plots) */
  | { kind: 'interval-sigma'; sigma: number }
  /** 1D interval of confidence level cl (0 < cl < 1) */
  | { kind: 'interval-cl'; cl: number }
  /** 2D region of coverage cl */
  | { kind: 'region-cl'; cl: number }
  /** 2D region of n sigma: coverage of a 1D n-sigma interval (default), or gammapy's Delta chi2 = n^2 */
  | { kind: 'region-sigma'; sigma: number; convention?: 'coverage' | 'gammapy' };

export interface Level {
  /** change of the statistic (errordef * deltaChi2) */
  delta: number;
  /** the level in chi2 units (-2 Delta ln L) */
  deltaChi2: number;
  /** asymptotic coverage probability */
  coverage: number;
  /** degrees of freedom of the level (1 interval, 2 region) */
  dof: 1 | 2;
  /** short legend text, e.g. "1σ (68.3 %)" or "Δχ² = 2.30 (68.3 %)" */
  label: string;
}

function pct(p: number): string {
  const v = 100 * p;
  return `${v >= 99.95 ? v.toPrecision(5) : v.toFixed(1)} %`;
}

/** delta, coverage and legend label for a level specification, for a statistic with `errordef` */
export function statisticLevel(spec: LevelSpec, errordef: number): Level {
  let deltaChi2: number;
  let coverage: number;
  let dof: 1 | 2;
  let label: string;
  switch (spec.kind) {
    case 'interval-sigma':
      deltaChi2 = spec.sigma * spec.sigma;
      coverage = erf(spec.sigma / SQRT2);
      dof = 1;
      label = `${spec.sigma}σ (${pct(coverage)})`;
      break;
    case 'interval-cl':
      deltaChi2 = chi2Quantile(spec.cl, 1);
      coverage = spec.cl;
      dof = 1;
      label = `${pct(coverage)} (Δχ² = ${deltaChi2.toFixed(2)})`;
      break;
    case 'region-cl':
      deltaChi2 = chi2Quantile(spec.cl, 2);
      coverage = spec.cl;
      dof = 2;
      label = `${pct(coverage)} (Δχ² = ${deltaChi2.toFixed(2)})`;
      break;
    case 'region-sigma':
      dof = 2;
      if (spec.convention === 'gammapy') {
        deltaChi2 = spec.sigma * spec.sigma;
        coverage = -Math.expm1(-0.5 * deltaChi2);
        label = `${spec.sigma}σ (Δχ² = ${deltaChi2.toFixed(2)}, ${pct(coverage)})`;
      } else {
        coverage = erf(spec.sigma / SQRT2);
        deltaChi2 = -2 * Math.log(erfc(spec.sigma / SQRT2));
        label = `${spec.sigma}σ (${pct(coverage)}, Δχ² = ${deltaChi2.toFixed(2)})`;
      }
      break;
  }
  return { delta: errordef * deltaChi2, deltaChi2, coverage, dof, label };
}

/** asymptotic coverage of the region {Delta statistic <= delta} for `dof` parameters of interest */
export function coverageOfDelta(delta: number, errordef: number, dof: number): number {
  return chi2Cdf(delta / errordef, dof);
}
