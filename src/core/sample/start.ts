/**
 * Chain seeds and start points. Samplers start from a point of the constrained space; R-hat can
 * only detect non-convergence when chains start from dispersed points, so startPoints spreads
 * them around a centre (e.g. the best fit): in the unconstrained space, uniformly in +-spread
 * standard deviations (from a covariance, e.g. the fit's, when given; else +-spread units, Stan's
 * default init being +-2 units around 0).
 */
import { createRng, type Rng } from '../random/rng';
import type { LogDensity } from './log-density';
import { covarianceToUnconstrained, interiorPoint, makeTransform, type UnconstrainedDensity } from './transform';

export class SamplerError extends Error {}

/** `count` distinct seeds derived from one (SplitMix-style via the Rng's own seeding). */
export function chainSeeds(seed: number, count: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng.uint32() + 4294967296 * (rng.uint32() & 0x1fffff));
}

export interface StartPointOptions {
  /** covariance of the centre (length n variances or n x n), constrained space */
  covariance?: ArrayLike<number>;
  /** half-width of the uniform jitter in standard deviations (or unconstrained units); default 2 with a covariance, 0.5 without */
  spread?: number;
  /** tries per point to land on a finite log density (default 50) */
  tries?: number;
}

/** `count` start points (constrained space) jittered around `center`, each with a finite log density. */
export function startPoints(ld: LogDensity, center: ArrayLike<number>, count: number, seed: number, options: StartPointOptions = {}): Float64Array[] {
  const n = ld.n;
  const t = makeTransform(ld.lower, ld.upper);
  const c = interiorPoint(center, ld.lower, ld.upper);
  const zc = new Float64Array(n);
  t.toUnconstrained(c, zc);
  const sd = new Float64Array(n).fill(1);
  if (options.covariance) {
    const cu = covarianceToUnconstrained(t, c, options.covariance);
    for (let k = 0; k < n; k++) {
      const v = cu.length === n ? cu[k] : cu[k * n + k];
      sd[k] = v > 0 && Number.isFinite(v) ? Math.sqrt(v) : 1;
    }
  }
  const spread = options.spread ?? (options.covariance ? 2 : 0.5);
  const rng = createRng(seed);
  const out: Float64Array[] = [];
  const z = new Float64Array(n);
  for (let i = 0; i < count; i++) {
    let x = c;
    for (let attempt = 0; attempt < (options.tries ?? 50); attempt++) {
      const shrink = Math.pow(0.7, attempt);
      for (let k = 0; k < n; k++) z[k] = zc[k] + shrink * spread * sd[k] * (2 * rng.uniform() - 1);
      const cand = new Float64Array(n);
      t.toConstrained(z, cand);
      if (ld.logDensity(interiorPoint(cand, ld.lower, ld.upper)) > -Infinity) {
        x = interiorPoint(cand, ld.lower, ld.upper);
        break;
      }
    }
    out.push(Float64Array.from(x));
  }
  return out;
}

/** The unconstrained start of a chain: options.start (or the unconstrained origin) moved inside, checked finite. */
export function initialPosition(ud: UnconstrainedDensity, start: ArrayLike<number> | undefined): Float64Array {
  const n = ud.n;
  const z = new Float64Array(n);
  if (start) {
    if (start.length !== n) throw new SamplerError(`start point has ${start.length} values, the density has ${n} parameters`);
    ud.toUnconstrained(interiorPoint(start, ud.constrained.lower, ud.constrained.upper), z);
  }
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(z[k])) throw new SamplerError(`start value of ${ud.keys[k]} is not usable`);
  }
  const lp = ud.logDensity(z);
  if (!(lp > -Infinity)) {
    const x = new Float64Array(n);
    ud.toConstrained(z, x);
    throw new SamplerError(`the log posterior is not finite at the start point (${ud.keys.map((k, i) => `${k} = ${x[i]}`).join(', ')})`);
  }
  return z;
}

export function makeRng(seed: number | undefined): Rng {
  return createRng(seed ?? 1);
}
