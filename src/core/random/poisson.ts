/** Poisson deviates: exact inversion for small means, PTRS transformed rejection for large ones. */
import { logFactorial } from './log-factorial';

/** The part of the generator the samplers need. */
export interface UniformSource {
  uniform(): number;
}

/** Below this mean, sequential-search inversion (about lambda + 1 comparisons per draw). */
const INVERSION_LIMIT = 10;

/** Inversion by sequential search from k = 0 (Devroye 1986, "Non-Uniform Random Variate Generation", X.3). */
function poissonInversion(rng: UniformSource, lambda: number): number {
  const p0 = Math.exp(-lambda);
  for (;;) {
    const u = rng.uniform();
    let k = 0;
    let p = p0;
    let cdf = p0;
    while (u > cdf) {
      k++;
      p *= lambda / k;
      cdf += p;
      // rounding can leave the summed cdf a hair below 1: start again rather than run on
      if (k > 1000) break;
    }
    if (k <= 1000) return k;
  }
}

/** PTRS, transformed rejection with squeeze (Hörmann 1993, Insurance: Math. & Econ. 12, 39-45); lambda >= 10. */
function poissonPtrs(rng: UniformSource, lambda: number): number {
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  const logInvAlpha = Math.log(invAlpha);
  for (;;) {
    const u = rng.uniform() - 0.5;
    const v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
  }
}

export function poissonDraw(rng: UniformSource, lambda: number): number {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`poisson: lambda must be finite and >= 0, got ${lambda}`);
  if (lambda === 0) return 0;
  return lambda < INVERSION_LIMIT ? poissonInversion(rng, lambda) : poissonPtrs(rng, lambda);
}
