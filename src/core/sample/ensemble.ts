/**
 * Affine-invariant ensemble sampler with the stretch move: J. Goodman & J. Weare, "Ensemble
 * samplers with affine invariance", Comm. App. Math. Comp. Sci. 5 (2010) 65-80, in the parallel
 * two-halves form of D. Foreman-Mackey et al., "emcee: the MCMC hammer", PASP 125 (2013) 306.
 * For each walker X_k of one half, a partner X_j is drawn from the other half and
 *   Y = X_j + s (X_k - X_j),  s ~ g(s) ∝ 1/sqrt(s) on [1/a, a] (a = 2),  accepted with probability
 *   min(1, s^(n-1) p(Y) / p(X_k));
 * the first half moves against the current second half, then the second half against the
 * updated first half. Walkers live in the unconstrained space (transform.ts; the stretch move is
 * valid for any density on R^n), draws are reported in the constrained space.
 *
 * Chains, draws and walkers. One call runs ONE ensemble of W walkers (default max(16, 4n), at
 * least 2n as emcee requires): `tune` burn-in steps (default 1000, discarded), then `draws` kept
 * steps per walker (default 2000, each `thin` steps apart). The result holds W * draws rows, walker-major:
 * row w * draws + s is walker w at kept step s, so walker w's trace is rows [w * draws, (w+1) * draws).
 * Several independent ensembles (the caller's "chains") are the superchains of the diagnostics:
 * see summarizeEnsembles in diagnostics.ts for how R-hat, ESS and MCSE are computed for them.
 *
 * Start: walkers are drawn around the start point, in the unconstrained space, from
 * N(z0, spread^2 Sigma_z) with Sigma_z the initial covariance carried to z (default spread 1), or
 * N(z0, spread^2 I) without one (default spread 0.01, emcee's "small ball"); draws with a
 * non-finite density are redrawn closer to z0.
 */
import type { LogDensity } from './log-density';
import { initialPosition, makeRng, SamplerError } from './start';
import { covarianceToUnconstrained, interiorPoint, unconstrain } from './transform';
import { checkCounts, progressReporter, type ChainOptions, type ChainResult } from './types';

export interface EnsembleOptions extends ChainOptions {
  /** number of walkers (default max(16, 4n), rounded up to even; at least 2n) */
  walkers?: number;
  /** stretch scale a (default 2) */
  stretch?: number;
  /** keep every thin-th step (default 1) */
  thin?: number;
  /** covariance of the constrained parameters at the start (length n or n x n) for the initial ball */
  initialCovariance?: ArrayLike<number>;
  /** width of the initial ball (see above) */
  initialSpread?: number;
  /** explicit initial walker positions (constrained space); overrides the ball */
  initialWalkers?: ArrayLike<number>[];
  now?: () => number;
}

export interface EnsembleChainResult extends ChainResult {
  walkers: number;
  /** kept steps per walker (nDraws = walkers * steps) */
  steps: number;
  thin: number;
  /** acceptance fraction of each walker over the kept steps */
  walkerAcceptance: Float64Array;
}

export function defaultWalkers(n: number): number {
  const w = Math.max(16, 4 * n);
  return w + (w % 2);
}

export function sampleEnsemble(ld: LogDensity, options: EnsembleOptions = {}): EnsembleChainResult {
  const draws = options.draws ?? 2000;
  const tune = options.tune ?? 1000;
  checkCounts(draws, tune);
  const n = ld.n;
  const thin = Math.max(1, Math.floor(options.thin ?? 1));
  const W = options.initialWalkers ? options.initialWalkers.length : (options.walkers ?? defaultWalkers(n));
  if (!(Number.isInteger(W) && W >= Math.max(4, 2 * n))) throw new SamplerError(`the ensemble needs at least max(4, 2n) = ${Math.max(4, 2 * n)} walkers, got ${W}`);
  const a = options.stretch ?? 2;
  if (!(a > 1)) throw new RangeError('stretch must be > 1');
  const seed = options.seed ?? 1;
  const rng = makeRng(seed);
  const now = options.now;
  const t0 = now ? now() : 0;
  const ud = unconstrain(ld);
  let evaluations = 0;

  // walker positions (W x n, unconstrained) and log densities
  const pos = new Float64Array(W * n);
  const lp = new Float64Array(W);
  if (options.initialWalkers) {
    const z = new Float64Array(n);
    options.initialWalkers.forEach((w, k) => {
      if (w.length !== n) throw new SamplerError(`initial walker ${k} has ${w.length} values, expected ${n}`);
      ud.toUnconstrained(interiorPoint(w, ld.lower, ld.upper), z);
      pos.set(z, k * n);
      lp[k] = ud.logDensity(z);
      evaluations++;
      if (!(lp[k] > -Infinity)) throw new SamplerError(`the log posterior is not finite at initial walker ${k}`);
    });
  } else {
    const z0 = initialPosition(ud, options.start);
    const sdev = new Float64Array(n * n);
    let spread: number;
    if (options.initialCovariance) {
      const x0 = new Float64Array(n);
      ud.toConstrained(z0, x0);
      const cu = covarianceToUnconstrained(ud.transform, x0, options.initialCovariance);
      // a diagonal standard deviation per parameter is enough for a starting ball
      for (let k = 0; k < n; k++) {
        const v = cu.length === n ? cu[k] : cu[k * n + k];
        sdev[k] = v > 0 && Number.isFinite(v) ? Math.sqrt(v) : 0.01;
      }
      spread = options.initialSpread ?? 1;
    } else {
      for (let k = 0; k < n; k++) sdev[k] = 1;
      spread = options.initialSpread ?? 0.01;
    }
    const z = new Float64Array(n);
    for (let w = 0; w < W; w++) {
      let ok = false;
      for (let attempt = 0; attempt < 60 && !ok; attempt++) {
        const f = spread * Math.pow(0.7, attempt);
        for (let k = 0; k < n; k++) z[k] = z0[k] + f * sdev[k] * rng.normal();
        lp[w] = ud.logDensity(z);
        evaluations++;
        ok = lp[w] > -Infinity;
      }
      if (!ok) throw new SamplerError('could not place the walkers around the start point (log posterior not finite nearby)');
      pos.set(z, w * n);
    }
  }

  const out = new Float64Array(W * draws * n);
  const lpOut = new Float64Array(W * draws);
  const acceptCount = new Float64Array(W);
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  const half = Math.floor(W / 2);
  const totalSteps = tune + draws * thin;
  const report = progressReporter(options, tune, totalSteps);
  let kept = 0;
  let sampledSteps = 0;
  let tuneDone = 0;
  let cancelled = false;

  const moveHalf = (from: number, to: number, otherFrom: number, otherTo: number, counting: boolean): void => {
    const m = otherTo - otherFrom;
    for (let k = from; k < to; k++) {
      const j = otherFrom + rng.int(m);
      // s = ((a - 1) u + 1)^2 / a has density ∝ 1/sqrt(s) on [1/a, a]
      const u = (a - 1) * rng.uniform() + 1;
      const s = (u * u) / a;
      const ko = k * n;
      const jo = j * n;
      for (let d = 0; d < n; d++) y[d] = pos[jo + d] + s * (pos[ko + d] - pos[jo + d]);
      const lpy = ud.logDensity(y);
      evaluations++;
      const logR = (n - 1) * Math.log(s) + lpy - lp[k];
      if (lpy > -Infinity && Math.log(rng.uniformPositive()) < logR) {
        pos.set(y, ko);
        lp[k] = lpy;
        if (counting) acceptCount[k]++;
      }
    }
  };

  for (let step = 0; step < totalSteps; step++) {
    if (options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    const sampling = step >= tune;
    moveHalf(0, half, half, W, sampling);
    moveHalf(half, W, 0, half, sampling);
    if (sampling) sampledSteps++;
    if (!sampling) tuneDone = step + 1;
    else if ((step - tune + 1) % thin === 0) {
      for (let w = 0; w < W; w++) {
        const lj = ud.toConstrained(pos.subarray(w * n, (w + 1) * n), x);
        const row = w * draws + kept;
        out.set(x, row * n);
        lpOut[row] = lp[w] - lj;
      }
      kept++;
    }
    report(step + 1);
  }
  // compact to W x kept when stopped early
  let draws2 = out;
  let lp2 = lpOut;
  if (kept < draws) {
    draws2 = new Float64Array(W * kept * n);
    lp2 = new Float64Array(W * kept);
    for (let w = 0; w < W; w++) {
      draws2.set(out.subarray(w * draws * n, (w * draws + kept) * n), w * kept * n);
      lp2.set(lpOut.subarray(w * draws, w * draws + kept), w * kept);
    }
  }
  const walkerAcceptance = acceptCount.map((c) => (sampledSteps > 0 ? c / sampledSteps : NaN));
  let accMean = 0;
  for (let w = 0; w < W; w++) accMean += walkerAcceptance[w];
  return {
    sampler: 'ensemble',
    n,
    keys: ld.keys.slice(),
    seed,
    nDraws: W * kept,
    draws: draws2,
    logDensity: lp2,
    acceptRate: accMean / W,
    divergences: 0,
    tuneDone,
    cancelled,
    evaluations,
    elapsedMs: now ? now() - t0 : 0,
    walkers: W,
    steps: kept,
    thin,
    walkerAcceptance,
  };
}
