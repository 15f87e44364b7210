/**
 * Bijections from R^n onto the box lower <= x <= upper, one per parameter, so samplers can move
 * freely (Stan reference manual, "Constraint transforms"):
 *
 *   identity  (-inf, inf)   x = z                                   ln|dx/dz| = 0
 *   lower     [a, inf)      x = a + e^z                             ln|dx/dz| = z
 *   upper     (-inf, b]     x = b - e^z                             ln|dx/dz| = z
 *   interval  [a, b]        x = a + (b - a) s(z), s = logistic      ln|dx/dz| = ln(b - a) + ln s(z) + ln s(-z)
 *
 * A density p_x on the box becomes p_z(z) = p_x(x(z)) |dx/dz| on R^n; its gradient follows the chain
 * rule d ln p_z / dz_k = (d ln p_x / dx_k) (dx_k/dz_k) + d ln|dx_k/dz_k| / dz_k. The logistic is
 * evaluated from whichever end is nearer (x = b - (b - a) s(-z) for z > 0), so x - a near a and
 * b - x near b are as accurate as the doubles allow (a bound at 0 keeps full relative precision).
 */
import type { LogDensity } from './log-density';

export type TransformKind = 'identity' | 'lower' | 'upper' | 'interval';

/** ln(1 + e^t) without overflow */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** logistic s(t) = 1 / (1 + e^-t) */
function logistic(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

export interface Transform {
  n: number;
  kinds: TransformKind[];
  lower: Float64Array;
  upper: Float64Array;
  /** z = x^-1(x); points on a bound map to -+Infinity (use interiorPoint first) */
  toUnconstrained(x: ArrayLike<number>, z: Float64Array): void;
  /** fills x = x(z) and returns ln|det dx/dz| */
  toConstrained(z: ArrayLike<number>, x: Float64Array): number;
  /** as toConstrained, and fills dxdz[k] = dx_k/dz_k and dlogJ[k] = d ln|dx_k/dz_k| / dz_k */
  toConstrainedWithDerivatives(z: ArrayLike<number>, x: Float64Array, dxdz: Float64Array, dlogJ: Float64Array): number;
}

export function transformKind(lower: number, upper: number): TransformKind {
  const lo = Number.isFinite(lower);
  const hi = Number.isFinite(upper);
  if (lo && hi) return 'interval';
  if (lo) return 'lower';
  if (hi) return 'upper';
  return 'identity';
}

export function makeTransform(lower: Float64Array, upper: Float64Array): Transform {
  const n = lower.length;
  const kinds = Array.from(lower, (lo, k) => transformKind(lo, upper[k]));
  for (let k = 0; k < n; k++) {
    if (!(lower[k] < upper[k])) throw new RangeError(`transform: parameter ${k} has an empty interior [${lower[k]}, ${upper[k]}]`);
  }
  const one = (k: number, zk: number, out: Float64Array, dxdz: Float64Array | null, dlogJ: Float64Array | null): number => {
    switch (kinds[k]) {
      case 'identity':
        out[k] = zk;
        if (dxdz) {
          dxdz[k] = 1;
          dlogJ![k] = 0;
        }
        return 0;
      case 'lower': {
        const e = Math.exp(zk);
        out[k] = lower[k] + e;
        if (dxdz) {
          dxdz[k] = e;
          dlogJ![k] = 1;
        }
        return zk;
      }
      case 'upper': {
        const e = Math.exp(zk);
        out[k] = upper[k] - e;
        if (dxdz) {
          dxdz[k] = -e;
          dlogJ![k] = 1;
        }
        return zk;
      }
      default: {
        const a = lower[k];
        const b = upper[k];
        const w = b - a;
        const sp = logistic(zk);
        const sm = logistic(-zk);
        const x = zk > 0 ? b - w * sm : a + w * sp;
        out[k] = Math.min(b, Math.max(a, x));
        if (dxdz) {
          dxdz[k] = w * sp * sm;
          dlogJ![k] = sm - sp;
        }
        return Math.log(w) - softplus(-zk) - softplus(zk);
      }
    }
  };
  return {
    n,
    kinds,
    lower,
    upper,
    toUnconstrained(x, z) {
      for (let k = 0; k < n; k++) {
        const xk = x[k];
        switch (kinds[k]) {
          case 'identity':
            z[k] = xk;
            break;
          case 'lower':
            z[k] = Math.log(xk - lower[k]);
            break;
          case 'upper':
            z[k] = Math.log(upper[k] - xk);
            break;
          default:
            z[k] = Math.log(xk - lower[k]) - Math.log(upper[k] - xk);
        }
      }
    },
    toConstrained(z, x) {
      let lj = 0;
      for (let k = 0; k < n; k++) lj += one(k, z[k], x, null, null);
      return lj;
    },
    toConstrainedWithDerivatives(z, x, dxdz, dlogJ) {
      let lj = 0;
      for (let k = 0; k < n; k++) lj += one(k, z[k], x, dxdz, dlogJ);
      return lj;
    },
  };
}

/**
 * A point strictly inside (lower, upper): values on or beyond a bound (or not finite) are moved
 * inside by a small relative margin (1e-6 of the width, or of max(1, |bound|) for a one-sided bound).
 */
export function interiorPoint(x: ArrayLike<number>, lower: Float64Array, upper: Float64Array): Float64Array {
  const out = Float64Array.from(x);
  for (let k = 0; k < out.length; k++) {
    const lo = lower[k];
    const hi = upper[k];
    let v = out[k];
    if (!Number.isFinite(v)) v = Number.isFinite(lo) && Number.isFinite(hi) ? 0.5 * (lo + hi) : Number.isFinite(lo) ? lo + 1 : Number.isFinite(hi) ? hi - 1 : 0;
    const margin = Number.isFinite(lo) && Number.isFinite(hi) ? 1e-6 * (hi - lo) : 1e-6 * Math.max(1, Math.abs(Number.isFinite(lo) ? lo : hi));
    if (Number.isFinite(lo) && v <= lo) v = lo + margin;
    if (Number.isFinite(hi) && v >= hi) v = hi - margin;
    out[k] = v;
  }
  return out;
}

/**
 * A covariance (n x n row-major) or variances (length n) of x carried to z at the point x by the
 * linearisation z - z0 = (dz/dx)(x - x0), dz/dx = 1 / (dx/dz).
 */
export function covarianceToUnconstrained(t: Transform, x: ArrayLike<number>, cov: ArrayLike<number>): Float64Array {
  const n = t.n;
  const z = new Float64Array(n);
  const xx = new Float64Array(n);
  const dxdz = new Float64Array(n);
  const dlj = new Float64Array(n);
  t.toUnconstrained(x, z);
  t.toConstrainedWithDerivatives(z, xx, dxdz, dlj);
  const out = Float64Array.from(cov);
  if (cov.length === n) {
    for (let k = 0; k < n; k++) out[k] = cov[k] / (dxdz[k] * dxdz[k]);
  } else {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = cov[i * n + j] / (dxdz[i] * dxdz[j]);
  }
  return out;
}

/** A LogDensity on R^n (the Jacobian included) together with the map back to the constrained space. */
export interface UnconstrainedDensity extends LogDensity {
  constrained: LogDensity;
  transform: Transform;
  /** fills x = x(z), returns ln|det dx/dz| (so ln p_x(x) = ln p_z(z) - that) */
  toConstrained(z: ArrayLike<number>, x: Float64Array): number;
  toUnconstrained(x: ArrayLike<number>, z: Float64Array): void;
}

/** Wraps a density on a box into the density of z on R^n (Jacobian term and chain rule included). */
export function unconstrain(ld: LogDensity): UnconstrainedDensity {
  const n = ld.n;
  const t = makeTransform(ld.lower, ld.upper);
  const x = new Float64Array(n);
  const gx = new Float64Array(n);
  const dxdz = new Float64Array(n);
  const dlj = new Float64Array(n);
  const inf = new Float64Array(n);
  return {
    n,
    keys: ld.keys,
    lower: inf.map(() => -Infinity),
    upper: inf.map(() => Infinity),
    constrained: ld,
    transform: t,
    toConstrained: (z, out) => t.toConstrained(z, out),
    toUnconstrained: (xx, z) => t.toUnconstrained(xx, z),
    logDensity(z) {
      const lj = t.toConstrained(z, x);
      const lp = ld.logDensity(x);
      const v = lp + lj;
      return v === v && v !== Infinity ? v : -Infinity;
    },
    logDensityAndGradient(z, g) {
      const lj = t.toConstrainedWithDerivatives(z, x, dxdz, dlj);
      const lp = ld.logDensityAndGradient(x, gx);
      const v = lp + lj;
      if (!(v > -Infinity) || v === Infinity) {
        g.fill(0);
        return -Infinity;
      }
      for (let k = 0; k < n; k++) g[k] = gx[k] * dxdz[k] + dlj[k];
      return v;
    },
  };
}
