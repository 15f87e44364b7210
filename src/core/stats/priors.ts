/**
 * Prior densities of single parameters (PriorDoc in model/document.ts): log density, its derivative
 * and a sampler (for initialising MCMC chains).
 *
 *   uniform        p(x) = 1 / (b - a)                      on [a, b]
 *   loguniform     p(x) = 1 / (x ln(b / a))                on [a, b], 0 < a < b
 *   gaussian       p(x) = N(x | mu, sigma^2)               on R
 *   truncgaussian  p(x) = N(x | mu, sigma^2) / Z           on [a, b], Z = Phi(beta) - Phi(alpha),
 *                                                          alpha = (a - mu)/sigma, beta = (b - mu)/sigma
 *
 * Bounds missing from the prior are taken from the parameter (compilePrior's fallbacks). A uniform
 * prior with an infinite side is the improper flat prior: log density 0 on its support and no
 * sampler (`proper` false). Every log density is -Infinity outside the support.
 *
 * The truncated-normal normaliser is computed as ln Z from erfc in whichever tail the interval lies
 * (never as a difference of two numbers near 1), with ln erfc(x) for x > 20 from the continued
 * fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
 * (Abramowitz & Stegun 7.1.14), so intervals far in a tail (alpha = 40: Z ~ 1e-349) keep full
 * relative accuracy. Truncated-normal draws: C. P. Robert, "Simulation of truncated normal
 * variables", Statistics and Computing 5 (1995) 121-125 (exponential proposal in a tail, uniform
 * proposal on narrow intervals, plain normal rejection when Z is not small).
 */
import type { PriorDoc } from '../model/document';
import type { Rng } from '../random/rng';
import { erfc } from '../special/erf';

export class PriorError extends Error {}

const LN_SQRT_2PI = 0.9189385332046728; // ln sqrt(2 pi)
const LN_SQRT_PI = 0.5723649429247001; // ln sqrt(pi)
const LN2 = Math.LN2;

/** ln erfc(x) for every real x, accurate in the far right tail (where erfc underflows). */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x <= 20) return Math.log(erfc(x));
  // continued fraction, evaluated from the tail; 40 terms are ample for x > 20
  let t = x;
  for (let k = 40; k >= 1; k--) t = x + k / 2 / t;
  return -x * x - LN_SQRT_PI - Math.log(t);
}

/** ln Phi(x), the log of the standard normal CDF (accurate far into the lower tail). */
export function logNormalCdf(x: number): number {
  return -LN2 + logErfc(-x / Math.SQRT2);
}

/** ln(1 - exp(d)) for d <= 0 (Maechler's log1mexp). */
function log1mexp(d: number): number {
  if (d === 0) return -Infinity;
  return d > -LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d));
}

/** ln(Phi(beta) - Phi(alpha)) for alpha < beta (either may be infinite), stable in both tails. */
export function logNormalInterval(alpha: number, beta: number): number {
  if (!(alpha < beta)) return -Infinity;
  const s = Math.SQRT2;
  if (beta <= 0) {
    // lower tail: Phi(beta) - Phi(alpha) = (erfc(-beta/s) - erfc(-alpha/s)) / 2
    const lb = logErfc(-beta / s);
    return -LN2 + lb + log1mexp(logErfc(-alpha / s) - lb);
  }
  if (alpha >= 0) {
    // upper tail: Q(alpha) - Q(beta) = (erfc(alpha/s) - erfc(beta/s)) / 2
    const la = logErfc(alpha / s);
    return -LN2 + la + log1mexp(logErfc(beta / s) - la);
  }
  // straddles 0: 1 - Phi(alpha) - Q(beta), both removed parts below 1/2
  return Math.log1p(-0.5 * (erfc(-alpha / s) + erfc(beta / s)));
}

export interface CompiledPrior {
  kind: PriorDoc['kind'];
  /** support (after filling missing prior bounds from the parameter bounds) */
  lower: number;
  upper: number;
  /** true when the density integrates to 1 (all but a uniform prior with an infinite side) */
  proper: boolean;
  /** ln p(x); -Infinity outside [lower, upper] */
  logDensity(x: number): number;
  /** d ln p / dx (0 outside the support) */
  derivative(x: number): number;
  /** d^2 ln p / dx^2 (0 outside the support) */
  secondDerivative(x: number): number;
  /** one draw from the prior; throws PriorError when the prior is improper */
  sample(rng: Rng): number;
  /** mean and standard deviation of the prior (NaN when improper) */
  mean: number;
  sd: number;
}

function need(cond: boolean, msg: string): void {
  if (!cond) throw new PriorError(msg);
}

/** Standard normal truncated to [alpha, beta] (Robert 1995). */
export function sampleTruncatedStandardNormal(rng: Rng, alpha: number, beta: number): number {
  if (!(alpha < beta)) {
    if (alpha === beta) return alpha;
    throw new PriorError(`empty truncation interval [${alpha}, ${beta}]`);
  }
  if (beta <= 0 && alpha < 0) return -sampleTruncatedStandardNormal(rng, -beta, -alpha);
  const logZ = logNormalInterval(alpha, beta);
  if (logZ > Math.log(0.25)) {
    // plain rejection from N(0, 1): acceptance Z > 1/4
    for (;;) {
      const x = rng.normal();
      if (x >= alpha && x <= beta) return x;
    }
  }
  if (alpha >= 0) {
    // upper tail [alpha, beta]; Robert's optimal exponential rate for the one-sided tail
    const lambda = (alpha + Math.sqrt(alpha * alpha + 4)) / 2;
    if ((beta - alpha) * lambda > 1) {
      for (;;) {
        const x = alpha + rng.exponential(1 / lambda);
        if (x > beta) continue;
        const d = x - lambda;
        if (rng.uniform() <= Math.exp(-0.5 * d * d)) return x;
      }
    }
    // narrow interval: uniform proposal, acceptance exp((alpha^2 - x^2)/2) >= about e^-1 here
    for (;;) {
      const x = alpha + (beta - alpha) * rng.uniform();
      if (rng.uniform() <= Math.exp(0.5 * (alpha - x) * (alpha + x))) return x;
    }
  }
  // narrow interval around 0 (Z <= 1/4 so beta - alpha < 0.64): uniform proposal, acceptance exp(-x^2/2)
  for (;;) {
    const x = alpha + (beta - alpha) * rng.uniform();
    if (rng.uniform() <= Math.exp(-0.5 * x * x)) return x;
  }
}

/**
 * Validates a prior and prepares its constants. `fallbackLower` / `fallbackUpper` (the parameter's
 * bounds) fill in missing prior bounds.
 */
export function compilePrior(p: PriorDoc, fallbackLower = -Infinity, fallbackUpper = Infinity): CompiledPrior {
  const lo = p.lower ?? fallbackLower;
  const hi = p.upper ?? fallbackUpper;
  need(!Number.isNaN(lo) && !Number.isNaN(hi), 'prior bounds must be numbers');
  switch (p.kind) {
    case 'uniform': {
      need(lo < hi, `uniform prior needs lower < upper (got [${lo}, ${hi}])`);
      const proper = Number.isFinite(lo) && Number.isFinite(hi);
      const lp = proper ? -Math.log(hi - lo) : 0;
      return {
        kind: 'uniform',
        lower: lo,
        upper: hi,
        proper,
        logDensity: (x) => (x >= lo && x <= hi ? lp : -Infinity),
        derivative: () => 0,
        secondDerivative: () => 0,
        sample(rng) {
          need(proper, 'a uniform prior with an infinite bound cannot be sampled');
          return lo + (hi - lo) * rng.uniform();
        },
        mean: proper ? 0.5 * (lo + hi) : NaN,
        sd: proper ? (hi - lo) / Math.sqrt(12) : NaN,
      };
    }
    case 'loguniform': {
      need(lo > 0 && hi > lo && Number.isFinite(hi), `loguniform prior needs 0 < lower < upper < Infinity (got [${lo}, ${hi}])`);
      const la = Math.log(lo);
      const lb = Math.log(hi);
      const lnNorm = Math.log(lb - la);
      const w = lb - la;
      const mean = (hi - lo) / w;
      const m2 = (hi * hi - lo * lo) / (2 * w);
      return {
        kind: 'loguniform',
        lower: lo,
        upper: hi,
        proper: true,
        logDensity: (x) => (x >= lo && x <= hi ? -Math.log(x) - lnNorm : -Infinity),
        derivative: (x) => (x >= lo && x <= hi ? -1 / x : 0),
        secondDerivative: (x) => (x >= lo && x <= hi ? 1 / (x * x) : 0),
        sample: (rng) => Math.min(hi, Math.max(lo, Math.exp(la + w * rng.uniform()))),
        mean,
        sd: Math.sqrt(Math.max(0, m2 - mean * mean)),
      };
    }
    case 'gaussian':
    case 'truncgaussian': {
      const mu = p.mu;
      const sigma = p.sigma;
      need(typeof mu === 'number' && Number.isFinite(mu), `${p.kind} prior needs a finite mu`);
      need(typeof sigma === 'number' && sigma > 0 && Number.isFinite(sigma), `${p.kind} prior needs sigma > 0`);
      const m = mu as number;
      const s = sigma as number;
      // a plain gaussian ignores bounds (the posterior still restricts to the parameter bounds)
      const a = p.kind === 'gaussian' ? -Infinity : lo;
      const b = p.kind === 'gaussian' ? Infinity : hi;
      need(a < b, `truncated gaussian prior needs lower < upper (got [${a}, ${b}])`);
      const alpha = (a - m) / s;
      const beta = (b - m) / s;
      const logZ = Number.isFinite(a) || Number.isFinite(b) ? logNormalInterval(alpha, beta) : 0;
      need(logZ > -Infinity, 'truncated gaussian prior has zero mass on its interval');
      const c = -LN_SQRT_2PI - Math.log(s) - logZ;
      // moments of the truncated normal: mean = mu + sigma (phi(alpha) - phi(beta)) / Z,
      // var = sigma^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2]
      const phiOverZ = (t: number) => (Number.isFinite(t) ? Math.exp(-0.5 * t * t - LN_SQRT_2PI - logZ) : 0);
      const ra = phiOverZ(alpha);
      const rb = phiOverZ(beta);
      const d1 = ra - rb;
      const d2 = (Number.isFinite(alpha) ? alpha * ra : 0) - (Number.isFinite(beta) ? beta * rb : 0);
      return {
        kind: p.kind,
        lower: a,
        upper: b,
        proper: true,
        logDensity(x) {
          if (!(x >= a && x <= b)) return -Infinity;
          const z = (x - m) / s;
          return c - 0.5 * z * z;
        },
        derivative: (x) => (x >= a && x <= b ? -(x - m) / (s * s) : 0),
        secondDerivative: (x) => (x >= a && x <= b ? -1 / (s * s) : 0),
        sample: (rng) => Math.min(b, Math.max(a, m + s * sampleTruncatedStandardNormal(rng, alpha, beta))),
        mean: m + s * d1,
        sd: s * Math.sqrt(Math.max(0, 1 + d2 - d1 * d1)),
      };
    }
    default:
      throw new PriorError(`unknown prior kind '${(p as { kind: string }).kind}'`);
  }
}

/** ln p(x) of a prior document (convenience; compile once with compilePrior in loops). */
export function priorLogDensity(p: PriorDoc, x: number, fallbackLower = -Infinity, fallbackUpper = Infinity): number {
  return compilePrior(p, fallbackLower, fallbackUpper).logDensity(x);
}

/** d ln p / dx of a prior document. */
export function priorLogDensityDerivative(p: PriorDoc, x: number, fallbackLower = -Infinity, fallbackUpper = Infinity): number {
  return compilePrior(p, fallbackLower, fallbackUpper).derivative(x);
}

/** One draw from a prior document. */
export function samplePrior(p: PriorDoc, rng: Rng, fallbackLower = -Infinity, fallbackUpper = Infinity): number {
  return compilePrior(p, fallbackLower, fallbackUpper).sample(rng);
}
