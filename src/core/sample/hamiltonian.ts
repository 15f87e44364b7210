/**
 * Hamiltonian dynamics for HMC and NUTS in the unconstrained space: H(q, p) = -ln p(q) + K(p),
 * K(p) = p^T M^-1 p / 2, p ~ N(0, M); M^-1 (the inverse metric) is diagonal or dense and set to
 * the posterior (co)variance during warm-up. Leapfrog integrator:
 *   p += eps/2 grad ln p(q);  q += eps M^-1 p;  p += eps/2 grad ln p(q).
 * Step-size initialisation: Hoffman & Gelman (2014), Algorithm 4 (double or halve eps until the
 * acceptance probability of one leapfrog step crosses 1/2).
 */
import type { Rng } from '../random/rng';
import { cholesky, lowerTransposeSolve, matVec } from './linalg';
import type { LogDensity } from './log-density';

export class Metric {
  /** M^-1: length n (diagonal) or n x n */
  readonly inverse: Float64Array;
  /** dense: Cholesky factor L of M^-1 = L L^T; diagonal: 1 / sqrt(M^-1_ii) */
  private readonly factor: Float64Array;
  constructor(
    readonly n: number,
    readonly dense: boolean,
  ) {
    this.inverse = new Float64Array(dense ? n * n : n);
    this.factor = new Float64Array(dense ? n * n : n);
    const id = new Float64Array(dense ? n * n : n);
    if (dense) for (let k = 0; k < n; k++) id[k * n + k] = 1;
    else id.fill(1);
    this.set(id);
  }
  /** sets M^-1 (same layout as `inverse`); false (and no change) if it is not positive definite */
  set(inv: ArrayLike<number>): boolean {
    const n = this.n;
    if (this.dense) {
      const f = Float64Array.from(inv);
      if (!cholesky(n, f)) return false;
      this.inverse.set(inv);
      this.factor.set(f);
    } else {
      for (let k = 0; k < n; k++) if (!(inv[k] > 0) || !Number.isFinite(inv[k])) return false;
      for (let k = 0; k < n; k++) {
        this.inverse[k] = inv[k];
        this.factor[k] = 1 / Math.sqrt(inv[k]);
      }
    }
    return true;
  }
  /** p ~ N(0, M): diagonal p_k = xi_k / sqrt(M^-1_kk); dense p = L^-T xi (cov L^-T L^-1 = M) */
  sampleMomentum(rng: Rng, p: Float64Array): void {
    const n = this.n;
    for (let k = 0; k < n; k++) p[k] = rng.normal();
    if (this.dense) lowerTransposeSolve(n, this.factor, p);
    else for (let k = 0; k < n; k++) p[k] *= this.factor[k];
  }
  /** out = M^-1 p (Betancourt's p-sharp, the velocity) */
  velocity(p: ArrayLike<number>, out: Float64Array): void {
    if (this.dense) matVec(this.n, this.inverse, p, out);
    else for (let k = 0; k < this.n; k++) out[k] = this.inverse[k] * p[k];
  }
  /** K(p) = p . M^-1 p / 2, using the velocity already computed */
  kinetic(p: ArrayLike<number>, v: ArrayLike<number>): number {
    let s = 0;
    for (let k = 0; k < this.n; k++) s += p[k] * v[k];
    return 0.5 * s;
  }
}

/** A point in phase space with its cached log density, gradient and velocity. */
export class PhasePoint {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly g: Float64Array;
  readonly v: Float64Array;
  logp = -Infinity;
  constructor(n: number) {
    this.q = new Float64Array(n);
    this.p = new Float64Array(n);
    this.g = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  copyFrom(o: PhasePoint): void {
    this.q.set(o.q);
    this.p.set(o.p);
    this.g.set(o.g);
    this.v.set(o.v);
    this.logp = o.logp;
  }
}

export class Integrator {
  evaluations = 0;
  constructor(
    readonly ld: LogDensity,
    readonly metric: Metric,
  ) {}
  /** evaluates logp and gradient at pt.q */
  init(pt: PhasePoint): void {
    pt.logp = this.ld.logDensityAndGradient(pt.q, pt.g);
    this.evaluations++;
  }
  /** H = -ln p + K; refreshes pt.v. +Infinity when ln p is not finite */
  hamiltonian(pt: PhasePoint): number {
    this.metric.velocity(pt.p, pt.v);
    const h = -pt.logp + this.metric.kinetic(pt.p, pt.v);
    return h === h ? h : Infinity;
  }
  /** one leapfrog step of size eps (negative: backwards in time); returns the new H */
  step(pt: PhasePoint, eps: number): number {
    const n = this.ld.n;
    const half = 0.5 * eps;
    for (let k = 0; k < n; k++) pt.p[k] += half * pt.g[k];
    this.metric.velocity(pt.p, pt.v);
    for (let k = 0; k < n; k++) pt.q[k] += eps * pt.v[k];
    pt.logp = this.ld.logDensityAndGradient(pt.q, pt.g);
    this.evaluations++;
    if (!(pt.logp > -Infinity)) return Infinity;
    for (let k = 0; k < n; k++) pt.p[k] += half * pt.g[k];
    return this.hamiltonian(pt);
  }
}

/**
 * Hoffman & Gelman (2014) Algorithm 4 from the point `z` (logp and gradient already set):
 * starting from eps0, doubles (or halves) eps while exp(H0 - H1) stays above (below) 1/2.
 */
export function findReasonableStepSize(integ: Integrator, z: PhasePoint, eps0: number, rng: Rng): number {
  const work = new PhasePoint(z.q.length);
  let eps = eps0 > 0 && Number.isFinite(eps0) ? eps0 : 1;
  integ.metric.sampleMomentum(rng, z.p);
  const h0 = integ.hamiltonian(z);
  const logHalf = Math.log(0.5);
  let direction = 0;
  for (let it = 0; it < 100; it++) {
    work.copyFrom(z);
    const h1 = integ.step(work, eps);
    const d = h0 - h1; // ln of the acceptance ratio
    const up = d > logHalf;
    if (direction === 0) direction = up ? 1 : -1;
    if ((direction === 1 && !up) || (direction === -1 && up)) break;
    const next = direction === 1 ? eps * 2 : eps * 0.5;
    if (next > 1e7 || next < 1e-12) break;
    eps = next;
  }
  return eps;
}
