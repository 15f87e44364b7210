/**
 * Adaptive random-walk Metropolis in the unconstrained space.
 *
 * Proposal z' ~ N(z, lambda Sigma). Sigma adapts to the chain's own covariance as in the Adaptive
 * Metropolis algorithm of H. Haario, E. Saksman & J. Tamminen, Bernoulli 7 (2001) 223-242
 * (C_t = s_d Cov(z_0..z_t-1) + s_d eps I, s_d = 2.38^2 / d from Gelman, Roberts & Gilks 1996),
 * the global scale lambda by the Robbins-Monro recursion ln lambda += gamma_j (alpha - alpha*) of
 * C. Andrieu & J. Thoms, "A tutorial on adaptive MCMC", Stat. Comput. 18 (2008), Algorithm 4,
 * with gamma_j = (j + 1)^-0.6, alpha* = targetAccept (0.234, the optimal rate for the random-walk
 * Metropolis in many dimensions, Roberts, Gelman & Gilks 1997).
 * Adaptation runs during warm-up only, so the kept draws come from a fixed, valid Metropolis
 * kernel. Sigma is updated at the ends of Stan's doubling windows (adaptation.ts): it becomes the
 * regularised covariance of the warm-up draws so far, lambda is reset to s_d and gamma restarts.
 * Before the first window Sigma is the given initial covariance (constrained space, carried to the
 * unconstrained one) or else the inverse of the negative Hessian of ln p at the start point (from
 * central differences of the gradient; its diagonal, or 1, where that is not positive definite):
 * a start near a mode, e.g. a fit's best point, then begins with about the right proposal shape.
 * The windows' covariance is accumulated over all warm-up draws after the first slow window
 * (Haario's growing history, minus the start-up transient), and replaces Sigma only once it rests
 * on at least max(100, 50 n^2) draws: an optimally tuned random walk has an autocorrelation time
 * of about 3.3 n (Gelman, Roberts & Gilks 1996), and a covariance estimate needs some 15 n
 * effective draws before it beats a curvature estimate (spurious correlations ~ sqrt(n / ESS)
 * otherwise make the proposal far worse than the start).
 * Defaults: tune = max(2000, 1000 n), draws = max(4000, 1000 n): at the random walk's efficiency
 * (ESS ~ draws / (3.3 n) per chain at best) that keeps R-hat's sampling noise below 1.01 and gives
 * ESS well above 400 with 4 chains.
 */
import { CovarianceWindows } from './adaptation';
import { cholesky, lowerMul, lowerTransposeSolve } from './linalg';
import type { LogDensity } from './log-density';
import { initialPosition, makeRng } from './start';
import { covarianceToUnconstrained, unconstrain, type UnconstrainedDensity } from './transform';
import { checkCounts, progressReporter, type ChainOptions, type ChainResult } from './types';

export interface MetropolisOptions extends ChainOptions {
  /** default 0.234 */
  targetAccept?: number;
  /** initial proposal covariance of the constrained parameters (length n or n x n), e.g. the fit's */
  initialCovariance?: ArrayLike<number>;
  /** adapt the proposal covariance (default true; the scale is adapted in any case during warm-up) */
  adaptCovariance?: boolean;
  now?: () => number;
}

export interface MetropolisChainResult extends ChainResult {
  /** final proposal covariance lambda * Sigma in the unconstrained space (n x n) */
  proposalCovariance: Float64Array;
}

/**
 * Sigma from the curvature of ln p at z: the Hessian by central differences of the gradient
 * (2n gradient evaluations), Sigma = (-H)^-1 when -H is positive definite, else the diagonal of
 * conditional variances -1 / H_kk (1 where the curvature is not negative).
 */
function curvatureCovariance(ud: UnconstrainedDensity, z: Float64Array, sigma: Float64Array): void {
  const n = ud.n;
  const zz = Float64Array.from(z);
  const g1 = new Float64Array(n);
  const g2 = new Float64Array(n);
  const H = new Float64Array(n * n);
  let ok = true;
  for (let k = 0; k < n; k++) {
    const h = 1e-4 * Math.max(1, Math.abs(z[k]));
    zz[k] = z[k] + h;
    const a = ud.logDensityAndGradient(zz, g1);
    zz[k] = z[k] - h;
    const b = ud.logDensityAndGradient(zz, g2);
    zz[k] = z[k];
    if (!(a > -Infinity && b > -Infinity)) ok = false;
    for (let j = 0; j < n; j++) H[j * n + k] = -(g1[j] - g2[j]) / (2 * h);
  }
  sigma.fill(0);
  if (ok) {
    // symmetrise -H, invert through its Cholesky factor
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        const m = 0.5 * (H[i * n + j] + H[j * n + i]);
        H[i * n + j] = m;
        H[j * n + i] = m;
      }
    const L = Float64Array.from(H);
    if (cholesky(n, L)) {
      const e = new Float64Array(n);
      for (let c = 0; c < n; c++) {
        // column c of (L L^T)^-1: solve L y = e_c, then L^T x = y
        e.fill(0);
        e[c] = 1;
        for (let i = 0; i < n; i++) {
          let t = e[i];
          for (let k = 0; k < i; k++) t -= L[i * n + k] * e[k];
          e[i] = t / L[i * n + i];
        }
        lowerTransposeSolve(n, L, e);
        for (let i = 0; i < n; i++) sigma[i * n + c] = e[i];
      }
      const test = Float64Array.from(sigma);
      if (cholesky(n, test)) return;
      sigma.fill(0);
    }
  }
  for (let k = 0; k < n; k++) {
    const c = H[k * n + k];
    sigma[k * n + k] = ok && c > 0 && Number.isFinite(c) ? 1 / c : 1;
  }
}

export function sampleMetropolis(ld: LogDensity, options: MetropolisOptions = {}): MetropolisChainResult {
  const draws = options.draws ?? Math.max(4000, 1000 * ld.n);
  const tune = options.tune ?? Math.max(2000, 1000 * ld.n);
  checkCounts(draws, tune);
  const seed = options.seed ?? 1;
  const rng = makeRng(seed);
  const now = options.now;
  const t0 = now ? now() : 0;
  const n = ld.n;
  const target = options.targetAccept ?? 0.234;
  const ud = unconstrain(ld);
  const z = initialPosition(ud, options.start);
  let lp = ud.logDensity(z);
  let evaluations = 1 + (options.initialCovariance ? 0 : 2 * n);
  const sd = (2.38 * 2.38) / Math.max(1, n);

  // Sigma (n x n) and its Cholesky factor; the proposal step is sqrt(lambda) L xi
  const sigma = new Float64Array(n * n);
  if (options.initialCovariance) {
    const ic = options.initialCovariance;
    if (ic.length !== n && ic.length !== n * n) throw new RangeError(`initialCovariance needs ${n} or ${n * n} values`);
    const x0 = new Float64Array(n);
    ud.toConstrained(z, x0);
    const cu = covarianceToUnconstrained(ud.transform, x0, ic);
    if (cu.length === n) for (let k = 0; k < n; k++) sigma[k * n + k] = cu[k];
    else sigma.set(cu);
  } else curvatureCovariance(ud, z, sigma);
  const chol = Float64Array.from(sigma);
  if (!cholesky(n, chol)) throw new RangeError('initialCovariance is not positive definite');
  let logLambda = Math.log(sd);
  let gammaCount = 0;
  const minCount = Math.max(100, 50 * n * n);
  const windows = (options.adaptCovariance ?? true) && tune > 0 ? new CovarianceWindows(n, true, tune, undefined, 1) : null;

  const xi = new Float64Array(n);
  const step = new Float64Array(n);
  const prop = new Float64Array(n);
  const x = new Float64Array(n);
  const out = new Float64Array(draws * n);
  const lpOut = new Float64Array(draws);
  const report = progressReporter(options, tune, tune + draws);
  let kept = 0;
  let accepted = 0;
  let tuneDone = 0;
  let cancelled = false;
  for (let i = 0; i < tune + draws; i++) {
    if (options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    for (let k = 0; k < n; k++) xi[k] = rng.normal();
    lowerMul(n, chol, xi, step);
    const scale = Math.exp(0.5 * logLambda);
    for (let k = 0; k < n; k++) prop[k] = z[k] + scale * step[k];
    const lpProp = ud.logDensity(prop);
    evaluations++;
    const logAlpha = lpProp - lp;
    const alpha = logAlpha >= 0 ? 1 : logAlpha > -Infinity ? Math.exp(logAlpha) : 0;
    const accept = rng.uniform() < alpha;
    if (accept) {
      z.set(prop);
      lp = lpProp;
    }
    if (i < tune) {
      gammaCount++;
      logLambda += Math.pow(gammaCount, -0.6) * (alpha - target);
      const cov = windows ? windows.observe(i, z) : null;
      if (cov && windows!.lastCount >= minCount) {
        const f = Float64Array.from(cov);
        if (cholesky(n, f)) {
          sigma.set(cov);
          chol.set(f);
          logLambda = Math.log(sd);
          gammaCount = 0;
        }
      }
      tuneDone = i + 1;
    } else {
      if (accept) accepted++;
      const lj = ud.toConstrained(z, x);
      out.set(x, kept * n);
      lpOut[kept] = lp - lj;
      kept++;
    }
    report(i + 1);
  }
  const lam = Math.exp(logLambda);
  return {
    sampler: 'metropolis',
    n,
    keys: ld.keys.slice(),
    seed,
    nDraws: kept,
    draws: out.slice(0, kept * n),
    logDensity: lpOut.slice(0, kept),
    acceptRate: kept > 0 ? accepted / kept : NaN,
    divergences: 0,
    tuneDone,
    cancelled,
    evaluations,
    elapsedMs: now ? now() - t0 : 0,
    proposalCovariance: sigma.map((v) => v * lam),
  };
}
