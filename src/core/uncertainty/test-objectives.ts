/**
 * Small hand-built ProfileObjectives for tests and benchmarks of the profile-likelihood tools:
 * - a weighted straight line y = a x + b with chi2 (closed-form conditional minima: exact);
 * - a single Poisson count n with mean mu and the Cash statistic (closed form);
 * - generic scalar statistics (re-minimised with L-BFGS-B) and least-squares problems
 *   (re-minimised with Levenberg-Marquardt), with the held parameters removed.
 */
import { lbfgsb } from '../optimize/lbfgsb';
import { levenbergMarquardt } from '../optimize/lm';
import type { ProfileObjective } from './objective';
import { invertSmall } from './warm-start';

/**
 * chi2 of a linear model y = sum_k theta_k X_k(x) (columns[k][i] = X_k(x_i)) with per-point
 * sigma; the conditional minima solve the normal equations of the free columns exactly.
 */
export function linearChi2Objective(
  columns: number[][],
  y: number[],
  sigma: number[],
  keys: string[],
): ProfileObjective & { covariance: number[][]; best: Float64Array } {
  const n = columns.length;
  const m = y.length;
  // A = X^T W X, c = X^T W y
  const A = new Float64Array(n * n);
  const c = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const w = 1 / (sigma[i] * sigma[i]);
    for (let a = 0; a < n; a++) {
      c[a] += w * columns[a][i] * y[i];
      for (let b = 0; b < n; b++) A[a * n + b] += w * columns[a][i] * columns[b][i];
    }
  }
  const value = (t: Float64Array) => {
    let s = 0;
    for (let i = 0; i < m; i++) {
      let f = 0;
      for (let k = 0; k < n; k++) f += t[k] * columns[k][i];
      const r = (y[i] - f) / sigma[i];
      s += r * r;
    }
    return s;
  };
  const conditional = (start: Float64Array, held: Uint8Array): Float64Array => {
    const t = Float64Array.from(start);
    const free: number[] = [];
    for (let k = 0; k < n; k++) if (!held[k]) free.push(k);
    const nf = free.length;
    if (nf === 0) return t;
    const Af = new Float64Array(nf * nf);
    const bf = new Float64Array(nf);
    for (let p = 0; p < nf; p++) {
      let rhs = c[free[p]];
      for (let k = 0; k < n; k++) if (held[k]) rhs -= A[free[p] * n + k] * t[k];
      bf[p] = rhs;
      for (let q = 0; q < nf; q++) Af[p * nf + q] = A[free[p] * n + free[q]];
    }
    const inv = invertSmall(Af, nf);
    if (!inv) throw new Error('linearChi2Objective: singular design');
    for (let p = 0; p < nf; p++) {
      let v = 0;
      for (let q = 0; q < nf; q++) v += inv[p * nf + q] * bf[q];
      t[free[p]] = v;
    }
    return t;
  };
  const inv = invertSmall(A, n);
  if (!inv) throw new Error('linearChi2Objective: singular design');
  const covariance = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => inv[a * n + b]));
  const best = conditional(new Float64Array(n), new Uint8Array(n));
  return {
    n,
    keys: keys.slice(),
    lower: new Float64Array(n).fill(-Infinity),
    upper: new Float64Array(n).fill(Infinity),
    errordef: 1,
    value,
    minimize: (start, held) => {
      const t = conditional(start, held);
      return { theta: t, statistic: value(t), converged: true, nfev: 1 };
    },
    covariance,
    best,
  };
}

/** chi2 of the straight line y = a x + b (free vector [a, b]) */
export function lineChi2Objective(x: number[], y: number[], sigma: number[]) {
  return linearChi2Objective([x, x.map(() => 1)], y, sigma, ['a', 'b']);
}

/** Cash statistic C(mu) = 2 (mu - n + n ln(n / mu)) of one count n; free vector [mu], mu > 0 */
export function poissonCountObjective(n: number, lower = 0): ProfileObjective {
  const value = (t: Float64Array) => {
    const mu = t[0];
    if (!(mu > 0)) return n === 0 && mu === 0 ? 0 : Infinity;
    return 2 * (mu - n + (n > 0 ? n * Math.log(n / mu) : 0));
  };
  return {
    n: 1,
    keys: ['mu'],
    lower: Float64Array.from([lower]),
    upper: Float64Array.from([Infinity]),
    errordef: 1,
    value,
    minimize: (start, held) => {
      const t = Float64Array.from(start);
      if (!held[0]) t[0] = Math.max(n, lower);
      return { theta: t, statistic: value(t), converged: true, nfev: 1 };
    },
  };
}

function freeIndices(n: number, held: Uint8Array): number[] {
  const f: number[] = [];
  for (let k = 0; k < n; k++) if (!held[k]) f.push(k);
  return f;
}

/** a scalar statistic with analytic gradient; the free parameters are re-minimised with L-BFGS-B */
export function scalarObjective(spec: {
  keys: string[];
  lower?: number[];
  upper?: number[];
  errordef: number;
  value: (t: Float64Array) => number;
  /** fills g, returns the value */
  valueAndGradient: (t: Float64Array, g: Float64Array) => number;
}): ProfileObjective {
  const n = spec.keys.length;
  const lower = Float64Array.from(spec.lower ?? new Array(n).fill(-Infinity));
  const upper = Float64Array.from(spec.upper ?? new Array(n).fill(Infinity));
  return {
    n,
    keys: spec.keys.slice(),
    lower,
    upper,
    errordef: spec.errordef,
    value: spec.value,
    minimize: (start, held, shouldStop) => {
      const free = freeIndices(n, held);
      const full = Float64Array.from(start);
      if (free.length === 0) return { theta: full, statistic: spec.value(full), converged: true, nfev: 1 };
      const g = new Float64Array(n);
      const fill = (t: ArrayLike<number>) => {
        for (let j = 0; j < free.length; j++) full[free[j]] = t[j];
        return full;
      };
      const res = lbfgsb(
        {
          n: free.length,
          lower: Float64Array.from(free, (k) => lower[k]),
          upper: Float64Array.from(free, (k) => upper[k]),
          value: (t) => spec.value(fill(t)),
          valueAndGradient: (t, gr) => {
            const v = spec.valueAndGradient(fill(t), g);
            for (let j = 0; j < free.length; j++) gr[j] = g[free[j]];
            return v;
          },
        },
        Float64Array.from(free, (k) => start[k]),
        { shouldStop },
      );
      const theta = Float64Array.from(fill(res.theta));
      return { theta, statistic: spec.value(theta), converged: res.converged, nfev: res.nfev };
    },
  };
}

/** chi2 = sum r_i^2 of residuals with an analytic Jacobian; re-minimised with Levenberg-Marquardt */
export function leastSquaresObjective(spec: {
  keys: string[];
  m: number;
  lower?: number[];
  upper?: number[];
  residuals: (t: Float64Array, r: Float64Array) => void;
  /** row-major m x n */
  jacobian: (t: Float64Array, J: Float64Array) => void;
}): ProfileObjective {
  const n = spec.keys.length;
  const m = spec.m;
  const lower = Float64Array.from(spec.lower ?? new Array(n).fill(-Infinity));
  const upper = Float64Array.from(spec.upper ?? new Array(n).fill(Infinity));
  const r = new Float64Array(m);
  const value = (t: Float64Array) => {
    spec.residuals(t, r);
    let c = 0;
    for (let i = 0; i < m; i++) c += r[i] * r[i];
    return c;
  };
  return {
    n,
    keys: spec.keys.slice(),
    lower,
    upper,
    errordef: 1,
    value,
    minimize: (start, held, shouldStop) => {
      const free = freeIndices(n, held);
      const full = Float64Array.from(start);
      if (free.length === 0) return { theta: full, statistic: value(full), converged: true, nfev: 1 };
      const nf = free.length;
      const jFull = new Float64Array(m * n);
      const fill = (t: ArrayLike<number>) => {
        for (let j = 0; j < nf; j++) full[free[j]] = t[j];
        return full;
      };
      const res = levenbergMarquardt(
        {
          m,
          n: nf,
          lower: Float64Array.from(free, (k) => lower[k]),
          upper: Float64Array.from(free, (k) => upper[k]),
          residuals: (t, rr) => spec.residuals(fill(t), rr),
          jacobian: (t, J) => {
            spec.jacobian(fill(t), jFull);
            for (let i = 0; i < m; i++) for (let j = 0; j < nf; j++) J[i * nf + j] = jFull[i * n + free[j]];
          },
        },
        Float64Array.from(free, (k) => start[k]),
        { shouldStop },
      );
      const theta = Float64Array.from(fill(res.theta));
      return { theta, statistic: value(theta), converged: res.converged, nfev: res.nfev };
    },
  };
}

/**
 * Cash fit of the log-parabola counts model mu_i = A expo_i E_i^(-alpha - beta ln E_i)
 * (free vector [A, alpha, beta]), C = 2 sum [mu - n + n ln(n / mu)].
 */
export function logParabolaCashObjective(energy: number[], exposure: number[], counts: number[]): ProfileObjective {
  const m = energy.length;
  const lnE = energy.map(Math.log);
  const value = (t: Float64Array): number => {
    const [A, alpha, beta] = t;
    let c = 0;
    for (let i = 0; i < m; i++) {
      const mu = A * exposure[i] * Math.exp(-(alpha + beta * lnE[i]) * lnE[i]);
      if (!(mu > 0)) return Infinity;
      c += mu - counts[i];
      if (counts[i] > 0) c += counts[i] * Math.log(counts[i] / mu);
    }
    return 2 * c;
  };
  const valueAndGradient = (t: Float64Array, g: Float64Array): number => {
    const [A, alpha, beta] = t;
    let c = 0;
    g.fill(0);
    for (let i = 0; i < m; i++) {
      const f = exposure[i] * Math.exp(-(alpha + beta * lnE[i]) * lnE[i]);
      const mu = A * f;
      if (!(mu > 0)) return Infinity;
      c += mu - counts[i];
      if (counts[i] > 0) c += counts[i] * Math.log(counts[i] / mu);
      const dS = 2 * (1 - counts[i] / mu); // dC/dmu
      g[0] += dS * f;
      g[1] += dS * mu * -lnE[i];
      g[2] += dS * mu * -lnE[i] * lnE[i];
    }
    return 2 * c;
  };
  return scalarObjective({ keys: ['A', 'alpha', 'beta'], lower: [0, -Infinity, -Infinity], errordef: 1, value, valueAndGradient });
}

/** chi2 of y = amp exp(-(x - mu)^2 / (2 s^2)) + c (free vector [amp, mu, s, c]) */
export function gaussPeakChi2Objective(x: number[], y: number[], sigma: number[]): ProfileObjective {
  const m = x.length;
  return leastSquaresObjective({
    keys: ['amp', 'mu', 's', 'c'],
    m,
    residuals: (t, r) => {
      const [amp, mu, s, c] = t;
      for (let i = 0; i < m; i++) {
        const u = (x[i] - mu) / s;
        r[i] = (y[i] - amp * Math.exp(-0.5 * u * u) - c) / sigma[i];
      }
    },
    jacobian: (t, J) => {
      const [amp, mu, s] = t;
      for (let i = 0; i < m; i++) {
        const u = (x[i] - mu) / s;
        const e = Math.exp(-0.5 * u * u);
        const w = -1 / sigma[i];
        J[i * 4] = w * e;
        J[i * 4 + 1] = (w * amp * e * u) / s;
        J[i * 4 + 2] = (w * amp * e * u * u) / s;
        J[i * 4 + 3] = w;
      }
    },
  });
}

/** a small weighted straight-line data set (x, y, sigma) */
export const LINE_DATA = {
  x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  y: [1.1, 2.9, 5.2, 7.1, 8.8, 11.3, 12.9, 15.2, 16.8, 19.1],
  sigma: [0.5, 1, 0.8, 1.2, 0.5, 1.5, 1, 0.7, 0.9, 1.1],
};
