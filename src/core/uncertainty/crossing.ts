/**
 * Where the profiled statistic crosses a level along a line through the best fit: the common
 * engine of MINOS intervals (the line moves one parameter) and MINOS-style contours (the line is
 * a ray in the plane of two parameters). The approach follows MINOS (James 1980; the MINUIT
 * reference manual, "MINOS error analysis"): hold the parameters on the line, re-minimise all the
 * others, and search the held value where Delta statistic = level.
 *
 * Line. Held parameters H are set to p(t) = base_H + t dir, t >= 0; the others are re-minimised
 * from the nearest already solved point on the line (t = 0 is the best fit), shifted by the
 * covariance regression of the others on H (warm-start.ts).
 *
 * Root finding is done on h(t) = sign(D) sqrt(|D|) - sqrt(level), D(t) = Delta statistic: for a
 * quadratic statistic D = level (t / t1)^2 this is linear in t, so secant steps are exact there
 * and near-exact for nearly parabolic profiles.
 * 1. Bracketing: from (0, -sqrt(level)) take secant steps outward (each at most 4x the current t
 *    and a little past the prediction) until h > 0, a bound (tMax) or the give-up distance.
 * 2. Brent's method (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4:
 *    inverse quadratic interpolation / secant inside a bisection bracket) to an absolute
 *    tolerance rtol * t.
 * A point is also accepted as soon as the secant estimate of its remaining distance to the root,
 * |h| / slope, is at most half the tolerance.
 * Points with an undefined statistic (+Infinity, NaN) count as above the level; if the crossing
 * found then has |D - level| > 1e-2 level, the profile jumps there and the status is
 * 'discontinuous'. Any D < -newMinimumTolerance flags a better minimum than the given best fit.
 */
import type { ProfileObjective } from './objective';
import { heldMask, shiftedStart } from './warm-start';

export interface LinePoint {
  t: number;
  /** Delta statistic relative to the best fit */
  delta: number;
  statistic: number;
  /** re-optimised full free vector */
  theta: Float64Array;
  converged: boolean;
  nfev: number;
}

/** The statistic along p(t) = base_H + t dir with the other parameters re-optimised (or frozen). */
export class LineProfile {
  readonly held: number[];
  private readonly mask: Uint8Array;
  private readonly seeds: { theta: Float64Array }[] = [];

  constructor(
    private readonly obj: ProfileObjective,
    private readonly base: Float64Array,
    private readonly bestStatistic: number,
    held: number[],
    private readonly dir: number[],
    private readonly slopes: Float64Array | null,
    private readonly options: { reoptimize?: boolean; shouldStop?: () => boolean } = {},
  ) {
    this.held = held.slice();
    this.mask = heldMask(obj.n, held);
    this.seeds.push({ theta: Float64Array.from(base) });
  }

  /** held values at t */
  valuesAt(t: number): number[] {
    return this.held.map((k, p) => this.base[k] + t * this.dir[p]);
  }

  /** adds a solved point (e.g. of a neighbouring ray) as a possible warm start */
  addSeed(theta: ArrayLike<number>): void {
    this.seeds.push({ theta: Float64Array.from(theta) });
  }

  /** the seed closest to the held values, in units of t (max over held of |difference| / |dir|) */
  private nearest(values: number[]): Float64Array {
    let best = this.seeds[0].theta;
    let bestD = Infinity;
    for (const s of this.seeds) {
      let d = 0;
      for (let p = 0; p < this.held.length; p++) {
        const sc = Math.abs(this.dir[p]) > 0 ? Math.abs(this.dir[p]) : 1;
        d = Math.max(d, Math.abs(s.theta[this.held[p]] - values[p]) / sc);
      }
      if (d < bestD) {
        bestD = d;
        best = s.theta;
      }
    }
    return best;
  }

  at(t: number): LinePoint {
    const values = this.valuesAt(t);
    const from = this.nearest(values);
    const reopt = this.options.reoptimize ?? true;
    const start = shiftedStart(reopt ? from : this.base, this.held, values, reopt ? this.slopes : null, this.obj.lower, this.obj.upper);
    if (!reopt) {
      const s = this.obj.value(start);
      return { t, delta: s - this.bestStatistic, statistic: s, theta: start, converged: true, nfev: 1 };
    }
    const out = this.obj.minimize(start, this.mask, this.options.shouldStop);
    const point = {
      t,
      delta: out.statistic - this.bestStatistic,
      statistic: out.statistic,
      theta: out.theta,
      converged: out.converged,
      nfev: out.nfev,
    };
    if (Number.isFinite(out.statistic)) this.seeds.push({ theta: Float64Array.from(out.theta) });
    return point;
  }
}

export type CrossingStatus = 'ok' | 'limit' | 'not-found' | 'discontinuous' | 'cancelled' | 'failed';

export interface CrossingOptions {
  /** target Delta statistic (> 0) */
  level: number;
  /** first trial t (> 0), e.g. the parabolic estimate */
  t0: number;
  /** largest t allowed (a bound); Infinity when none */
  tMax?: number;
  /** give up (status 'not-found') when no crossing is below this t (default 1000 t0) */
  tGiveUp?: number;
  /** tolerance on t relative to t at the crossing (default 1e-4) */
  rtol?: number;
  /** most re-optimisations (default 60) */
  maxEvaluations?: number;
  /** Delta below -this flags a new minimum (default 1e-4 level) */
  newMinimumTolerance?: number;
  shouldStop?: () => boolean;
  onTrial?: (p: LinePoint) => void;
}

export interface CrossingResult {
  status: CrossingStatus;
  /** t of the crossing (or of the bound / last point for other statuses) */
  t: number;
  /** the re-optimised point at t (null when none was evaluated) */
  point: LinePoint | null;
  evaluations: number;
  nfev: number;
  /** the lowest point with Delta < -newMinimumTolerance, if any */
  newMinimum: LinePoint | null;
  message: string | null;
}

function signedSqrt(d: number): number {
  return d >= 0 ? Math.sqrt(d) : -Math.sqrt(-d);
}

export function findCrossing(evalAt: (t: number) => LinePoint, options: CrossingOptions): CrossingResult {
  const level = options.level;
  if (!(level > 0)) throw new Error('findCrossing: level must be > 0');
  const sl = Math.sqrt(level);
  const tMax = options.tMax ?? Infinity;
  const t0 = options.t0;
  if (!(t0 > 0) || !Number.isFinite(t0)) throw new Error('findCrossing: t0 must be a positive finite number');
  const tGiveUp = options.tGiveUp ?? 1000 * t0;
  const rtol = options.rtol ?? 1e-4;
  const maxEval = options.maxEvaluations ?? 60;
  const newMinTol = options.newMinimumTolerance ?? 1e-4 * level;
  let nfev = 0;
  let evaluations = 0;
  let newMinimum: LinePoint | null = null;
  const h = (p: LinePoint) => (Number.isNaN(p.delta) ? Infinity : signedSqrt(p.delta) - sl);
  const ev = (t: number): LinePoint => {
    const p = evalAt(t);
    nfev += p.nfev;
    evaluations++;
    if (p.delta < -newMinTol && (newMinimum === null || p.delta < newMinimum.delta)) newMinimum = p;
    options.onTrial?.(p);
    return p;
  };
  const done = (status: CrossingStatus, t: number, point: LinePoint | null, message: string | null = null): CrossingResult => ({
    status,
    t,
    point,
    evaluations,
    nfev,
    newMinimum,
    message,
  });

  if (!(tMax > 0)) return done('limit', 0, null, 'already at the bound');

  // 1. bracketing
  let tLo = 0;
  let hLo = -sl;
  let pLo: LinePoint | null = null;
  let t = Math.min(t0, tMax);
  let pHi: LinePoint;
  let hHi: number;
  for (;;) {
    if (options.shouldStop?.()) return done('cancelled', tLo, pLo, 'cancelled');
    if (evaluations >= maxEval) return done('failed', tLo, pLo, `no crossing found in ${maxEval} re-optimisations`);
    const p = ev(t);
    const hv = h(p);
    if (hv === 0) return done('ok', t, p);
    const slope = (hv - hLo) / (t - tLo);
    if (Number.isFinite(hv) && slope > 0 && Math.abs(hv) / slope <= 0.5 * rtol * t) return done('ok', t, p);
    if (hv > 0) {
      pHi = p;
      hHi = hv;
      break;
    }
    if (t >= tMax) return done('limit', t, p, 'the profile stays below the level up to the bound');
    // secant prediction, slightly overshot so that the next point brackets the root
    let tn = slope > 0 ? t + 1.02 * (-hv / slope) + rtol * t : 4 * t;
    if (!(tn > t)) tn = 2 * t;
    tn = Math.min(tn, 4 * t, tMax);
    tLo = t;
    hLo = hv;
    pLo = p;
    if (tLo >= tGiveUp) return done('not-found', tLo, pLo, 'no crossing: the profile stays below the level (parameter unconstrained)');
    t = tn;
  }

  // 2. Brent on [tLo, t]; b is the current estimate, c the other end of the bracket, a the previous b
  let a = tLo;
  let fa = hLo;
  let b = t;
  let fb = hHi;
  let pb: LinePoint | null = pHi;
  let pa: LinePoint | null = pLo;
  let c = a;
  let fc = fa;
  let pc: LinePoint | null = pa;
  let d = b - a;
  let e = d;
  for (;;) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      pc = pa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      // make b the best estimate
      a = b;
      fa = fb;
      pa = pb;
      b = c;
      fb = fc;
      pb = pc;
      c = a;
      fc = fa;
      pc = pa;
    }
    const scale = Math.abs(b) > 0 ? Math.abs(b) : Math.abs(c);
    const tol1 = 0.5 * rtol * scale + 4e-16 * scale;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol1 || fb === 0) break;
    if (options.shouldStop?.()) return done('cancelled', b, pb, 'cancelled');
    if (evaluations >= maxEval) return done('failed', b, pb, `crossing not converged in ${maxEval} re-optimisations`);
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb) && Number.isFinite(fa) && Number.isFinite(fb)) {
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c || !Number.isFinite(fc)) {
        // secant
        p = 2 * m * s;
        q = 1 - s;
      } else {
        // inverse quadratic interpolation
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    pa = pb;
    b += Math.abs(d) > tol1 ? d : m > 0 ? tol1 : -tol1;
    pb = ev(b);
    fb = h(pb);
    if (Number.isFinite(fb) && Number.isFinite(fa) && b !== a) {
      const slope = (fb - fa) / (b - a);
      if (slope > 0 && Math.abs(fb) / slope <= 0.25 * rtol * Math.abs(b)) break;
    }
  }
  if (pb === null) return done('discontinuous', b, null, 'the profile jumps across the level right at the best fit');
  const dv = pb.delta;
  if (!(Math.abs(dv - level) <= 1e-2 * level)) {
    return done(
      'discontinuous',
      b,
      pb,
      `the profile jumps across the level here (Delta ${Number.isFinite(dv) ? dv.toPrecision(4) : String(dv)} instead of ${level.toPrecision(4)}): the statistic is undefined or the re-optimisation failed`,
    );
  }
  return done('ok', b, pb);
}
